"""Métricas Prometheus y salud de cada clase de proceso, vistas desde el gateway.

Las métricas HTTP se cuentan en este proceso (etiquetas: plantilla de la ruta, método y estado; nunca la
ruta cruda ni la consulta). Lo demás se pregunta al momento de cada /metrics o /health, en paralelo y con
tiempo corto: cada servicio dice su outbox y los latidos de sus procesos (`estado_operativo`), RabbitMQ
el largo de las colas de Celery y el worker de Celery responde a un ping.
"""
import logging
import time

import eventlet
from amqp.exceptions import ChannelError
from celery import Celery
from eventlet.semaphore import Semaphore
from kombu import Connection
from nameko.extensions import DependencyProvider
from prometheus_client import REGISTRY, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import CollectorRegistry

from omm_common.broker import COLAS_CELERY

log = logging.getLogger("omm.gateway.observabilidad")

TIEMPO_BROKER = 2
TIEMPO_PING_CELERY = 1
# Un relay late cada 5 s y borra su latido al detenerse; beat corre despachar_atascadas cada 30 s.
MAX_LATIDO_RELAY = 30
MAX_LATIDO_BEAT = 120

METODOS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

disable_created_metrics()  # sin las series *_created: duplican cada serie y nadie las usa aquí

SOLICITUDES = Counter("omm_http_solicitudes", "Solicitudes HTTP atendidas por el gateway",
                      ["ruta", "metodo", "estado"])
DURACION = Histogram("omm_http_duracion_segundos", "Duración de las solicitudes HTTP en el gateway",
                     ["ruta", "metodo"], buckets=(.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))


def observar_http(ruta, metodo, estado, segundos):
    # El método lo escribe el cliente: fuera de la lista va como «otro» (etiquetas acotadas).
    metodo = metodo if metodo in METODOS else "otro"
    SOLICITUDES.labels(ruta, metodo, str(estado)).inc()
    DURACION.labels(ruta, metodo).observe(segundos)


class Vigia(DependencyProvider):
    """Lo que el gateway pregunta al broker: largo de la cola de Celery y ping al worker."""

    def setup(self):
        self.amqp_uri = self.container.config["AMQP_URI"]
        # TLS como el resto del gateway: AMQP_SSL de su config.yaml (README, «Seguridad del broker»).
        self.ssl = self.container.config.get("AMQP_SSL") or None
        self._celery = None
        self._ping = (0.0, False)
        self._candado = Semaphore()

    def get_dependency(self, worker_ctx):
        return self

    def cola(self):
        """{cola: (mensajes, consumidores)} de las colas de Celery (envíos y urgentes); None si no se pudo saber.
        Una cola que aún no existe (el worker la declara al arrancar) no aparece."""
        colas = {}
        try:
            with eventlet.Timeout(TIEMPO_BROKER):
                with Connection(self.amqp_uri, ssl=self.ssl, connect_timeout=TIEMPO_BROKER,
                                transport_options={"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                                                   "interval_max": 0.5}) as conexion:
                    for nombre in COLAS_CELERY:
                        canal = conexion.channel()  # si la cola no existe, el broker cierra el canal
                        try:
                            _, mensajes, consumidores = canal.queue_declare(nombre, passive=True)
                            colas[nombre] = (mensajes, consumidores)
                        except ChannelError:
                            log.warning("la cola %s no existe todavía", nombre)
                        finally:
                            try:
                                canal.close()
                            except Exception:  # noqa: BLE001 - ya cerrado por el broker
                                pass
            return colas or None
        except BaseException as exc:  # eventlet.Timeout no hereda de Exception
            log.warning("no se pudieron leer las colas de Celery (%s)", type(exc).__name__)
            return None

    def worker_responde(self):
        """¿Algún worker de Celery contesta el ping? De a uno y con el resultado de hace un segundo: los pings
        simultáneos de un proceso comparten la cola de respuesta y uno se quedaría sin la suya."""
        with self._candado:
            instante, vivo = self._ping
            if time.monotonic() - instante < 1:
                return vivo
            if self._celery is None:
                self._celery = Celery("gateway", broker=self.amqp_uri, set_as_current=False)
                self._celery.conf.update(broker_connection_timeout=TIEMPO_BROKER, broker_connection_max_retries=1,
                                         broker_use_ssl=self.ssl or False)
            try:
                with eventlet.Timeout(TIEMPO_PING_CELERY + TIEMPO_BROKER):
                    vivo = bool(self._celery.control.ping(timeout=TIEMPO_PING_CELERY, limit=1))
            except BaseException as exc:
                log.warning("ping al worker de Celery falló (%s)", type(exc).__name__)
                vivo = False
                # Tras una caída del broker la conexión guardada puede estar muerta: la próxima vez, otra.
                celery, self._celery = self._celery, None
                try:
                    celery.close()
                except Exception:
                    pass
            self._ping = (time.monotonic(), vivo)
            return vivo


def salud(estados, db_gateway, worker):
    """El dict `servicios` de /health a partir de lo que respondió cada servicio (None: no respondió)."""
    servicios = {nombre: "ok" if estado is not None else "caido" for nombre, estado in estados.items()}
    servicios["gateway"] = "ok" if db_gateway else "caido"
    # Solo los servicios con outbox tienen relay (reportes no emite eventos: no dice «pendientes»).
    respondieron = [e for e in estados.values() if e is not None and "pendientes" in e]
    if respondieron:
        relays_al_dia = all(e["latidos"].get("relay", float("inf")) <= MAX_LATIDO_RELAY for e in respondieron)
        servicios["relays"] = "ok" if relays_al_dia else "caido"
    else:
        servicios["relays"] = "desconocido"
    servicios["celery_worker"] = "ok" if worker else "caido"
    notificaciones = estados.get("notificaciones")
    if notificaciones is None:
        servicios["celery_beat"] = "desconocido"
    else:
        beat_al_dia = notificaciones["latidos"].get("beat", float("inf")) <= MAX_LATIDO_BEAT
        servicios["celery_beat"] = "ok" if beat_al_dia else "caido"
    return servicios


class _Instantanea:
    """Las cifras preguntadas en este /metrics, como colector de un registro de un solo uso."""

    def __init__(self, familias):
        self.familias = familias

    def collect(self):
        return self.familias


def exponer(estados, cola, servicios):
    """Texto Prometheus: las métricas HTTP de este proceso y las del momento."""
    arriba = GaugeMetricFamily("omm_salud", "1 si el componente está bien según /health", labels=["componente"])
    for nombre, valor in servicios.items():
        arriba.add_metric([nombre], 1 if valor == "ok" else 0)
    pendientes = GaugeMetricFamily("omm_outbox_pendientes", "Eventos del outbox sin publicar", labels=["servicio"])
    antiguedad = GaugeMetricFamily("omm_outbox_antiguedad_segundos", "Edad del evento sin publicar más viejo",
                                   labels=["servicio"])
    latidos = GaugeMetricFamily("omm_latido_antiguedad_segundos", "Segundos desde el último latido del proceso",
                                labels=["servicio", "proceso"])
    avisos = GaugeMetricFamily("omm_notificaciones", "Notificaciones por estado y canal", labels=["estado", "canal"])
    for servicio, estado in estados.items():
        if estado is None:
            continue
        if "pendientes" in estado:
            pendientes.add_metric([servicio], estado["pendientes"])
            antiguedad.add_metric([servicio], estado["antiguedad_segundos"])
        for proceso, segundos in estado["latidos"].items():
            latidos.add_metric([servicio, proceso], segundos)
        for fila in estado.get("metricas", {}).get("notificaciones", []):
            avisos.add_metric([fila["estado"], fila["canal"]], fila["n"])
    familias = [arriba, pendientes, antiguedad, latidos, avisos]
    if cola is not None:
        mensajes = GaugeMetricFamily("omm_celery_cola_mensajes", "Mensajes listos en la cola de Celery",
                                     labels=["cola"])
        consumidores = GaugeMetricFamily("omm_celery_cola_consumidores", "Consumidores de la cola de Celery",
                                         labels=["cola"])
        for nombre, (listos, consumiendo) in cola.items():
            mensajes.add_metric([nombre], listos)
            consumidores.add_metric([nombre], consumiendo)
        familias += [mensajes, consumidores]
    del_momento = CollectorRegistry()
    del_momento.register(_Instantanea(familias))
    return generate_latest(REGISTRY) + generate_latest(del_momento)
