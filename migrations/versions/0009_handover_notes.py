"""the shift's handover log

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 11:30:00

"""
from alembic import op
import sqlalchemy as sa

import evac.models.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'handover_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', evac.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('pinned', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column('resolved_at', evac.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_handover_note_author_id_user')),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_handover_note_resolved_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_note')),
    )
    op.create_index(op.f('ix_handover_note_created_at'), 'handover_note', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_handover_note_created_at'), table_name='handover_note')
    op.drop_table('handover_note')
