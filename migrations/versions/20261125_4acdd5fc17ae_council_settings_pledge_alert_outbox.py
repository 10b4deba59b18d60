"""Council settings, the Pledge per language, the alert outbox, and the language of a request.

Revision ID: 4acdd5fc17ae
Revises: d2ced6f5ee33
Create Date: 2026-11-25 17:42:03.862664

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4acdd5fc17ae'
down_revision = 'd2ced6f5ee33'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event', sa.Enum('new_submission', 'new_request', 'new_urgent_request', name='alert_event', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('staff_path', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=60), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_outbox'))
    )
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_alert_outbox_sent_at_next_attempt_at', ['sent_at', 'next_attempt_at'], unique=False)

    op.create_table('council_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_name', sa.String(length=120), server_default='', nullable=False),
    sa.Column('iro_service_contact', sa.String(length=300), server_default='', nullable=False),
    sa.Column('advocacy_provider', sa.String(length=120), server_default='', nullable=False),
    sa.Column('advocacy_contact', sa.String(length=300), server_default='', nullable=False),
    sa.Column('independent_visitor_provider', sa.String(length=120), server_default='', nullable=False),
    sa.Column('independent_visitor_contact', sa.String(length=300), server_default='', nullable=False),
    sa.Column('complaints_contact', sa.String(length=300), server_default='', nullable=False),
    sa.Column('service_inbox_email', sa.String(length=254), server_default='', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_council_settings_single_row')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff_users.id'], name=op.f('fk_council_settings_updated_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_settings'))
    )
    op.create_table('pledge_texts',
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff_users.id'], name=op.f('fk_pledge_texts_updated_by_id_staff_users')),
    sa.PrimaryKeyConstraint('language', name=op.f('pk_pledge_texts'))
    )
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_column('language')

    op.drop_table('pledge_texts')
    op.drop_table('council_settings')
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_outbox_sent_at_next_attempt_at')

    op.drop_table('alert_outbox')
