"""indexes for a year of cases: the board's order and counts, returns, trigram search

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 11:10:00

"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# Search by any part of a name, reference or sender's reference ('%shev%') with pg_trgm on
# PostgreSQL; SQLite scans, which is fine at its scale.
TRIGRAM = (
    ('ix_trgm_patient_search_text', 'patient', 'search_text'),
    ('ix_trgm_case_reference', 'case', 'lower(reference)'),
    ('ix_trgm_case_external_ref', 'case', 'lower(external_ref)'),
)


def upgrade():
    op.create_index('ix_case_received', 'case', ['received_at', 'id'], unique=False,
                    postgresql_include=['region_queue_id', 'status'])
    op.create_index('ix_case_requested', 'case', ['requested_at', 'id'], unique=False)
    op.create_index('ix_case_status_queue', 'case', ['status', 'region_queue_id'], unique=False)
    op.create_index(op.f('ix_case_return_of_id'), 'case', ['return_of_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for name, table, expression in TRIGRAM:
            op.execute(f'CREATE INDEX {name} ON "{table}" USING gin ({expression} gin_trgm_ops)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name, _table, _expression in TRIGRAM:
            op.execute(f'DROP INDEX IF EXISTS {name}')
    op.drop_index(op.f('ix_case_return_of_id'), table_name='case')
    op.drop_index('ix_case_status_queue', table_name='case')
    op.drop_index('ix_case_requested', table_name='case')
    op.drop_index('ix_case_received', table_name='case')
