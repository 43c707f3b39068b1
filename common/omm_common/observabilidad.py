"""Lo que el gateway necesita de cada servicio para /health y /metrics, sin leer bases ajenas.

Cada servicio con outbox responde `estado_operativo` (solo a otro servicio): filas pendientes del outbox,
antigüedad de la más vieja y el último latido de los procesos que no tienen RPC propia y escriben en su
base (el relay de su outbox; en notificaciones, también el beat de Celery).
"""
import logging
import os
import socket
import time

import sqlalchemy as sa
from nameko.extensions import DependencyProvider
from nameko.timer import Timer
from sqlalchemy.exc import IntegrityError

from .contexto import ROL_SERVICIO
from .registro import CLAVE_CONTEXTO, fijar_solicitud, solicitud_actual, soltar_solicitud
from .rpc import rpc
from .tablas import latidos, outbox
from .tiempo import ahora_utc, como_utc

log_entradas = logging.getLogger("omm.registro")  # el nombre de siempre: quien filtra los logs no cambia

# Entradas que se llaman a cada rato para vigilar: su línea por llamada iría a DEBUG.
ENTRADAS_DE_VIGILANCIA = ("ping", "estado_operativo")


class ContextoDeRegistro(DependencyProvider):
    """Para cada worker de nameko: fija el id de solicitud que trajo el contexto y, al terminar,
    escribe una línea con la entrada, el resultado y la duración (nunca argumentos: pueden traer datos
    de personas)."""

    def __init__(self, registrar_entradas=True):
        self.registrar_entradas = registrar_entradas
        self._testigos = {}

    def worker_setup(self, worker_ctx):
        self._testigos[worker_ctx] = (fijar_solicitud(worker_ctx.data.get(CLAVE_CONTEXTO)), time.monotonic())

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        if not self.registrar_entradas or worker_ctx not in self._testigos:
            return
        duracion = time.monotonic() - self._testigos[worker_ctx][1]
        entrada = worker_ctx.entrypoint
        vigilancia = isinstance(entrada, Timer) or entrada.method_name in ENTRADAS_DE_VIGILANCIA
        resultado = "ok" if exc_info is None else exc_info[0].__name__
        log_entradas.log(logging.DEBUG if vigilancia else logging.INFO, "%s %s: %s en %.3f s",
                         type(entrada).__name__, entrada.method_name, resultado, duracion,
                         extra={"entrada": entrada.method_name, "resultado": resultado,
                                "duracion_s": round(duracion, 4)})

    def worker_teardown(self, worker_ctx):
        testigo, _ = self._testigos.pop(worker_ctx, (None, None))
        if testigo is not None:
            try:
                soltar_solicitud(testigo)
            except ValueError:  # otro contexto (no debería: setup y teardown corren en el mismo greenthread)
                pass

    def get_dependency(self, worker_ctx):
        return solicitud_actual



def instancia():
    """Quién late: varias instancias del mismo proceso (réplicas) no se pisan."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def latir(conexion, proceso, quien=None, ahora=None):
    """Anota que `proceso` está vivo ahora (UPDATE y, si no había fila, INSERT)."""
    quien, ahora = quien or instancia(), ahora or ahora_utc()
    clave = (latidos.c.proceso == proceso) & (latidos.c.instancia == quien)
    if conexion.execute(latidos.update().where(clave).values(instante=ahora)).rowcount:
        return
    try:
        with conexion.begin_nested():
            conexion.execute(latidos.insert().values(proceso=proceso, instancia=quien, instante=ahora))
    except IntegrityError:  # otra transacción la creó a la vez: ya late
        pass


def callar(conexion, proceso, quien=None):
    """Un proceso que se detiene por las buenas lo dice: /health lo ve al instante, no al vencer el plazo."""
    conexion.execute(latidos.delete().where((latidos.c.proceso == proceso)
                                            & (latidos.c.instancia == (quien or instancia()))))


def estado_de_la_base(conexion, ahora=None):
    """{pendientes, antiguedad_segundos, latidos: {proceso: segundos desde el último}}."""
    ahora = ahora or ahora_utc()
    pendientes, mas_vieja = conexion.execute(
        sa.select(sa.func.count(), sa.func.min(outbox.c.ocurrido_en)).where(outbox.c.publicado_en.is_(None))).one()
    ultimos = conexion.execute(sa.select(latidos.c.proceso, sa.func.max(latidos.c.instante))
                               .group_by(latidos.c.proceso)).all()
    return {
        "pendientes": pendientes,
        "antiguedad_segundos": max(0.0, (ahora - como_utc(mas_vieja)).total_seconds()) if mas_vieja else 0.0,
        "latidos": {p: max(0.0, (ahora - como_utc(i)).total_seconds()) for p, i in ultimos},
    }


class Observable:
    """Mezcla de cada servicio nameko con outbox (necesita `uow` y `llamante`): su estado para el gateway,
    y el id de solicitud en los logs de cada worker."""

    contexto_de_registro = ContextoDeRegistro()

    @rpc
    def estado_operativo(self, con_metricas=False):
        self.llamante.exigir(ROL_SERVICIO)
        with self.uow() as uow:
            estado = estado_de_la_base(uow.sesion)
            if con_metricas:
                estado["metricas"] = self.metricas_propias(uow)
        return estado

    def metricas_propias(self, uow):
        """Cifras propias del servicio para /metrics (sin datos personales); cada uno agrega las suyas."""
        return {}
