"""Offers: the email announcing an offer and its time to answer, counted from its delivery.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('answer_window_seconds', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_offer_notice_id'), ['notice_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_offer_notice_id_outbox_messages'),
            'outbox_messages',
            ['notice_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_offer_notice_id_outbox_messages'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_offer_notice_id'))
        batch_op.drop_column('answer_window_seconds')
        batch_op.drop_column('notice_id')
