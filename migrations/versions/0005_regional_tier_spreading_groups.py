"""the regional tier (regional users, requests held by a region, escalation), spreading plans and
transfer quotas, groups of cases

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import evac.models.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'spreading_plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', evac.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('instance', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
        sa.Column('result', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('issued', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
        sa.Column('issued_at', evac.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_spreading_plan_user_id_user')),
        sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_spreading_plan_issued_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spreading_plan')),
    )
    op.create_index(op.f('ix_spreading_plan_created_at'), 'spreading_plan', ['created_at'], unique=False)
    op.create_table(
        'transfer_quota',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('from_region_id', sa.Integer(), nullable=False),
        sa.Column('to_region_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('patients', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('created_at', evac.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['spreading_plan.id'], name=op.f('fk_transfer_quota_plan_id_spreading_plan')),
        sa.ForeignKeyConstraint(['from_region_id'], ['region.id'], name=op.f('fk_transfer_quota_from_region_id_region')),
        sa.ForeignKeyConstraint(['to_region_id'], ['region.id'], name=op.f('fk_transfer_quota_to_region_id_region')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_quota')),
    )
    op.create_index(op.f('ix_transfer_quota_plan_id'), 'transfer_quota', ['plan_id'], unique=False)
    op.create_index(op.f('ix_transfer_quota_from_region_id'), 'transfer_quota', ['from_region_id'], unique=False)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_region_id'), ['region_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_region_id_region'), 'region', ['region_id'], ['id'])
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_queue_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', evac.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalation_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('quota_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('group_ref', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_region_queue_id'), ['region_queue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_quota_id'), ['quota_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_group_ref'), ['group_ref'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_case_region_queue_id_region'), 'region', ['region_queue_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_case_quota_id_transfer_quota'), 'transfer_quota', ['quota_id'], ['id'])


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_quota_id_transfer_quota'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_case_region_queue_id_region'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_case_group_ref'))
        batch_op.drop_index(batch_op.f('ix_case_quota_id'))
        batch_op.drop_index(batch_op.f('ix_case_region_queue_id'))
        for column in ('group_ref', 'quota_id', 'escalation_reason', 'escalated_at', 'region_queue_id'):
            batch_op.drop_column(column)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_region_id_region'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_region_id'))
        batch_op.drop_column('region_id')
    op.drop_index(op.f('ix_transfer_quota_from_region_id'), table_name='transfer_quota')
    op.drop_index(op.f('ix_transfer_quota_plan_id'), table_name='transfer_quota')
    op.drop_table('transfer_quota')
    op.drop_index(op.f('ix_spreading_plan_created_at'), table_name='spreading_plan')
    op.drop_table('spreading_plan')
