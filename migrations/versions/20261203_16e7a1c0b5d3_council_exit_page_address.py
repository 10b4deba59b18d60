"""Council settings: the neutral address that "Exit this page" leads to.

Revision ID: 16e7a1c0b5d3
Revises: 22b5a1e7c0d4
Create Date: 2026-12-03 10:45:00.000000

Empty until an admin sets it: the public pages then use the default (BBC Weather).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '16e7a1c0b5d3'
down_revision = '22b5a1e7c0d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('council_settings') as batch:
        batch.add_column(sa.Column('exit_page_url', sa.String(length=300), nullable=False,
                                   server_default=''))


def downgrade():
    with op.batch_alter_table('council_settings') as batch:
        batch.drop_column('exit_page_url')
