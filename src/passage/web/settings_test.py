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

# Still Argon2id, at the smallest cost: creating the named people for every test must be cheap.
PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher"]

# The test database lives on disk (not in memory) so the seizure tests can search its file, WAL
# and journal for planted canaries, exactly as an attacker with the disk would.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}  # noqa: F405
