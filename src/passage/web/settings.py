"""Django settings, all derived from :mod:`passage.web.config` (environment, failing closed)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from passage.web.config import ConfigError, load_config

try:
    CONFIG = load_config()
except ConfigError as error:
    raise ImproperlyConfigured(str(error)) from None

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The data folder holds the database, encrypted files and nothing else; only this user reads it.
for _folder in (CONFIG.data_dir, CONFIG.media_dir, CONFIG.data_dir / "static"):
    _folder.mkdir(parents=True, exist_ok=True, mode=0o700)
SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
DATA_DIR = CONFIG.data_dir

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "passage.web",
    "passage.accounts",
    "passage.audit",
    "passage.sealing",
    "passage.cases",
    "passage.api",
    "passage.evidence",
    "passage.dossier",
    "passage.intake",
]

MIDDLEWARE = [
    # First of all: portal requests lose their address, user agent and referrer (see the module).
    "passage.intake.middleware.strip_identity",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "passage.web.middleware.no_store",
    # A page's batched audit rows wait for the session's save, which commits both (see its module).
    "passage.web.middleware.audit_reads_with_session",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "passage.intake.middleware.portal_language",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "passage.sealing.middleware.sealed_gate",
    "passage.accounts.middleware.require_verified_staff",
    # A record failing its integrity check (tampered or moved ciphertext): 409 page, audited.
    "passage.web.middleware.IntegrityFailure",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "passage.web.urls"
if CONFIG.serve == "intake":
    # The portal as its own process (e.g. behind a Tor onion service): only /intake/, and none of
    # the staff machinery (logins, TOTP, lockouts that record addresses, the sealed gate).
    ROOT_URLCONF = "passage.web.urls_intake"
    _STAFF_ONLY = {
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "passage.sealing.middleware.sealed_gate",
        "passage.accounts.middleware.require_verified_staff",
        "passage.web.middleware.IntegrityFailure",
        "axes.middleware.AxesMiddleware",
    }
    MIDDLEWARE = [name for name in MIDDLEWARE if name not in _STAFF_ONLY]
CSRF_FAILURE_VIEW = "passage.intake.views.csrf_failure"
WSGI_APPLICATION = "passage.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "OPTIONS": {
            # The apps' templates, compiled once per process with their fixed text joined.
            "loaders": [
                ("passage.web.template_loader.Loader", ["django.template.loaders.app_directories.Loader"]),
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "passage.web.context.office",
            ],
        },
    },
]


# SQLite: transactions take the write lock when they begin (BEGIN IMMEDIATE). A deferred
# transaction that reads, then writes after another process wrote (the audit chain reads its
# last row before appending) fails at once with "database is locked": the busy timeout cannot
# help it. Several gunicorn workers and the task worker share one file.
_SQLITE_OPTIONS = {
    "init_command": "PRAGMA secure_delete=ON; PRAGMA journal_mode=WAL;",
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
}


def _database(url: str | None) -> dict[str, object]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "passage.sqlite3",
            "OPTIONS": dict(_SQLITE_OPTIONS),
        }
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parsed.path) or DATA_DIR / "passage.sqlite3",
            "OPTIONS": dict(_SQLITE_OPTIONS),
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            # Parameters bound by the server and statements prepared after five runs: the pages
            # run the same statements on every request, and parsing and planning them anew was
            # half of each round trip. (Behind PgBouncer this needs its prepared-statement support.)
            "OPTIONS": {"server_side_binding": True, "prepare_threshold": 5},
        }
    raise ImproperlyConfigured(f"DATABASE_URL must start with sqlite:// or postgresql:// (got {parsed.scheme!r})")


DATABASES = {"default": _database(CONFIG.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:dashboard"

# Staff logins: locked after 5 failures for an hour, per user name and address. django-axes
# stores the address and user agent of failed staff logins (documented in the README); it is
# never used on the intake side.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = CONFIG.session_minutes * 60
SESSION_ENGINE = "passage.web.sessions"  # Django's database sessions, committed with waiting audit rows
SESSION_SAVE_EVERY_REQUEST = True  # the expiry slides with activity
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_SECURE = CONFIG.secure_cookies
CSRF_COOKIE_SECURE = CONFIG.secure_cookies
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": under no-referrer browsers send `Origin: null` with every form
# POST, which Django's CSRF check rightly refuses, so no form would work. Nothing is sent to
# other sites either way, and staff URLs carry only opaque ids.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

OTP_TOTP_ISSUER = "Passage"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": CONFIG.media_dir}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads stream to disk in chunks through our own encrypting handler (evidence, intake); never
# kept whole in memory, never written in plaintext to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Logs carry no sensitive data: request logging is reduced to status lines without query
# strings, and error reports never include request bodies or local variables.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "passage.web.logs.ScrubFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "passage": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "passage.web.logs.NothingSensitiveFilter"
ADMINS: list[tuple[str, str]] = []

PASSAGE = CONFIG
