"""Account tokens die when the password changes: a per-person token generation

Revision ID: 0012_account_token_generation
Revises: 0007_api_tokens
Create Date: 2026-12-07 13:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_account_token_generation'
down_revision = '0011_response_sources'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_generation', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_column('generation')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('token_generation')
