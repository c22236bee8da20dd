"""Settings from the environment, typed and failing closed.

One frozen object built from ``PASSAGE_*`` variables. There is no default secret and ``DEBUG`` is
off unless asked for; junk values are errors naming the variable. Only the demo (``PASSAGE_DEMO=1``,
what ``make run`` sets) may invent a secret, and it keeps it in its own data folder.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Config", "ConfigError", "load_config"]


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the variable and what it expects."""


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false (got {raw!r})")


def _int(env: Mapping[str, str], name: str, default: int | None, minimum: int = 0) -> int | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number (got {raw!r})") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum} (got {value})")
    return value


def _list(env: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


@dataclass(frozen=True)
class Config:
    secret_key: str
    debug: bool
    demo: bool
    data_dir: Path
    database_url: str | None
    allowed_hosts: list[str]
    key_socket: Path | None
    key_passive: bool
    kdf: str
    auto_seal_minutes: int | None
    session_minutes: int
    followup_days: int
    stay_warning_days: list[int]
    secure_cookies: bool
    serve: str
    max_upload_mb: int
    ocr_languages: str
    intake_quota: int
    intake_quota_mb: int = 2048
    intake_upload_mb: int = 20
    intake_office_key: str | None = None

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"


def _demo_secret(data_dir: Path) -> str:
    path = data_dir / "demo-secret-key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    path.write_text(value)
    path.chmod(0o600)
    return value


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Read the configuration; raises :class:`ConfigError` for anything missing or malformed."""
    env = os.environ if env is None else env
    demo = _bool(env, "PASSAGE_DEMO", False)
    data_dir = Path(env.get("PASSAGE_DATA_DIR") or "var").resolve()
    secret = env.get("PASSAGE_SECRET_KEY", "")
    if not secret:
        if not demo:
            raise ConfigError("PASSAGE_SECRET_KEY is not set (only the demo, PASSAGE_DEMO=1, may run without one)")
        secret = _demo_secret(data_dir)
    if len(secret) < 32:
        raise ConfigError("PASSAGE_SECRET_KEY must be at least 32 characters")
    kdf = env.get("PASSAGE_KDF", "production")
    if kdf not in {"production", "fast-for-tests"}:
        raise ConfigError(f"PASSAGE_KDF must be 'production' or 'fast-for-tests' (got {kdf!r})")
    serve = env.get("PASSAGE_SERVE", "all")
    if serve not in {"all", "staff", "intake"}:
        raise ConfigError(f"PASSAGE_SERVE must be all, staff or intake (got {serve!r})")
    warnings = _list(env, "PASSAGE_STAY_WARNING_DAYS", ["30", "14", "7"])
    try:
        warning_days = sorted({int(item) for item in warnings}, reverse=True)
    except ValueError:
        raise ConfigError("PASSAGE_STAY_WARNING_DAYS must be whole numbers separated by commas") from None
    key_socket = env.get("PASSAGE_KEY_SOCKET")
    if serve == "intake" and key_socket:
        # The intake process must never be able to reach the master key.
        raise ConfigError("PASSAGE_KEY_SOCKET must not be set when PASSAGE_SERVE=intake")
    office_key = (env.get("PASSAGE_INTAKE_OFFICE_KEY") or "").strip().lower() or None
    if office_key is not None and (len(office_key) != 64 or any(c not in "0123456789abcdef" for c in office_key)):
        raise ConfigError(
            "PASSAGE_INTAKE_OFFICE_KEY must be the 64 hex digits printed by `manage.py intake fingerprint`"
        )
    return Config(
        secret_key=secret,
        debug=_bool(env, "PASSAGE_DEBUG", False),
        demo=demo,
        data_dir=data_dir,
        database_url=env.get("DATABASE_URL") or None,
        allowed_hosts=_list(env, "PASSAGE_ALLOWED_HOSTS", ["127.0.0.1", "localhost"]),
        key_socket=Path(key_socket) if key_socket else None,
        # Background workers poll without counting as activity, so they never keep an
        # unattended office unsealed.
        key_passive=_bool(env, "PASSAGE_KEY_PASSIVE", False),
        kdf=kdf,
        auto_seal_minutes=_int(env, "PASSAGE_AUTO_SEAL_MINUTES", None, minimum=1),
        session_minutes=_int(env, "PASSAGE_SESSION_MINUTES", 30, minimum=1) or 30,
        followup_days=_int(env, "PASSAGE_FOLLOWUP_DAYS", 14, minimum=1) or 14,
        stay_warning_days=warning_days,
        secure_cookies=_bool(env, "PASSAGE_SECURE_COOKIES", not demo),
        serve=serve,
        max_upload_mb=_int(env, "PASSAGE_MAX_UPLOAD_MB", 50, minimum=1) or 50,
        ocr_languages=env.get("PASSAGE_OCR_LANGUAGES", "rus+eng"),
        intake_quota=_int(env, "PASSAGE_INTAKE_QUOTA", 500, minimum=1) or 500,
        intake_quota_mb=_int(env, "PASSAGE_INTAKE_QUOTA_MB", 2048, minimum=1) or 2048,
        intake_upload_mb=_int(env, "PASSAGE_INTAKE_UPLOAD_MB", 20, minimum=1) or 20,
        intake_office_key=office_key,
    )
