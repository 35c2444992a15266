"""Documents: a coordinator can send a document back with a reason (issue 18, onboarding).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 08:20:00.000000

A document is verified or sent back, never both (a check constraint).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rejected_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rejection_reason', sa.String(length=1000), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_document_rejected_by_id_user'),
            'user',
            ['rejected_by_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_document_verified_or_rejected'),
            'verified_at IS NULL OR rejected_at IS NULL',
        )


def downgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_document_verified_or_rejected'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_document_rejected_by_id_user'), type_='foreignkey')
        batch_op.drop_column('rejection_reason')
        batch_op.drop_column('rejected_by_id')
        batch_op.drop_column('rejected_at')
