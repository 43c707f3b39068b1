"""existencias nunca negativas, también en la base

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:30:00.000000
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # En lote: SQLite no agrega restricciones a una tabla existente; Alembic la rehace con la restricción.
    with op.batch_alter_table("tipos_ayuda") as tabla:
        tabla.create_check_constraint("ck_tipos_ayuda_existencia_no_negativa", "existencia >= 0")


def downgrade():
    with op.batch_alter_table("tipos_ayuda") as tabla:
        tabla.drop_constraint("ck_tipos_ayuda_existencia_no_negativa", type_="check")
