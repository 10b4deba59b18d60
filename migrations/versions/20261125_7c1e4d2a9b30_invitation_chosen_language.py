"""Invitations: the language the person chose themselves.

Revision ID: 7c1e4d2a9b30
Revises: 65dc292c324c
Create Date: 2026-11-25 17:55:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c1e4d2a9b30'
down_revision = '65dc292c324c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chosen_language', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('chosen_language')
