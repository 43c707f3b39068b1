"""Alembic por servicio: cada paquete trae su carpeta `migraciones`; esto la ejecuta."""
import argparse
import os

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


def _propio(objeto, nombre, tipo, reflejado, comparado):
    """Autogenerate no toca las tablas comunes (outbox...): las crea crear_tablas_comunes."""
    tabla = objeto if tipo == "table" else getattr(objeto, "table", None)
    return not (tabla is not None and tabla.name in tablas.metadata.tables)


def ejecutar_env(target_metadata):
    """Cuerpo de env.py de cada servicio (solo modo en línea: siempre hay una base real)."""
    url = context.config.attributes.get("url") or os.environ["DB_URL"]
    motor = crear_motor(url)
    with motor.connect() as conexion:
        context.configure(connection=conexion, target_metadata=target_metadata,
                          render_as_batch=conexion.dialect.name == "sqlite", include_object=_propio)
        with context.begin_transaction():
            context.run_migrations()
    motor.dispose()


def main(argv=None):
    p = argparse.ArgumentParser(description="Aplica las migraciones de un servicio OMM")
    p.add_argument("paquete", help="casos, ayudas, capacitaciones, notificaciones, reportes o gateway")
    p.add_argument("--db-url", default=None)
    a = p.parse_args(argv)
    migrar(a.paquete, a.db_url or os.environ[f"{a.paquete.upper()}_DB_URL"])


if __name__ == "__main__":
    main()
