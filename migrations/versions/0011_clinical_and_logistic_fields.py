"""intake version 2: clinical and logistic fields, unknown kept apart from no

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 10:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('case') as batch:
        batch.add_column(sa.Column('patient_type', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('region_of_origin', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('place_type', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('documents_received', JSON, nullable=True))
        batch.add_column(sa.Column('family_in_nl', sa.String(length=200), nullable=True))
    with op.batch_alter_table('clinical_picture') as batch:
        batch.add_column(sa.Column('tracheostomy', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('devices', JSON, nullable=True))
        batch.add_column(sa.Column('vital_signs', JSON, nullable=True))
        batch.add_column(sa.Column('ventilation', JSON, nullable=True))
        batch.add_column(sa.Column('mdro_organisms', JSON, nullable=True))
        batch.add_column(sa.Column('mdro_screened_at', sa.Date(), nullable=True))
        batch.add_column(sa.Column('infections', JSON, nullable=True))
        batch.add_column(sa.Column('isolation_type', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('code_status', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('pregnancy_weeks', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('clinical_picture') as batch:
        for name in ('pregnancy_weeks', 'code_status', 'isolation_type', 'infections',
                     'mdro_screened_at', 'mdro_organisms', 'ventilation', 'vital_signs',
                     'devices', 'tracheostomy'):
            batch.drop_column(name)
    with op.batch_alter_table('case') as batch:
        for name in ('family_in_nl', 'documents_received', 'place_type', 'region_of_origin',
                     'patient_type'):
            batch.drop_column(name)
