"""Outcomes: the residency's rank and match lists, imported per department and cycle (issue 16).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 09:50:00.000000

One list of each kind per department and cycle; an import replaces its entries.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "residency_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("rank", "match", name="listkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycle.id"],
            name=op.f("fk_residency_list_cycle_id_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_residency_list_department_id_department"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["user.id"],
            name=op.f("fk_residency_list_imported_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residency_list")),
        sa.UniqueConstraint(
            "department_id",
            "cycle_id",
            "kind",
            name=op.f("uq_residency_list_department_id_cycle_id_kind"),
        ),
    )
    op.create_table(
        "residency_list_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "rank IS NULL OR rank >= 1", name=op.f("ck_residency_list_entry_rank_positive")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_residency_list_entry_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["residency_list.id"],
            name=op.f("fk_residency_list_entry_list_id_residency_list"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residency_list_entry")),
        sa.UniqueConstraint(
            "list_id", "application_id", name=op.f("uq_residency_list_entry_list_id_application_id")
        ),
    )
    with op.batch_alter_table("residency_list_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_residency_list_entry_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_residency_list_entry_list_id"), ["list_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("residency_list_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_residency_list_entry_list_id"))
        batch_op.drop_index(batch_op.f("ix_residency_list_entry_application_id"))
    op.drop_table("residency_list_entry")
    op.drop_table("residency_list")
