"""First schema: staff, children, reviews, invitations, responses and answers, audit.

Revision ID: 0ca3cf9beb46
Revises:
Create Date: 2026-11-25 17:07:50.427396

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0ca3cf9beb46'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('admin', 'iro', 'social_worker', 'manager', name='staff_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('setup_token_hash', sa.String(length=64), nullable=True),
    sa.Column('setup_token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('session_version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_users_email')),
    sa.UniqueConstraint('setup_token_hash', name=op.f('uq_staff_users_setup_token_hash'))
    )
    op.create_table('children',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=40), nullable=False),
    sa.Column('preferred_name', sa.String(length=80), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('preferred_language', sa.String(length=10), nullable=False),
    sa.Column('looked_after_since', sa.Date(), nullable=False),
    sa.Column('ceased_on', sa.Date(), nullable=True),
    sa.Column('iro_id', sa.Integer(), nullable=False),
    sa.Column('social_worker_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['iro_id'], ['staff_users.id'], name=op.f('fk_children_iro_id_staff_users')),
    sa.ForeignKeyConstraint(['social_worker_id'], ['staff_users.id'], name=op.f('fk_children_social_worker_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_children')),
    sa.UniqueConstraint('case_ref', name=op.f('uq_children_case_ref'))
    )
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_children_iro_id'), ['iro_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_children_social_worker_id'), ['social_worker_id'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('review_type', sa.Enum('initial', 'second', 'subsequent', name='review_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('scheduled_for', sa.DateTime(timezone=True), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('scheduled', 'held', 'cancelled', name='review_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_reviews_child_id_children')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_child_id'), ['child_id'], unique=False)
        batch_op.create_index('ix_reviews_status_due_on', ['status', 'due_on'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('child', 'foster_carer', 'parent', 'family_member', 'other', name='invitee_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('invitee_name', sa.String(length=120), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], name=op.f('fk_invitations_created_by_id_staff_users')),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_invitations_review_id_reviews')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_review_id'), ['review_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('actor_staff_id', sa.Integer(), nullable=True),
    sa.Column('actor_invitation_id', sa.Integer(), nullable=True),
    sa.Column('subject_type', sa.String(length=40), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_invitation_id'], ['invitations.id'], name=op.f('fk_audit_events_actor_invitation_id_invitations')),
    sa.ForeignKeyConstraint(['actor_staff_id'], ['staff_users.id'], name=op.f('fk_audit_events_actor_staff_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_actor_staff_id'), ['actor_staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index('ix_audit_events_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_key', sa.String(length=40), nullable=False),
    sa.Column('questionnaire_version', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_responses_invitation_id_invitations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responses')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_responses_invitation_id'))
    )
    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_answers_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('response_id', 'question_key', 'value', name=op.f('uq_answers_response_id_question_key_value'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index('ix_answers_question_key_value', ['question_key', 'value'], unique=False)

    op.create_table('free_text_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=60), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('only_for_iro', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_free_text_answers_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_free_text_answers')),
    sa.UniqueConstraint('response_id', 'question_key', name=op.f('uq_free_text_answers_response_id_question_key'))
    )


def downgrade():
    op.drop_table('free_text_answers')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index('ix_answers_question_key_value')

    op.drop_table('answers')
    op.drop_table('responses')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_subject')
        batch_op.drop_index(batch_op.f('ix_audit_events_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_staff_id'))

    op.drop_table('audit_events')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_review_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_status_due_on')
        batch_op.drop_index(batch_op.f('ix_reviews_child_id'))

    op.drop_table('reviews')
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_children_social_worker_id'))
        batch_op.drop_index(batch_op.f('ix_children_iro_id'))

    op.drop_table('children')
    op.drop_table('staff_users')
