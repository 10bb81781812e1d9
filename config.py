"""Application settings, every one read from the environment (12-factor)."""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SQLITE_URL = f"sqlite:///{BASE_DIR / 'instance' / 'placewise.db'}"
INSECURE_SECRET_KEYS = {"", "dev", "change-me", "dev-insecure-secret-key"}


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Production settings: strict cookies and a real secret key are required."""

    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    SESSION_COOKIE_NAME = "placewise_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    PERMANENT_SESSION_LIFETIME = _env_int("SESSION_LIFETIME_SECONDS", 8 * 3600)  # idle
    # However active it is, a signed-in session ends this long after sign-in.
    SESSION_ABSOLUTE_SECONDS = _env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
    HSTS_ENABLED = _env_bool("HSTS_ENABLED", True)
    WTF_CSRF_TIME_LIMIT = _env_int("CSRF_TIME_LIMIT_SECONDS", 8 * 3600)

    # Who runs this service and how people reach them (the accessibility statement).
    SERVICE_OPERATOR = os.environ.get("SERVICE_OPERATOR", "")
    SERVICE_CONTACT_EMAIL = os.environ.get("SERVICE_CONTACT_EMAIL", "")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Placewise <no-reply@placewise.invalid>")

    # Behind a reverse proxy or load balancer: how many proxies' X-Forwarded-* to trust.
    TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 0)
    # Where rate-limit counts live; empty: REDIS_URL, else this process's memory.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "")
    SIGN_IN_LIMIT = _env_int("SIGN_IN_LIMIT", 10)
    TOKEN_LIMIT = _env_int("TOKEN_LIMIT", 30)
    RATE_LIMIT_WINDOW_SECONDS = _env_int("RATE_LIMIT_WINDOW_SECONDS", 300)
    ACCOUNT_TOKEN_HOURS = _env_int("ACCOUNT_TOKEN_HOURS", 72)
    # Request size: a body over MAX_CONTENT_LENGTH is refused (413) before it is read; the
    # largest upload is a 20 MB response import. Form text fields (a 1 MB YAML paste) are
    # held in memory up to MAX_FORM_MEMORY_SIZE, and a form has at most MAX_FORM_PARTS parts.
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 21 * 1024 * 1024)
    MAX_FORM_MEMORY_SIZE = _env_int("MAX_FORM_MEMORY_SIZE", 2 * 1024 * 1024)
    MAX_FORM_PARTS = _env_int("MAX_FORM_PARTS", 1000)
    # Draw the charts after each aggregation (off only in the test suite: drawing every demo
    # chart takes a minute; the chart tests turn it on).
    RENDER_CHARTS = _env_bool("RENDER_CHARTS", True)
    API_RATE_LIMIT = _env_int("API_RATE_LIMIT", 1200)

    @classmethod
    def check(cls, settings: Mapping[str, Any] | None = None) -> None:
        """Refuse to start in production with a missing or well-known secret key.

        ``settings`` are the app's effective settings (overrides applied); by default the
        class's own.
        """
        secret_key = cls.SECRET_KEY if settings is None else settings.get("SECRET_KEY") or ""
        if secret_key in INSECURE_SECRET_KEYS or len(secret_key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters "
                'in production (python -c "import secrets; print(secrets.token_hex(32))").'
            )


class DevConfig(Config):
    """Local development: SQLite by default, cookies over plain HTTP."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-secret-key")
    SESSION_COOKIE_SECURE = False
    HSTS_ENABLED = False

    @classmethod
    def check(cls, settings: Mapping[str, Any] | None = None) -> None:
        """Development accepts the built-in key."""


class TestConfig(DevConfig):
    """The test suite: its own database, the same rules as production otherwise."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    REDIS_URL = os.environ.get("REDIS_URL", "")
    BASE_URL = "http://localhost"
    SIGN_IN_LIMIT = 5
    TOKEN_LIMIT = 10
    RENDER_CHARTS = False


CONFIGS = {"production": Config, "development": DevConfig, "test": TestConfig}


def config_for(name: str | None) -> type[Config]:
    """Return the settings class named by PLACEWISE_ENV (default development)."""
    name = name or os.environ.get("PLACEWISE_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"PLACEWISE_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
