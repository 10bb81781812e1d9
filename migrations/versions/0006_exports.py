"""Exports: whether a collaborative allows respondent-level rows to be exported

Revision ID: 0006_exports
Revises: 0005_stored_files
Create Date: 2026-11-30 05:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_exports'
down_revision = '0005_stored_files'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('collaboratives', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'respondent_rows_export', sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table('collaboratives', schema=None) as batch_op:
        batch_op.drop_column('respondent_rows_export')
