"""Flask extensions, created unbound and initialised in the app factory."""

from flask import current_app
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect
from redis import Redis

login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate(compare_type=True, render_as_batch=True)


def init_redis(app) -> None:
    """Attach a Redis client when REDIS_URL is set; without it jobs run in-process."""
    url = app.config.get("REDIS_URL")
    app.extensions["redis"] = (
        Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) if url else None
    )


def get_redis() -> Redis | None:
    """The app's Redis client, or None in the embedded mode."""
    return current_app.extensions.get("redis")
