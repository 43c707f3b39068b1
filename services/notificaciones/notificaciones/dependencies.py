"""Encolar envíos en Celery desde nameko, después del commit de las filas."""
import logging

from nameko.extensions import DependencyProvider

log = logging.getLogger("omm.notificaciones")


class Despacho(DependencyProvider):
    def get_dependency(self, worker_ctx):
        def despachar(ids, urgentes=()):
            from . import tareas
            try:
                tareas.despachar(ids, urgentes)
            except Exception as exc:
                # Las filas ya están guardadas como pendientes: la tarea periódica las encola luego.
                log.warning("no se pudieron encolar %s notificaciones (%s); quedan pendientes",
                            len(ids), type(exc).__name__)
        return despachar
