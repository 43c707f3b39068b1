"""Motor, sesión y unidad de trabajo de SQLAlchemy 2 para nameko (nameko-sqlalchemy no soporta SA 2)."""
import logging
import os
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa
from nameko.extensions import DependencyProvider
from sqlalchemy.orm import sessionmaker

from .eventos import Evento, ahora_utc, crear_sobre
from .registro import solicitud_actual
from .tablas import eventos_aplicados, outbox

log = logging.getLogger(__name__)


def _eventlet_activo():
    try:
        from eventlet import patcher
    except ImportError:
        return False
    return patcher.is_monkey_patched("socket")


def _sqlite_privada(ruta):
    """La base SQLite (nombres, casos cifrados, bandeja) solo la lee el usuario del proceso: 0600, y su carpeta
    0700 si la crea este proceso. SQLite da a su -wal y -shm los permisos de la base."""
    carpeta = os.path.dirname(os.path.abspath(ruta))
    if not os.path.isdir(carpeta):
        os.makedirs(carpeta, mode=0o700, exist_ok=True)
    try:
        os.close(os.open(ruta, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # vacía: SQLite la toma como nueva
    except FileExistsError:
        pass
    for archivo in (ruta, f"{ruta}-wal", f"{ruta}-shm", f"{ruta}-journal"):
        try:
            if os.stat(archivo).st_mode & 0o077:
                os.chmod(archivo, 0o600)  # la que dejó una versión anterior con 0644
        except FileNotFoundError:
            pass


def crear_motor(url, **kwargs):
    if url.startswith("sqlite"):
        ruta = sa.engine.make_url(url).database
        if ruta and ruta != ":memory:" and not ruta.startswith("file:"):
            _sqlite_privada(ruta)
        motor = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @sa.event.listens_for(motor, "connect")
        def _pragmas(conexion, _):
            cursor = conexion.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @sa.event.listens_for(motor, "begin")
        def _begin_inmediato(conexion):
            # Escrituras serializadas: sin esto dos transacciones SQLite chocan al escribir.
            conexion.exec_driver_sql("BEGIN IMMEDIATE")

        sa.event.listen(motor, "connect", lambda c, _: setattr(c, "isolation_level", None))
        return motor
    if _eventlet_activo():
        # psycopg2 bloquea el hub de eventlet si no se le enseña a ceder.
        from psycogreen.eventlet import patch_psycopg
        patch_psycopg()
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return sa.create_engine(url, **kwargs)


def paginar(sesion, consulta, filtros, volcar):
    """Página del contrato: {items, total, pagina, por_pagina} (filtros ya validados por Paginacion)."""
    pagina, por_pagina = filtros["pagina"], filtros["por_pagina"]
    total = sesion.scalar(sa.select(sa.func.count()).select_from(consulta.order_by(None).subquery()))
    filas = sesion.scalars(consulta.limit(por_pagina).offset((pagina - 1) * por_pagina)).all()
    return {"items": [volcar(x) for x in filas], "total": total, "pagina": pagina, "por_pagina": por_pagina}


def es_postgres(motor_o_sesion):
    bind = getattr(motor_o_sesion, "bind", motor_o_sesion)
    return bind.dialect.name == "postgresql"


CANAL_OUTBOX = "omm_outbox"  # LISTEN/NOTIFY: el relay despierta con el commit, no espera su próxima vuelta


class UnidadDeTrabajo:
    """Una transacción: los cambios del dominio y los eventos al outbox se confirman juntos."""

    def __init__(self, fabrica):
        self._fabrica = fabrica
        self.sesion = None
        self.eventos = []

    def __enter__(self):
        self.sesion = self._fabrica()
        self.eventos = []
        return self

    def emitir(self, evento, municipio):
        """Guarda `evento` (una clase del contrato de su servicio) para el outbox de esta transacción."""
        if not isinstance(evento, Evento):
            # Un diccionario armado a mano puede llevar de más (un nombre, un DNI): solo eventos del contrato.
            raise TypeError(f"emitir() espera un evento del contrato (omm_common.eventos.Evento), "
                            f"no {type(evento).__name__}.")
        # El id de la solicitud en curso (worker de nameko o tarea de Celery) sigue al evento.
        sobre = crear_sobre(evento.tipo_evento, municipio, evento.datos(), evento.version,
                            solicitud=solicitud_actual())
        self.eventos.append(sobre)
        return sobre

    def ya_aplicado(self, evento_id):
        return self.sesion.execute(
            sa.select(eventos_aplicados.c.evento_id).where(eventos_aplicados.c.evento_id == evento_id)
        ).first() is not None

    def marcar_aplicado(self, sobre):
        self.sesion.execute(eventos_aplicados.insert().values(
            evento_id=sobre["id"], tipo=sobre["tipo"], aplicado_en=ahora_utc()))

    def confirmar(self):
        if self.eventos:
            self.sesion.execute(outbox.insert(), [
                {**{k: e[k] for k in ("id", "tipo", "municipio", "version", "datos")},
                 "ocurrido_en": datetime.fromisoformat(e["ocurrido_en"]), "intentos": 0,
                 "solicitud": e.get("solicitud")}
                for e in self.eventos
            ])
            if es_postgres(self.sesion):
                # Despierta al relay al confirmar (PostgreSQL entrega el NOTIFY con el COMMIT, no antes).
                self.sesion.execute(sa.text(f"NOTIFY {CANAL_OUTBOX}"))
            self.eventos = []
        self.sesion.commit()

    def __exit__(self, tipo_exc, exc, tb):
        try:
            if tipo_exc is None:
                self.confirmar()
            else:
                self.sesion.rollback()
        finally:
            self.sesion.close()
        return False


class BaseDeDatos(DependencyProvider):
    """Da a cada worker una fábrica de unidades de trabajo sobre la base de su servicio."""

    def __init__(self, clave_config="DB_URL"):
        self.clave_config = clave_config
        self.motor = None
        self.fabrica = None

    def setup(self):
        self.motor = crear_motor(self.container.config[self.clave_config])
        self.fabrica = sessionmaker(self.motor, expire_on_commit=False)

    def stop(self):
        if self.motor is not None:
            self.motor.dispose()

    def get_dependency(self, worker_ctx):
        return FabricaUoW(self.fabrica)


def choque_de_unicidad(exc):
    """¿Una IntegrityError por una restricción única (otra solicitud guardó lo mismo antes)? Las demás son errores."""
    origen = getattr(exc, "orig", None)
    return getattr(origen, "pgcode", None) == "23505" or "UNIQUE constraint failed" in str(origen)


class FabricaUoW:
    def __init__(self, fabrica):
        self._fabrica = fabrica

    def __call__(self):
        return UnidadDeTrabajo(self._fabrica)

    def repetible(self, funcion, *args):
        """Corre `funcion(uow, *args)`; si choca con una restricción única (otra solicitud igual ganó la
        carrera, p. ej. la misma Idempotency-Key), la corre una vez más y responde lo que ya quedó guardado."""
        from sqlalchemy.exc import IntegrityError
        try:
            with self() as uow:
                return funcion(uow, *args)
        except IntegrityError:
            with self() as uow:
                return funcion(uow, *args)

    def ping(self):
        with self() as uow:
            uow.sesion.execute(sa.text("SELECT 1"))
        return "ok"


@contextmanager
def unidad_de_trabajo(motor):
    """Fuera de nameko (Celery, scripts de demo): la misma unidad de trabajo."""
    with UnidadDeTrabajo(sessionmaker(motor, expire_on_commit=False)) as uow:
        yield uow
