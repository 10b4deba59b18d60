"""Children: whether unaccompanied and seeking asylum.

Revision ID: 25a61cd8a150
Revises: 3b6a604d6263
Create Date: 2026-11-25 17:36:58.023296

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '25a61cd8a150'
down_revision = '3b6a604d6263'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unaccompanied_asylum_seeking', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_column('unaccompanied_asylum_seeking')

