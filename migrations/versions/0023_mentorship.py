"""Mentorship: mentors per department, affinity groups, students' mentor requests and affinity choices (issue 16, part 4).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 08:30:18.032280

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('affinity_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_affinity_group')),
    sa.UniqueConstraint('name', name=op.f('uq_affinity_group_name'))
    )
    op.create_table('affinity_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('share_with_contact', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['affinity_group.id'], name=op.f('fk_affinity_choice_group_id_affinity_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user.id'], name=op.f('fk_affinity_choice_student_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_affinity_choice')),
    sa.UniqueConstraint('student_id', 'group_id', name=op.f('uq_affinity_choice_student_id_group_id'))
    )
    with op.batch_alter_table('affinity_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_affinity_choice_group_id'), ['group_id'], unique=False)

    op.create_table('mentor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('kind', sa.Enum('resident', 'faculty', name='mentorkind', native_enum=False, length=32), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('offers', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity >= 0 AND capacity <= 50', name=op.f('ck_mentor_capacity_range')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_mentor_department_id_department'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor')),
    sa.UniqueConstraint('department_id', 'email', name=op.f('uq_mentor_department_id_email'))
    )
    with op.batch_alter_table('mentor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_department_id'), ['department_id'], unique=False)

    op.create_table('mentorship_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('open_to_all', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_mentorship_setting_department_id_department'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentorship_setting')),
    sa.UniqueConstraint('department_id', name=op.f('uq_mentorship_setting_department_id'))
    )
    op.create_table('mentor_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('interests', sa.Text(), nullable=False),
    sa.Column('share_affinity_with_staff', sa.Boolean(), nullable=False),
    sa.Column('state', sa.Enum('open', 'matched', 'withdrawn', 'closed', name='requeststate', native_enum=False, length=32), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=True),
    sa.Column('matched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('matched_by_id', sa.Integer(), nullable=True),
    sa.Column('first_meeting_on', sa.Date(), nullable=True),
    sa.Column('closed_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state != 'matched' OR (mentor_id IS NOT NULL AND matched_at IS NOT NULL)", name=op.f('ck_mentor_request_matched_has_mentor')),
    sa.CheckConstraint('first_meeting_on IS NULL OR mentor_id IS NOT NULL', name=op.f('ck_mentor_request_meeting_matched')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_mentor_request_cycle_id_cycle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_mentor_request_department_id_department'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['matched_by_id'], ['user.id'], name=op.f('fk_mentor_request_matched_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentor_id'], ['mentor.id'], name=op.f('fk_mentor_request_mentor_id_mentor'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['student_id'], ['user.id'], name=op.f('fk_mentor_request_student_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_request')),
    sa.UniqueConstraint('student_id', 'department_id', 'cycle_id', name=op.f('uq_mentor_request_student_id_department_id_cycle_id'))
    )
    with op.batch_alter_table('mentor_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_request_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_request_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_request_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_request_student_id'), ['student_id'], unique=False)



def downgrade():
    with op.batch_alter_table('mentor_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_request_student_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_request_state'))
        batch_op.drop_index(batch_op.f('ix_mentor_request_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_request_cycle_id'))

    op.drop_table('mentor_request')
    op.drop_table('mentorship_setting')
    with op.batch_alter_table('mentor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_department_id'))

    op.drop_table('mentor')
    with op.batch_alter_table('affinity_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_affinity_choice_group_id'))

    op.drop_table('affinity_choice')
    op.drop_table('affinity_group')
