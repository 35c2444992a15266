"""Interviews: the emails announcing an invitation and a waitlist offer, whose reply windows count from their delivery.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('interview_invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_interview_invitation_notice_id'), ['notice_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_interview_invitation_notice_id_outbox_messages'),
            'outbox_messages', ['notice_id'], ['id'], ondelete='SET NULL',
        )
    with op.batch_alter_table('interview_waitlist_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offer_notice_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_interview_waitlist_entry_offer_notice_id'), ['offer_notice_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_interview_waitlist_entry_offer_notice_id_outbox_messages'),
            'outbox_messages', ['offer_notice_id'], ['id'], ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('interview_waitlist_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_interview_waitlist_entry_offer_notice_id_outbox_messages'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_interview_waitlist_entry_offer_notice_id'))
        batch_op.drop_column('offer_notice_id')
    with op.batch_alter_table('interview_invitation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_interview_invitation_notice_id_outbox_messages'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_interview_invitation_notice_id'))
        batch_op.drop_column('notice_id')
