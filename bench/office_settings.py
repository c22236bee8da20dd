"""Settings of the office benchmark's processes: the real settings plus a bare anchor view."""

from passage.web.settings import *  # noqa: F403

ROOT_URLCONF = "bench.office_urls"
