"""cifrado atado a la fila y al campo: lo cifrado con el formato anterior ("v<versión>:", dato asociado = solo el
municipio) se vuelve a cifrar como "r<versión>:" con dato asociado municipio + "tabla.campo" + id (issue 16).
Misma versión de clave; hace falta CASOS_CLAVE_MAESTRA (y CASOS_CLAVES_ANTERIORES si hay versiones viejas)
solo si hay filas que convertir.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 21:00:00.000000
"""
import sqlalchemy as sa
from alembic import op
from cryptography.exceptions import InvalidTag

from casos.cifrado import BOVEDA
from omm_common import cifrado
from omm_common.migraciones import convertir_filas

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# tabla, clave de la fila (a la que se ata), columnas cifradas
CIFRADAS = (
    ("casos", "id", ("datos_cifrados", "motivo_cierre_cifrado")),
    ("seguimientos", "id", ("nota_cifrada",)),
    ("derivaciones", "id", ("motivo_cifrado",)),
    ("valoraciones_riesgo", "id", ("motivo_cifrado",)),
    ("consentimientos", "id", ("motivo_cifrado",)),
    ("motivos_auditoria", "auditoria_id", ("motivo_cifrado",)),
)


def _atar(municipio, texto, campo, registro_id):
    marca, _, cuerpo = texto.partition(":")
    version = int(marca[1:])
    try:
        valor = cifrado.descifrar(BOVEDA.clave(municipio, version), cuerpo, municipio.encode())
    except (InvalidTag, ValueError) as e:
        raise RuntimeError(f"{campo} de {registro_id} no se descifra con la versión {version} de "
                           "CASOS_CLAVE_MAESTRA: ¿es el secreto correcto?") from e
    return BOVEDA.cifrar(municipio, valor, campo, registro_id, version=version)


def _desatar(municipio, texto, campo, registro_id):
    version = BOVEDA.version_de(texto)
    valor = BOVEDA.descifrar(municipio, texto, campo, registro_id)
    return f"v{version}:" + cifrado.cifrar(BOVEDA.clave(municipio, version), valor, municipio.encode())


def _convertir(de, funcion):
    conexion = op.get_bind()
    for tabla, clave, columnas in CIFRADAS:
        def transformar(fila, tabla=tabla, clave=clave, columnas=columnas):
            return {c: funcion(fila.municipio, getattr(fila, c), f"{tabla}.{c}", getattr(fila, clave))
                    for c in columnas if (getattr(fila, c) or "").startswith(de)}
        convertir_filas(conexion, tabla, clave, [*columnas, "municipio"], transformar,
                        donde=lambda t, columnas=columnas: sa.or_(*(t.c[c].like(f"{de}%") for c in columnas)))


def upgrade():
    _convertir("v", _atar)


def downgrade():
    _convertir(BOVEDA.MARCA, _desatar)
