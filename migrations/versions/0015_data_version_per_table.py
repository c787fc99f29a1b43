"""the data's versions per table: a page is drawn again when a table it read has changed, not
at every change

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 19:40:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('data_version')
    table = op.create_table(
        'data_version',
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_data_version')),
    )
    # What was kept before the upgrade is stale: everything has changed.
    op.bulk_insert(table, [{'name': '*', 'value': 1}])


def downgrade():
    op.drop_table('data_version')
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'value': 0}])
