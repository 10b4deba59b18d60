"""Response drafts, idempotency keys and the questions each response was asked; social
workers may be invited (for feedback).

Revision ID: 65dc292c324c
Revises: 4acdd5fc17ae
Create Date: 2026-11-25 17:45:14.176277

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '65dc292c324c'
down_revision = '4acdd5fc17ae'
branch_labels = None
depends_on = None

ROLES = ['child', 'foster_carer', 'parent', 'family_member', 'other']
ROLES_WITH_SOCIAL_WORKER = ['child', 'foster_carer', 'parent', 'family_member', 'social_worker', 'other']


def _allow_roles(roles):
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_invitations_invitee_role'), type_='check')
        batch_op.create_check_constraint('invitee_role', sa.column('role').in_(roles))


def upgrade():
    op.create_table('response_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_key', sa.String(length=40), nullable=False),
    sa.Column('questionnaire_version', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('resume_at', sa.String(length=60), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_response_drafts_invitation_id_invitations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_drafts')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_response_drafts_invitation_id'))
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('asked', sa.JSON(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_responses_idempotency_key'), ['idempotency_key'])
    _allow_roles(ROLES_WITH_SOCIAL_WORKER)


def downgrade():
    # Refused while social workers' invitations exist: a downgrade must not delete them.
    _allow_roles(ROLES)
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_responses_idempotency_key'), type_='unique')
        batch_op.drop_column('asked')
        batch_op.drop_column('idempotency_key')

    op.drop_table('response_drafts')
