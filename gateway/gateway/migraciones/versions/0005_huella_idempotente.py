"""Huella de la solicitud guardada con su Idempotency-Key (otra solicitud con la misma clave: 409)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('respuestas_idempotentes') as tabla:
        tabla.add_column(sa.Column('huella', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('respuestas_idempotentes') as tabla:
        tabla.drop_column('huella')
