"""id de solicitud en el outbox y latidos del relay (observabilidad)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 12:00:00.000000
"""
from alembic import op

from omm_common.tablas import agregar_observabilidad, quitar_observabilidad

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    agregar_observabilidad(op)


def downgrade():
    quitar_observabilidad(op)
