"""Meeting record (chair, PN code, attendance, views by channel), help requests, feedback.

Revision ID: 3b6a604d6263
Revises: 0ca3cf9beb46
Create Date: 2026-11-25 17:32:34.733875

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3b6a604d6263'
down_revision = '0ca3cf9beb46'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_attendance',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('child', 'foster_carer', 'parent', 'family_member', 'supervising_social_worker', 'partner_agency', name='attendee_role', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_attendance_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_id', 'role', name=op.f('pk_review_attendance'))
    )
    op.create_table('review_views',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('child', 'foster_carer', 'parent_or_family', name='consulted_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('channel', sa.Enum('online', 'paper', 'verbal', 'advocate', 'none', name='views_channel', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_views_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_id', 'role', name=op.f('pk_review_views'))
    )
    op.create_table('help_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('independent_visitor', 'advocate', 'talk_to_iro', 'urgent', name='request_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('state', sa.Enum('new', 'acknowledged', 'referred', 'matched', 'resolved', 'declined', 'withdrawn', name='request_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('source', sa.Enum('consultation', 'public_form', 'help_page', name='request_source', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('contact_name', sa.String(length=120), nullable=True),
    sa.Column('contact_detail', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_help_requests_child_id_children')),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_help_requests_invitation_id_invitations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_requests'))
    )
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_requests_child_id'), ['child_id'], unique=False)
        batch_op.create_index('ix_help_requests_state_created_at', ['state', 'created_at'], unique=False)

    op.create_table('help_request_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.Enum('new', 'acknowledged', 'referred', 'matched', 'resolved', 'declined', 'withdrawn', name='request_event_from_state', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('to_state', sa.Enum('new', 'acknowledged', 'referred', 'matched', 'resolved', 'declined', 'withdrawn', name='request_event_to_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['help_requests.id'], name=op.f('fk_help_request_events_request_id_help_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_help_request_events_staff_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_request_events'))
    )
    with op.batch_alter_table('help_request_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_request_events_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.Enum('views', 'feedback', name='invitation_purpose', native_enum=False, create_constraint=True), server_default='views', nullable=False))

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chair_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('participation_code', sa.Enum('PN0', 'PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7', name='participation_code', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('decisions_sent_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('record_sent_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reviews_chair_id'), ['chair_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reviews_chair_id_staff_users'), 'staff_users', ['chair_id'], ['id'])



def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reviews_chair_id_staff_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reviews_chair_id'))
        batch_op.drop_column('record_sent_on')
        batch_op.drop_column('decisions_sent_on')
        # The CHECK constraint names the column, so SQLite's table copy must lose it first.
        batch_op.drop_constraint(op.f('ck_reviews_participation_code'), type_='check')
        batch_op.drop_column('participation_code')
        batch_op.drop_column('chair_id')

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_invitations_invitation_purpose'), type_='check')
        batch_op.drop_column('purpose')

    with op.batch_alter_table('help_request_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_request_events_request_id'))

    op.drop_table('help_request_events')
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_help_requests_state_created_at')
        batch_op.drop_index(batch_op.f('ix_help_requests_child_id'))

    op.drop_table('help_requests')
    op.drop_table('review_views')
    op.drop_table('review_attendance')
