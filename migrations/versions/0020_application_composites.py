"""Reviews: each application's composites per round, kept by the database (issue 15).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'application_composite',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('raw', sa.Integer(), nullable=False),
        sa.Column('calibrated', sa.Integer(), nullable=False),
        sa.Column('spread', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_composite_application_id_application'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['round_id'], ['review_round.id'], name=op.f('fk_application_composite_round_id_review_round'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'application_id', name=op.f('pk_application_composite')),
    )
    with op.batch_alter_table('application_composite', schema=None) as batch_op:
        batch_op.create_index('ix_application_composite_calibrated', ['round_id', 'calibrated'], unique=False)
        batch_op.create_index('ix_application_composite_raw', ['round_id', 'raw'], unique=False)
    op.create_table(
        'composite_stamp',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.Text(), nullable=False),
        sa.Column('pool_count', sa.BigInteger(), nullable=False),
        sa.Column('pool_sum', sa.BigInteger(), nullable=False),
        sa.Column('pool_spread', sa.BigInteger(), nullable=False),
        sa.Column('calibrated_reviewers', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['review_round.id'], name=op.f('fk_composite_stamp_round_id_review_round'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', name=op.f('pk_composite_stamp')),
    )


def downgrade():
    op.drop_table('composite_stamp')
    with op.batch_alter_table('application_composite', schema=None) as batch_op:
        batch_op.drop_index('ix_application_composite_raw')
        batch_op.drop_index('ix_application_composite_calibrated')
    op.drop_table('application_composite')
