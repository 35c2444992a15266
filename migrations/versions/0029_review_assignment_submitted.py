"""Reviews: an assignment carries when its review was submitted (issue 15).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 12:40:00.000000

The reviews still owed and the applications with a score are counted from
review_assignment alone, through two partial indexes (owed: by round and due date;
scored: by application), instead of joining every review of the season. The column is
filled from the submitted reviews here; the services keep it, the doctor checks it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review_assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE review_assignment SET submitted_at = ("
        "SELECT review.submitted_at FROM review WHERE review.assignment_id = review_assignment.id"
        " AND review.state = 'submitted')"
    )
    with op.batch_alter_table('review_assignment', schema=None) as batch_op:
        batch_op.create_index(
            'ix_review_assignment_owed',
            ['round_id', 'due_on'],
            unique=False,
            sqlite_where=sa.text('submitted_at IS NULL'),
            postgresql_where=sa.text('submitted_at IS NULL'),
        )
        batch_op.create_index(
            'ix_review_assignment_scored',
            ['application_id'],
            unique=False,
            sqlite_where=sa.text('submitted_at IS NOT NULL'),
            postgresql_where=sa.text('submitted_at IS NOT NULL'),
        )


def downgrade():
    with op.batch_alter_table('review_assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_review_assignment_scored')
        batch_op.drop_index('ix_review_assignment_owed')
        batch_op.drop_column('submitted_at')
