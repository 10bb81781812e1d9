"""Putting, finding and deleting stored files. The caller commits."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from maturity.db import db, utcnow
from maturity.storage.models import StoredFile


def put_file(
    key: str,
    *,
    collaborative_id: int,
    content: bytes,
    content_type: str,
    filename: str | None = None,
) -> StoredFile:
    """Store ``content`` under ``key``, replacing what was there."""
    stored = find_file(key) or StoredFile(key=key, collaborative_id=collaborative_id)
    stored.collaborative_id = collaborative_id
    stored.content = content
    stored.content_type = content_type
    stored.filename = filename
    stored.etag = hashlib.sha256(content).hexdigest()
    stored.size = len(content)
    stored.created_at = utcnow()
    db.session.add(stored)
    return stored


def find_file(key: str) -> StoredFile | None:
    """The file stored under ``key``, if any (and if the current scope may see it)."""
    return db.session.scalar(sa.select(StoredFile).where(StoredFile.key == key))


def delete_files(prefix: str) -> int:
    """Delete every file whose key starts with ``prefix``; how many went."""
    doomed = db.session.scalars(
        sa.select(StoredFile).where(StoredFile.key.startswith(prefix, autoescape=True))
    ).all()
    for stored in doomed:
        db.session.delete(stored)
    return len(doomed)
