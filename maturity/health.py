"""Liveness and readiness probes."""

import sqlalchemy as sa
from flask import Blueprint, jsonify
from redis.exceptions import RedisError

from maturity.db import db
from maturity.extensions import get_redis

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up."""
    return jsonify(status="ok")


def _database_ok() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False


def _redis_status() -> str:
    redis = get_redis()
    if redis is None:
        return "not configured"
    try:
        redis.ping()
        return "ok"
    except RedisError:
        return "unreachable"


@bp.get("/readyz")
def readyz():
    """The database (and Redis, when configured) can be reached."""
    database = "ok" if _database_ok() else "unreachable"
    redis = _redis_status()
    ready = database == "ok" and redis != "unreachable"
    body = {"status": "ok" if ready else "unavailable", "database": database, "redis": redis}
    return jsonify(body), 200 if ready else 503
