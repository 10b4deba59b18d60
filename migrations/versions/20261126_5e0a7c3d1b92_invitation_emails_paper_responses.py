"""Invitations emailed through the outbox; answers typed in from a paper booklet.

Revision ID: 5e0a7c3d1b92
Revises: a08328d566f6
Create Date: 2026-11-26 10:00:00.000000

alert_outbox gains the invitation an email belongs to, the link's token (encrypted, kept
only until sent), the time an email was withdrawn, a nullable staff path and the new event.
paper_responses marks a response typed in by staff from a paper booklet. No table with
figures triggers is rebuilt: on SQLite a rebuilt table would lose its triggers.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e0a7c3d1b92'
down_revision = 'a08328d566f6'
branch_labels = None
depends_on = None

OLD_EVENTS = ('new_submission', 'new_request', 'new_urgent_request')
NEW_EVENTS = OLD_EVENTS + ('invitation',)


def _event_type(events):
    return sa.Enum(*events, name='alert_event', native_enum=False, create_constraint=True)


def upgrade():
    op.create_table('paper_responses',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('typed_in_by_id', sa.Integer(), nullable=False),
    sa.Column('typed_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_paper_responses_response_id_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['typed_in_by_id'], ['staff_users.id'], name=op.f('fk_paper_responses_typed_in_by_id_staff_users')),
    sa.PrimaryKeyConstraint('response_id', name=op.f('pk_paper_responses'))
    )
    # alert_outbox has no triggers, so rebuilding it on SQLite (for the new CHECK and the
    # nullable column) loses nothing.
    with op.batch_alter_table('alert_outbox', schema=None, recreate='always') as batch_op:
        batch_op.add_column(sa.Column('invitation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('link_token', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('staff_path', existing_type=sa.String(length=200), nullable=True)
        batch_op.drop_constraint(op.f('ck_alert_outbox_alert_event'), type_='check')
        batch_op.create_check_constraint(
            'alert_event', sa.column('event').in_(NEW_EVENTS))
        batch_op.create_index(batch_op.f('ix_alert_outbox_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_alert_outbox_invitation_id_invitations'), 'invitations', ['invitation_id'], ['id'], ondelete='CASCADE')


def downgrade():
    op.execute("DELETE FROM alert_outbox WHERE event = 'invitation'")
    with op.batch_alter_table('alert_outbox', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_alert_outbox_invitation_id_invitations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_alert_outbox_invitation_id'))
        batch_op.drop_constraint(op.f('ck_alert_outbox_alert_event'), type_='check')
        batch_op.create_check_constraint(
            'alert_event', sa.column('event').in_(OLD_EVENTS))
        batch_op.alter_column('staff_path', existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('link_token')
        batch_op.drop_column('invitation_id')

    op.drop_table('paper_responses')
