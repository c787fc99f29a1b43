"""categories closed to new patients (reason, until) and surge beds in capacity reports

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:30:00

"""
from alembic import op
import sqlalchemy as sa

import evac.models.types


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('capacity_figure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('surge', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('hospital_beds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('surge', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('closed_until', evac.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('hospital_beds', schema=None) as batch_op:
        batch_op.drop_column('closed_reason')
        batch_op.drop_column('closed_until')
        batch_op.drop_column('surge')
    with op.batch_alter_table('capacity_figure', schema=None) as batch_op:
        batch_op.drop_column('surge')
