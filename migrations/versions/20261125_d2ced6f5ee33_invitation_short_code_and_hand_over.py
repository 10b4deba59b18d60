"""Invitations: a short code for paper letters, and when the link was handed over.

Revision ID: d2ced6f5ee33
Revises: 25a61cd8a150
Create Date: 2026-11-25 17:58:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd2ced6f5ee33'
down_revision = '25a61cd8a150'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_invitations_short_code_hash'), ['short_code_hash'])


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_invitations_short_code_hash'), type_='unique')
        batch_op.drop_column('handed_over_at')
        batch_op.drop_column('short_code_hash')
