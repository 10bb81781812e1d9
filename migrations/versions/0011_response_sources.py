"""Responses: a stable public id, carried by the respondent-rows export and recognised on
import (an imported response keeps the id its file gave it)

Existing responses get the id the export used to derive from their row id (a keyed hash
with the application's secret key), so files exported before this revision are still
recognised when imported again.

Revision ID: 0011_response_sources
Revises: 0007_api_tokens
Create Date: 2026-12-07 13:45:00.000000

"""

import hashlib
import hmac

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "0011_response_sources"
down_revision = "0007_api_tokens"
branch_labels = None
depends_on = None

BATCH = 5000


def _former_export_id(key: bytes, response_id: int) -> str:
    digest = hmac.new(key, f"response-export:{response_id}".encode(), hashlib.sha256)
    return "r" + digest.hexdigest()[:20]


def _backfill() -> None:
    connection = op.get_bind()
    responses = sa.table("responses", sa.column("id", sa.Integer), sa.column("public_id"))
    key = current_app.config["SECRET_KEY"].encode()
    last = 0
    while True:
        ids = (
            connection.execute(
                sa.select(responses.c.id)
                .where(responses.c.id > last)
                .order_by(responses.c.id)
                .limit(BATCH)
            )
            .scalars()
            .all()
        )
        if not ids:
            return
        connection.execute(
            sa.update(responses)
            .where(responses.c.id == sa.bindparam("response_id"))
            .values(public_id=sa.bindparam("new_public_id")),
            [{"response_id": i, "new_public_id": _former_export_id(key, i)} for i in ids],
        )
        last = ids[-1]


def upgrade():
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=64), nullable=True))
    _backfill()
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.alter_column("public_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f("ix_responses_public_id"), ["public_id"], unique=False)


def downgrade():
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responses_public_id"))
        batch_op.drop_column("public_id")
