"""La aplicación de Celery de notificaciones: broker, colas y calendario. El beat corre solo esto
(`celery -A notificaciones.calendario beat`): publica las tareas por su nombre y no necesita el envío, la base
ni nameko (unos 60 MiB menos que cargar notificaciones.tareas; bench/memoria.py). El worker carga
notificaciones.tareas, que define las tareas sobre esta misma aplicación."""
import logging
import os
import sys

from celery import Celery
from celery.signals import before_task_publish, beat_init, setup_logging
from kombu import Exchange, Queue

from omm_common import registro
from omm_common.broker import COLA_CELERY, COLA_URGENTES, opciones_ssl

app = Celery("notificaciones", broker=os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/"))
_INTERCAMBIO = Exchange(COLA_CELERY, type="topic")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    task_default_queue=COLA_CELERY,
    # Un intercambio propio y no el predeterminado (amq.default): publicar en ese deja poner un mensaje en
    # cualquier cola por su nombre, y el usuario del broker de Celery no debe poder (omm_common/broker.py).
    task_default_exchange=COLA_CELERY,
    # topic y no direct: con direct, Celery publica igual en amq.default (amqp.send_task_message).
    task_default_exchange_type="topic",
    task_default_routing_key=COLA_CELERY,
    # El worker consume las dos colas: lo urgente no espera detrás de una ráfaga de avisos comunes en la otra (un
    # worker aparte solo para urgentes: `-Q notificaciones.urgentes`, README «Avisos urgentes»).
    task_queues=(Queue(COLA_URGENTES, _INTERCAMBIO, routing_key=COLA_URGENTES),
                 Queue(COLA_CELERY, _INTERCAMBIO, routing_key=COLA_CELERY)),
    task_routes={"notificaciones.tareas.enviar_urgente": {"queue": COLA_URGENTES, "routing_key": COLA_URGENTES}},
    broker_connection_retry_on_startup=True,
    # TLS al broker (README, «Seguridad del broker»): amqps:// en AMQP_URI y AMQP_SSL con la CA, igual que nameko.
    broker_use_ssl=opciones_ssl() or False,
    worker_hijack_root_logger=False,
    beat_schedule={
        "despachar-atascadas": {"task": "notificaciones.tareas.despachar_atascadas", "schedule": 30.0},
        "escalar-urgentes": {"task": "notificaciones.tareas.escalar_urgentes", "schedule": 60.0},
        "recordar-sesiones": {"task": "notificaciones.tareas.recordar_sesiones", "schedule": 3600.0},
        "revisar-seguimientos": {"task": "notificaciones.tareas.revisar_seguimientos", "schedule": 3600.0},
    },
)


@setup_logging.connect
def _registro(loglevel=None, **_):
    # Con un receptor de esta señal Celery no toca el logging: el nuestro, en JSON, para worker y beat.
    registro.configurar("celery_beat" if "beat" in sys.argv[1:] else "celery_worker",
                        logging.getLevelName(loglevel) if isinstance(loglevel, int) else loglevel)


@before_task_publish.connect
def _con_solicitud(headers=None, **_):
    if headers is not None and registro.solicitud_actual():
        headers.setdefault(registro.CLAVE_CONTEXTO, registro.solicitud_actual())


@beat_init.connect
def _primer_despacho(sender=None, **_):
    # La primera vuelta al arrancar, no a los 30 s: es también el latido del beat que mira /health.
    app.send_task("notificaciones.tareas.despachar_atascadas")
