"""a triage may leave "ventilated" not known, as the sender did: it was saved as "no"

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 01:45:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('triage_record', schema=None) as batch_op:
        batch_op.alter_column('ventilated', existing_type=sa.Boolean(), nullable=True)


def downgrade():
    op.execute("UPDATE triage_record SET ventilated = false WHERE ventilated IS NULL")
    with op.batch_alter_table('triage_record', schema=None) as batch_op:
        batch_op.alter_column('ventilated', existing_type=sa.Boolean(), nullable=False)
