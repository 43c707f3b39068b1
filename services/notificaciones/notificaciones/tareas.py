"""Las tareas del worker de Celery (la aplicación y el calendario del beat: calendario.py): la entrega sale del
proceso nameko (parcheado por eventlet) y corre aquí.

Las tareas reciben solo el id de la notificación, nunca datos personales. `acks_late` con
`reject_on_worker_lost`: si el worker muere a mitad de una tarea, otra la retoma, y el bloqueo
de la fila más su estado evitan el doble envío.

El id de la solicitud que originó una tarea viaja en la cabecera `omm_solicitud` (se agrega sola al
encolar dentro de una solicitud) y está en cada línea de log de esa tarea. Logs en JSON (omm_common/registro.py).
"""
import logging
import os
from datetime import datetime, timedelta

from celery.signals import task_postrun, task_prerun, worker_process_init

from omm_common import registro
from omm_common.db import crear_motor
from omm_common.observabilidad import latir
from omm_common.tiempo import ahora_utc, hoy_honduras

from . import envio
from .calendario import app

log = logging.getLogger("omm.notificaciones.tareas")

_motor = {}


def motor():
    """Un motor por proceso: el pool de conexiones no debe cruzar un fork del worker."""
    pid = os.getpid()
    if pid not in _motor:
        _motor.clear()
        _motor[pid] = crear_motor(os.environ.get("NOTIFICACIONES_DB_URL", "sqlite:///var/notificaciones.db"))
    return _motor[pid]


@worker_process_init.connect
def _nuevo_proceso(**_):
    _motor.clear()


_testigos = {}


@task_prerun.connect
def _fijar_solicitud(task_id=None, task=None, **_):
    _testigos[task_id] = registro.fijar_solicitud(task.request.get(registro.CLAVE_CONTEXTO))


@task_postrun.connect
def _soltar_solicitud(task_id=None, **_):
    testigo = _testigos.pop(task_id, None)
    if testigo is not None:
        registro.soltar_solicitud(testigo)


def despachar(ids, urgentes=(), **opciones):
    """Encola el envío de cada notificación; las de `urgentes`, por la cola de urgentes."""
    for i in ids:
        (enviar_urgente if i in urgentes else enviar).apply_async(args=[i], **opciones)


def _enviar(tarea, notificacion_id):
    resultado = envio.enviar_notificacion(motor(), notificacion_id)
    if resultado.estado == "pendiente" and resultado.reintentar_en is not None:
        tarea.apply_async(args=[notificacion_id], countdown=resultado.reintentar_en)
    return resultado.estado


@app.task(name="notificaciones.tareas.enviar")
def enviar(notificacion_id):
    return _enviar(enviar, notificacion_id)


@app.task(name="notificaciones.tareas.enviar_urgente")
def enviar_urgente(notificacion_id):
    # La misma entrega, por la cola notificaciones.urgentes (calendario.task_routes); sus reintentos también.
    return _enviar(enviar_urgente, notificacion_id)


@app.task(name="notificaciones.tareas.despachar_atascadas")
def despachar_atascadas():
    # Solo beat la programa (cada 30 s): su última corrida es el latido del beat para /health.
    with motor().begin() as conexion:
        latir(conexion, "beat", quien="calendario")
    urgentes = set()
    ids = envio.atascadas(motor(), urgentes=urgentes)
    despachar(ids, urgentes)
    return len(ids)


def _instante(ahora):
    """Las tareas del calendario aceptan el instante «de ahora» en ISO: quien opera puede repasar un
    momento pasado (y las pruebas, el reloj de las 23:30 en Honduras) por la misma tarea que corre beat."""
    return datetime.fromisoformat(ahora) if ahora else ahora_utc()


@app.task(name="notificaciones.tareas.escalar_urgentes")
def escalar_urgentes(ahora=None):
    ids = envio.escalar_urgentes(motor(), _instante(ahora))
    despachar(ids, urgentes=set(ids))
    return len(ids)


@app.task(name="notificaciones.tareas.recordar_sesiones")
def recordar_sesiones(ahora=None):
    manana = hoy_honduras(_instante(ahora)) + timedelta(days=1)
    ids = envio.crear_recordatorios(motor(), envio.Consultas().sesiones_de_manana(manana))
    despachar(ids)
    return len(ids)


@app.task(name="notificaciones.tareas.revisar_seguimientos")
def revisar_seguimientos(ahora=None):
    return envio.Consultas().revisar_seguimientos(hoy_honduras(_instante(ahora)))
