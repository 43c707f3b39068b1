"""Alembic por servicio: cada paquete trae su carpeta `migraciones`; esto la ejecuta."""
import argparse
import os

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config

from . import tablas
from .db import crear_motor


def configuracion(paquete, url):
    cfg = Config()
    cfg.set_main_option("script_location", f"{paquete}:migraciones")
    cfg.attributes["url"] = url
    return cfg


def migrar(paquete, url, revision="head"):
    command.upgrade(configuracion(paquete, url), revision)


def convertir_filas(conexion, tabla, clave, columnas, transformar, donde=None, grupo=1000):
    """Para migraciones de datos (p. ej. cifrar lo que estaba en claro): recorre `tabla` por su clave en grupos,
    `transformar(fila)` -> {columna: valor nuevo} ({} = no tocar) y la actualiza. Devuelve cuántas cambió.
    `columnas`: nombres, o `sa.column(nombre, tipo)` para leerlas con su tipo (p. ej. sa.JSON); `clave`, un nombre."""
    columnas = {c if isinstance(c, str) else c.name: c if not isinstance(c, str) else sa.column(c)
                for c in [clave, *columnas]}
    t = sa.table(tabla, *columnas.values())
    cambiadas, ultimo = 0, None
    while True:
        consulta = sa.select(t).order_by(t.c[clave]).limit(grupo)
        if donde is not None:
            consulta = consulta.where(donde(t))
        if ultimo is not None:
            consulta = consulta.where(t.c[clave] > ultimo)
        filas = conexion.execute(consulta).all()
        por_columnas = {}
        for fila in filas:
            cambios = transformar(fila)
            if cambios:
                por_columnas.setdefault(tuple(sorted(cambios)), []).append({**cambios, "_clave": getattr(fila, clave)})
        for nombres, lote in por_columnas.items():
            destino = sa.table(tabla, sa.column(clave), *(sa.column(n) for n in nombres))
            conexion.execute(destino.update().where(destino.c[clave] == sa.bindparam("_clave"))
                             .values({n: sa.bindparam(n) for n in nombres}), lote)
            cambiadas += len(lote)
        if len(filas) < grupo:
            return cambiadas
        ultimo = getattr(filas[-1], clave)


def _propio(objeto, nombre, tipo, reflejado, comparado):
    """Autogenerate no toca las tablas comunes (outbox...): las crea crear_tablas_comunes."""
    tabla = objeto if tipo == "table" else getattr(objeto, "table", None)
    return not (tabla is not None and tabla.name in tablas.metadata.tables)


def ejecutar_env(target_metadata):
    """Cuerpo de env.py de cada servicio (solo modo en línea: siempre hay una base real)."""
    url = context.config.attributes.get("url") or os.environ["DB_URL"]
    motor = crear_motor(url)
    with motor.connect() as conexion:
        sqlite = conexion.dialect.name == "sqlite"
        if sqlite:
            # SQLite rehace la tabla para quitar una columna (batch): con llaves foráneas activas, rehacer una tabla
            # que otras referencian falla. Se apagan fuera de la transacción y se revisan todas al final.
            conexion.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # antes del BEGIN de db.py
        context.configure(connection=conexion, target_metadata=target_metadata,
                          render_as_batch=sqlite, include_object=_propio)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and (rotas := conexion.exec_driver_sql("PRAGMA foreign_key_check").all()):
                raise RuntimeError(f"La migración dejó llaves foráneas rotas: {rotas[:5]}")
    motor.dispose()


def main(argv=None):
    p = argparse.ArgumentParser(description="Aplica las migraciones de un servicio OMM")
    p.add_argument("paquete", help="casos, ayudas, capacitaciones, notificaciones, reportes o gateway")
    p.add_argument("--db-url", default=None)
    a = p.parse_args(argv)
    migrar(a.paquete, a.db_url or os.environ[f"{a.paquete.upper()}_DB_URL"])


if __name__ == "__main__":
    main()
