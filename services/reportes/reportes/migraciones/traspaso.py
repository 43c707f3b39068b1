"""Traspaso del POA y de los textos del informe que vivían en la base del gateway (antes de reportes).

Lo corre la primera migración de reportes cuando GATEWAY_DB_URL está definida y esa base tiene las tablas.
Solo copia lo que falta: un plan (municipio, año) o unos textos que reportes ya tiene no se tocan, y
volver a correrlo no duplica nada. Las tablas del gateway quedan como estaban (se quitan en otro cambio).
"""
import os

import sqlalchemy as sa

from omm_common.db import crear_motor
from omm_common.tiempo import FechaHoraUTC

# Las columnas tal como las dejó la migración 0002 del gateway (y como las crea la 0001 de reportes).
_metadata = sa.MetaData()
POA = sa.Table(
    "poa_metas", _metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("municipio", sa.String(4)), sa.Column("anio", sa.Integer), sa.Column("orden", sa.Integer),
    sa.Column("nombre", sa.String(200)), sa.Column("indicador", sa.String(30)),
    sa.Column("tipo_capacitacion", sa.String(40)), sa.Column("categoria_ayuda", sa.String(40)),
    *(sa.Column(f"meta_{t}", sa.Numeric(14, 2)) for t in ("t1", "t2", "t3", "t4")),
    sa.Column("actualizado_por", sa.String(36)), sa.Column("actualizado_en", FechaHoraUTC),
)
TEXTOS = sa.Table(
    "textos_informe", _metadata,
    sa.Column("municipio", sa.String(4), primary_key=True),
    sa.Column("introduccion", sa.Text), sa.Column("objetivo_general", sa.Text),
    sa.Column("objetivos_especificos", sa.JSON), sa.Column("desafios", sa.Text), sa.Column("lineas_accion", sa.JSON),
    sa.Column("actualizado_por", sa.String(36)), sa.Column("actualizado_en", FechaHoraUTC),
)
# Un plan se reemplaza entero: se copia por (municipio, año), nunca mezclado con filas de reportes.
CLAVES = ((POA, ("municipio", "anio")), (TEXTOS, ("municipio",)))


def _existe(url):
    """Una URL SQLite a un archivo que no existe no es una base del gateway: no se crea una vacía."""
    u = sa.engine.make_url(url)
    return u.get_backend_name() != "sqlite" or (u.database not in (None, "", ":memory:")
                                                and os.path.exists(u.database))


def copiar(destino, url_gateway):
    """Copia a `destino` (conexión a la base de reportes) lo que falte; devuelve {tabla: filas copiadas}."""
    if not _existe(url_gateway):
        return {}
    copiadas = {}
    motor = crear_motor(url_gateway)
    try:
        with motor.connect() as origen:
            presentes = set(sa.inspect(origen).get_table_names())
            for tabla, clave in CLAVES:
                if tabla.name not in presentes:
                    continue
                ya = {tuple(f) for f in destino.execute(sa.select(*(tabla.c[k] for k in clave)).distinct())}
                filas = [dict(f) for f in origen.execute(sa.select(tabla)).mappings()
                         if tuple(f[k] for k in clave) not in ya]
                if filas:
                    destino.execute(tabla.insert(), filas)
                copiadas[tabla.name] = len(filas)
    finally:
        motor.dispose()
    return copiadas


def copiar_del_gateway(destino):
    url = os.environ.get("GATEWAY_DB_URL")
    return copiar(destino, url) if url else {}
