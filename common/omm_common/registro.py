"""Logs de todo proceso OMM: una línea JSON por registro, con el id de solicitud y el proceso.

El id de solicitud (X-Request-Id) viaja en el contexto RPC de nameko (`omm_solicitud`), en el sobre de
cada evento y en una cabecera de las tareas de Celery; aquí vive en una ContextVar. Con eventlet cada
greenthread tiene su propio contexto (empieza vacío), así que un worker de nameko no ve el de otro.

Sin nameko ni eventlet: lo importa también el beat de Celery, que no los usa (ContextoDeRegistro, el de
cada worker de nameko, está en observabilidad.py). Nunca van al log datos personales: quien registra pasa
ids, tipos y categorías, no nombres ni DNI.
"""
import contextvars
import logging
import logging.config
import os
import re
from contextlib import contextmanager
from datetime import datetime, timezone

from pythonjsonlogger.json import JsonFormatter

CLAVE_CONTEXTO = "omm_solicitud"

_solicitud = contextvars.ContextVar("omm_solicitud", default=None)
# Lo que el gateway acepta como X-Request-Id; lo que llegue de otro lado (contexto RPC, sobre) y no lo cumpla
# no entra a los logs.
ID_VALIDO = re.compile(r"^[A-Za-z0-9._-]{8,64}$")



def solicitud_actual():
    return _solicitud.get()


def fijar_solicitud(valor):
    """Fija el id de solicitud del contexto actual; devuelve el testigo para `soltar_solicitud`."""
    return _solicitud.set(valor if isinstance(valor, str) and ID_VALIDO.match(valor) else None)


def soltar_solicitud(testigo):
    _solicitud.reset(testigo)


@contextmanager
def en_solicitud(valor):
    testigo = fijar_solicitud(valor)
    try:
        yield
    finally:
        soltar_solicitud(testigo)


class Contexto(logging.Filter):
    """Agrega a cada registro `solicitud` (o null) y `servicio` (el proceso que escribe)."""

    def __init__(self, servicio=None, name=""):
        super().__init__(name)
        self.servicio = servicio or os.environ.get("OMM_SERVICIO", "omm")

    def filter(self, record):
        record.solicitud = _solicitud.get()
        record.servicio = self.servicio
        return True


class SinErroresDelContrato(logging.Filter):
    """nameko registra con su traza cada excepción de un worker; un error del contrato (400-499: validación,
    no encontrado, prohibido, conflicto) es una respuesta normal, ya va en la línea de la entrada, y su
    detalle repite datos de la solicitud. Los 5xx y lo inesperado se siguen registrando completos."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        return not (record.name == "nameko.containers" and getattr(error, "estado_http", 500) < 500)


class FormatoJSON(JsonFormatter):
    """Campos fijos en español; lo que llegue en `extra=` se agrega tal cual."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "nivel", "name": "logger", "message": "mensaje",
                                            "exc_info": "traza", "stack_info": "pila"})
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__("{levelname}{name}{message}", style="{", **kwargs)

    def add_fields(self, log_data, record, message_dict):
        # El instante primero y en UTC con zona, como el resto del sistema.
        log_data["instante"] = datetime.fromtimestamp(record.created, timezone.utc).isoformat(
            timespec="milliseconds")
        super().add_fields(log_data, record, message_dict)


def configuracion(servicio, nivel=None, filtros_extra=None):
    """El dictConfig que usan el relay y Celery; los config.yaml de nameko dicen lo mismo en YAML."""
    filtros = {"contexto": {"()": Contexto, "servicio": servicio},
               "sin_errores_del_contrato": {"()": SinErroresDelContrato}}
    filtros.update(filtros_extra or {})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": FormatoJSON}},
        "filters": filtros,
        "handlers": {"consola": {"class": "logging.StreamHandler", "formatter": "json",
                                 "filters": list(filtros)}},
        "root": {"level": nivel or os.environ.get("LOG_LEVEL", "INFO"), "handlers": ["consola"]},
    }


def configurar(servicio, nivel=None):
    logging.config.dictConfig(configuracion(servicio, nivel))
    logging.captureWarnings(True)
