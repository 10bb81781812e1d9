"""Rate limits (Flask-Limiter), declared on the routes they guard.

Counts live in Redis when REDIS_URL is set, so every process shares them; without Redis
(the embedded default) they live in this process (``memory://``), enough for a single
``make run`` server. A Redis outage falls back to counting in memory rather than failing.

Limits against guessing and password trials count *failures* only: the view calls
:func:`note_failure` and the limit's ``deduct_when=failed`` charges the attempt after the
response is made. People who get it right are never counted; once an address or account
has failed too often, every attempt waits until the window ends.

Behind a reverse proxy, set TRUSTED_PROXY_COUNT so that the client's address (not the
proxy's) is what is counted: see :func:`init_proxy`.
"""

from collections.abc import Callable

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

FAILED_FLAG = "_rate_limited_failure"
STORAGE_EXTENSION = "placewise_rate_limit_storage"


def client_address() -> str:
    """The client's address: the peer, or the one the trusted proxies report."""
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=client_address, strategy="fixed-window")


def per_window(setting: str, factor: int = 1) -> Callable[[], str]:
    """A limit string read from configuration at request time: ``setting`` attempts (times
    ``factor``) per RATE_LIMIT_WINDOW_SECONDS."""

    def limit() -> str:
        config = current_app.config
        return f"{config[setting] * factor} per {config['RATE_LIMIT_WINDOW_SECONDS']} seconds"

    return limit


def fixed_per_window(amount: int) -> Callable[[], str]:
    """A limit string of ``amount`` attempts per RATE_LIMIT_WINDOW_SECONDS."""
    return lambda: f"{amount} per {current_app.config['RATE_LIMIT_WINDOW_SECONDS']} seconds"


def note_failure() -> None:
    """Mark this request as a failed attempt (a wrong password, an unknown link)."""
    g.setdefault(FAILED_FLAG, True)


def failed(_response: Response) -> bool:
    """``deduct_when`` for failure-only limits: whether the view noted a failure."""
    return bool(g.get(FAILED_FLAG))


def init_proxy(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto/-Host from TRUSTED_PROXY_COUNT proxies (0: none)."""
    count = app.config.get("TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def storage_uri(config) -> str:
    """Where counts are kept: RATELIMIT_STORAGE_URI if set, else the app's Redis, else
    this process's memory."""
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"


def init_limiter(app: Flask) -> None:
    """Bind the limiter to ``app``: Redis storage when configured, memory otherwise."""
    config = app.config
    config["RATELIMIT_STORAGE_URI"] = storage_uri(config)
    config.setdefault("RATELIMIT_KEY_PREFIX", "placewise-limits")
    config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 2})
    # Registered before the limiter's own hook, so it runs first.
    app.before_request(_use_this_apps_storage)
    limiter.init_app(app)
    app.extensions[STORAGE_EXTENSION] = (limiter._storage, limiter._limiter)


def _use_this_apps_storage() -> None:
    """Point the limiter at the current app's storage.

    Flask-Limiter keeps one storage per extension object, and the limits are declared on
    one module-level object; a process that builds several apps (the test suite, a job
    worker with its own settings) would otherwise count every app's requests in the storage
    of the app built last.
    """
    limiter._storage, limiter._limiter = current_app.extensions[STORAGE_EXTENSION]


def retry_after_seconds() -> int:
    """How long a refused client is told to wait (the whole window, to be safe)."""
    return current_app.config["RATE_LIMIT_WINDOW_SECONDS"]


def reset_counts() -> None:
    """Forget every count of the current app (tests start from a clean slate)."""
    _use_this_apps_storage()
    limiter.reset()
