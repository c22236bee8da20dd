"""Settings for the test suite: explicit test values, then the real settings.

Nothing here weakens production: the secret is a fixed test value, the KDF uses the tiny
parameters only tests may use, and data goes to a throwaway folder.
"""

import os
import tempfile

os.environ.setdefault("PASSAGE_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("PASSAGE_DATA_DIR", tempfile.mkdtemp(prefix="passage-test-"))
os.environ.setdefault("PASSAGE_KDF", "fast-for-tests")
os.environ.setdefault("PASSAGE_SECURE_COOKIES", "false")

from passage.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
