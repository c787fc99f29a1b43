"""the data's versions per table: a page is drawn again when a table it read has changed, not
at every change

The one-row data_version of 0014 stays: processes of the previous release, still running
during an upgrade, keep moving it on (and would fail without it). A later migration drops it.

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
    table = op.create_table(
        'table_version',
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_table_version')),
    )
    # Pages kept before the upgrade are stale: everything has changed.
    op.bulk_insert(table, [{'name': '*', 'value': 1}])


def downgrade():
    op.drop_table('table_version')
