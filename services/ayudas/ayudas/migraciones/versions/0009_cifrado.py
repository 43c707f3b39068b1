"""DNI, teléfono, condiciones y el historial de correcciones cifrados en reposo (AYUDAS_CLAVE_DATOS, clave por
municipio, atados a su fila); el DNI con índice ciego (HMAC) para buscar y para la restricción única (issue 16).
Hace falta AYUDAS_CLAVE_DATOS solo si hay beneficiarias que convertir.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 21:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

from ayudas.models import Beneficiaria, HistorialBeneficiaria
from omm_common.migraciones import convertir_filas

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# atributo en claro (columna de antes, con su tipo) -> CampoCifrado del modelo
BENEFICIARIAS = {"dni": sa.String(13), "telefono": sa.String(30), "condiciones": sa.JSON()}


def _cifrar(modelo, tipos):
    def transformar(fila):
        cambios = {}
        for nombre in tipos:
            campo, valor = getattr(modelo, nombre), getattr(fila, nombre)
            if nombre == "condiciones" and valor is None:
                valor = []
            cambios[campo.columna] = campo.cifrar(modelo.__tablename__, fila.municipio, fila.id, valor)
            if campo.indice:
                cambios[campo.indice] = campo.indice_de(fila.municipio, valor)
        return cambios
    convertir_filas(op.get_bind(), modelo.__tablename__, "id",
                    ["municipio", *(sa.column(n, t) for n, t in tipos.items())], transformar)


def upgrade():
    with op.batch_alter_table("beneficiarias") as tabla:
        tabla.add_column(sa.Column("dni_cifrado", sa.Text(), nullable=True))
        tabla.add_column(sa.Column("dni_indice", sa.String(64), nullable=True))
        tabla.add_column(sa.Column("telefono_cifrado", sa.Text(), nullable=True))
        tabla.add_column(sa.Column("condiciones_cifradas", sa.Text(), nullable=True))
    with op.batch_alter_table("historial_beneficiarias") as tabla:
        tabla.add_column(sa.Column("cambios_cifrados", sa.Text(), nullable=True))
    _cifrar(Beneficiaria, BENEFICIARIAS)
    _cifrar(HistorialBeneficiaria, {"cambios": sa.JSON()})
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("beneficiarias_municipio_dni_key", "beneficiarias", type_="unique")
    with op.batch_alter_table("beneficiarias") as tabla:
        for c in BENEFICIARIAS:
            tabla.drop_column(c)
        tabla.create_unique_constraint("beneficiarias_municipio_dni_indice_key", ["municipio", "dni_indice"])
    with op.batch_alter_table("historial_beneficiarias") as tabla:
        tabla.drop_column("cambios")


def downgrade():
    raise NotImplementedError("Volver a guardar DNI, teléfonos y condiciones en claro no se hace: restaure el respaldo.")
