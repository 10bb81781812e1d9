"""Fixed-window rate limits, shared through Redis when it is configured.

Without Redis (the embedded default) counts live in this process, which is enough for a
single ``make run`` server; production runs with Redis so every process shares them.
"""

import threading
import time

from flask import current_app
from redis.exceptions import RedisError

from maturity.extensions import get_redis

KEY_PREFIX = "placewise:ratelimit:"
_local_counts: dict[str, tuple[int, float]] = {}
_lock = threading.Lock()


def _hit_local(key: str, window: int) -> int:
    now = time.monotonic()
    with _lock:
        count, started = _local_counts.get(key, (0, now))
        if now - started >= window:
            count, started = 0, now
        _local_counts[key] = (count + 1, started)
        return count + 1


def _hit_redis(redis, key: str, window: int) -> int:
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, window, nx=True)
    count, _ = pipe.execute()
    return int(count)


def is_over_limit(bucket: str, identity: str, limit: int) -> bool:
    """Count one attempt for ``identity`` in ``bucket``; True once it exceeds ``limit``."""
    window = current_app.config["RATE_LIMIT_WINDOW_SECONDS"]
    key = f"{KEY_PREFIX}{bucket}:{identity}"
    redis = get_redis()
    try:
        count = _hit_redis(redis, key, window) if redis is not None else _hit_local(key, window)
    except RedisError:
        count = _hit_local(key, window)
    return count > limit


def reset_counts() -> None:
    """Forget every count, here and in Redis (tests start from a clean slate)."""
    with _lock:
        _local_counts.clear()
    redis = get_redis()
    if redis is not None:
        keys = list(redis.scan_iter(match=f"{KEY_PREFIX}*", count=1000))
        if keys:
            redis.delete(*keys)


def attempts_so_far(bucket: str, identity: str) -> int:
    """How many attempts ``identity`` has made in ``bucket`` this window, counting none."""
    key = f"{KEY_PREFIX}{bucket}:{identity}"
    redis = get_redis()
    if redis is not None:
        try:
            return int(redis.get(key) or 0)
        except RedisError:
            pass
    with _lock:
        count, started = _local_counts.get(key, (0, time.monotonic()))
        window = current_app.config["RATE_LIMIT_WINDOW_SECONDS"]
        return 0 if time.monotonic() - started >= window else count
