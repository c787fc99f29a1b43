"""a physician's confirmation that a patient may fly

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 09:30:00

"""
from alembic import op
import sqlalchemy as sa

import evac.models.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'fitness_to_fly',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('triage_id', sa.Integer(), nullable=True),
        sa.Column('physician', sa.String(length=200), nullable=False),
        sa.Column('equipment', sa.Text(), nullable=True),
        sa.Column('attendants', sa.Text(), nullable=True),
        sa.Column('confirmed_at', evac.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_fitness_to_fly_case_id_case')),
        sa.ForeignKeyConstraint(['triage_id'], ['triage_record.id'], name=op.f('fk_fitness_to_fly_triage_id_triage_record')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_fitness_to_fly_recorded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fitness_to_fly')),
    )
    op.create_index(op.f('ix_fitness_to_fly_case_id'), 'fitness_to_fly', ['case_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_fitness_to_fly_case_id'), table_name='fitness_to_fly')
    op.drop_table('fitness_to_fly')
