"""DNI, teléfono y embarazo (con las semanas de gestación) de las participantes cifrados en reposo
(CAPACITACIONES_CLAVE_DATOS, clave por municipio, atados a su fila); el DNI con índice ciego (HMAC) para los
duplicados y la restricción única, y la clave de persona con DNI pasa a "dni:<índice>" (issue 16).
Hace falta CAPACITACIONES_CLAVE_DATOS solo si hay inscripciones que convertir.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 21:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

from capacitaciones.models import Inscripcion
from omm_common.migraciones import convertir_filas

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

EN_CLARO = ("dni", "telefono", "embarazada", "semanas_gestacion")


def _cifrar(fila):
    tabla, municipio = Inscripcion.__tablename__, fila.municipio
    salud = {"embarazada": bool(fila.embarazada), "semanas_gestacion": fila.semanas_gestacion}
    indice = Inscripcion.dni.indice_de(municipio, fila.dni)
    cambios = {"dni_cifrado": Inscripcion.dni.cifrar(tabla, municipio, fila.id, fila.dni), "dni_indice": indice,
               "telefono_cifrado": Inscripcion.telefono.cifrar(tabla, municipio, fila.id, fila.telefono),
               "salud_cifrada": Inscripcion.salud.cifrar(tabla, municipio, fila.id, salud)}
    if fila.dni and fila.clave_persona == f"dni:{fila.dni}":
        cambios["clave_persona"] = f"dni:{indice}"
    return cambios


def upgrade():
    with op.batch_alter_table("inscripciones") as tabla:
        tabla.add_column(sa.Column("dni_cifrado", sa.Text(), nullable=True))
        tabla.add_column(sa.Column("dni_indice", sa.String(64), nullable=True))
        tabla.add_column(sa.Column("telefono_cifrado", sa.Text(), nullable=True))
        tabla.add_column(sa.Column("salud_cifrada", sa.Text(), nullable=True))
    convertir_filas(op.get_bind(), "inscripciones", "id",
                    ["municipio", "clave_persona", "dni", "telefono", sa.column("embarazada", sa.Boolean()),
                     "semanas_gestacion"], _cifrar)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("inscripciones_capacitacion_id_dni_key", "inscripciones", type_="unique")
    with op.batch_alter_table("inscripciones") as tabla:
        for c in EN_CLARO:
            tabla.drop_column(c)
        tabla.create_unique_constraint("inscripciones_capacitacion_id_dni_indice_key", ["capacitacion_id", "dni_indice"])


def downgrade():
    raise NotImplementedError("Volver a guardar DNI, teléfonos y embarazo en claro no se hace: restaure el respaldo.")
