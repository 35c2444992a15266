"""Awards: the needs-attention state keeps its amount (the CHECK names it among the states with one).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 19:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

WITH_AMOUNT = "state NOT IN ('awarded', 'needs_attention', 'rotation_completed', 'paid') OR amount_cents IS NOT NULL"
WITH_AMOUNT_BEFORE = "state NOT IN ('awarded', 'rotation_completed', 'paid') OR amount_cents IS NOT NULL"


def upgrade():
    with op.batch_alter_table('award_application', schema=None) as batch_op:
        batch_op.drop_constraint('amount_when_awarded', type_='check')
        batch_op.create_check_constraint('amount_when_awarded', WITH_AMOUNT)


def downgrade():
    # An award that needs attention goes back to awarded: the committee had not decided yet.
    op.execute("UPDATE award_application SET state = 'awarded' WHERE state = 'needs_attention'")
    with op.batch_alter_table('award_application', schema=None) as batch_op:
        batch_op.drop_constraint('amount_when_awarded', type_='check')
        batch_op.create_check_constraint('amount_when_awarded', WITH_AMOUNT_BEFORE)
