"""isolation kinds: negative-pressure rooms in capacity reports, airborne offers

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('capacity_report') as batch:
        batch.add_column(sa.Column('airborne_free', sa.Integer(), nullable=True))
    with op.batch_alter_table('offer') as batch:
        batch.add_column(sa.Column('airborne', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('offer') as batch:
        batch.drop_column('airborne')
    with op.batch_alter_table('capacity_report') as batch:
        batch.drop_column('airborne_free')
