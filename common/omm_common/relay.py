"""Relay del outbox: publica los eventos pendientes con confirmación del broker y los marca publicados.

Proceso aparte, sin eventlet. Si RabbitMQ no responde, las filas quedan pendientes y se
reintentan: un evento confirmado a la usuaria nunca se pierde. Con PostgreSQL varias
instancias pueden correr a la vez (FOR UPDATE SKIP LOCKED).

Un solo proceso puede llevar los relays de varios servicios (`omm-relay casos ayudas ...`): cada
uno en su hilo, con su motor y su conexión, así la memoria de un intérprete se paga una vez y la
base o el broker caídos de uno no frenan a los demás.

Con PostgreSQL cada hilo escucha (LISTEN) el NOTIFY que la unidad de trabajo manda al confirmar eventos:
publica apenas se confirman, y solo vuelve a mirar por su cuenta cada ESPERA_CON_AVISO segundos (un aviso
perdido, una conexión caída). Con SQLite, que no tiene avisos, mira cada `intervalo`.

Cada hilo anota su latido en la base de su servicio tras cada vuelta que funcionó (así /health del gateway
sabe si el relay publica) y lo borra al detenerse por las buenas. Una línea de log por evento publicado,
con el id de la solicitud que lo originó.
"""
import argparse
import logging
import os
import select
import signal
import threading
import time

import sqlalchemy as sa
from nameko.amqp.publish import Publisher
from nameko.constants import HEADER_PREFIX
from nameko.standalone.events import get_event_exchange

from . import registro
from .db import CANAL_OUTBOX, crear_motor, es_postgres
from .eventos import ahora_utc, firmar_sobre, iso_utc
from .observabilidad import callar, latir
from .broker import opciones_ssl
from .tablas import outbox

log = logging.getLogger("omm.relay")

LOTE = 200
ESPERA_CON_AVISO = 2.0  # con LISTEN/NOTIFY, mirar de todos modos cada tanto
LATIDO = 5  # segundos entre latidos; el gateway da al relay por caído pasados varios sin latir
PROCESO = "relay"


class Relay:
    def __init__(self, servicio, motor, amqp_uri, intervalo=0.2):
        self.servicio = servicio
        self.motor = motor
        self.intervalo = intervalo
        self.intercambio = get_event_exchange(servicio, {})
        # Reintentos cortos: si el broker no está, mejor soltar la transacción y volver luego.
        # TLS: amqps:// en la URI y AMQP_SSL (certificados), como los procesos nameko (README, «Seguridad del broker»).
        self.publicador = Publisher(
            amqp_uri, use_confirms=True, retry=True, ssl=opciones_ssl(),
            retry_policy={"max_retries": 1, "interval_start": 0.5, "interval_step": 0.5},
            transport_options={"max_retries": 1, "interval_start": 0.5, "interval_step": 0.5,
                               "interval_max": 1, "confirm_timeout": 10},
        )
        self._parada = threading.Event()
        self._ultimo_latido = 0.0
        self._escucha = None
        self._despertador = os.pipe()

    @property
    def activo(self):
        return not self._parada.is_set()

    def parar(self):
        """Termina tras el lote en curso; corta también la espera entre lotes o reintentos."""
        self._parada.set()
        os.write(self._despertador[1], b"x")  # corta también la espera del LISTEN

    def publicar_pendientes(self):
        """Publica un lote; devuelve cuántos publicó. Lanza si el broker falla (el lote sigue pendiente)."""
        consulta = (
            sa.select(outbox).where(outbox.c.publicado_en.is_(None))
            .order_by(outbox.c.ocurrido_en, outbox.c.id).limit(LOTE)
        )
        if es_postgres(self.motor):
            consulta = consulta.with_for_update(skip_locked=True)
        error = None
        with self.motor.begin() as conexion:
            filas = conexion.execute(consulta).mappings().all()
            publicados = []
            for fila in filas:
                sobre = {
                    "id": fila["id"], "tipo": fila["tipo"], "municipio": fila["municipio"],
                    "ocurrido_en": iso_utc(fila["ocurrido_en"]), "version": fila["version"],
                    "datos": fila["datos"],
                }
                cabeceras = {}
                if fila["solicitud"]:
                    sobre["solicitud"] = fila["solicitud"]
                    # También como dato de contexto de nameko: el worker que lo consume lo trae en sus logs.
                    cabeceras[f"{HEADER_PREFIX}.{registro.CLAVE_CONTEXTO}"] = fila["solicitud"]
                try:
                    self.publicador.publish(
                        firmar_sobre(sobre, self.servicio), exchange=self.intercambio, routing_key=fila["tipo"], headers=cabeceras,
                        message_id=fila["id"], declare=[self.intercambio],
                    )
                except Exception as exc:
                    error = exc
                    break
                publicados.append(fila["id"])
                with registro.en_solicitud(fila["solicitud"]):
                    log.info("relay %s: evento %s %s publicado", self.servicio, fila["tipo"], fila["id"],
                             extra={"evento": fila["id"], "tipo": fila["tipo"]})
            if publicados:
                conexion.execute(
                    outbox.update().where(outbox.c.id.in_(publicados)).values(publicado_en=ahora_utc()))
        if error is not None:
            raise error
        return len(publicados)

    def latir(self):
        """Anota el latido si pasó LATIDO desde el anterior (una escritura cada tanto, no por vuelta)."""
        if time.monotonic() - self._ultimo_latido >= LATIDO:
            with self.motor.begin() as conexion:
                latir(conexion, PROCESO)
            self._ultimo_latido = time.monotonic()

    def callar(self):
        try:
            with self.motor.begin() as conexion:
                callar(conexion, PROCESO)
        except Exception as exc:  # la base caída: el latido vence solo
            log.warning("relay %s: no se pudo borrar el latido (%s)", self.servicio, type(exc).__name__)

    def escuchar(self):
        """LISTEN en una conexión propia (PostgreSQL); None si no se puede: entonces se mira cada `intervalo`."""
        if self._escucha is not None or not es_postgres(self.motor):
            return self._escucha
        try:
            conexion = self.motor.raw_connection()
            conexion.driver_connection.autocommit = True
            with conexion.driver_connection.cursor() as cursor:
                cursor.execute(f"LISTEN {CANAL_OUTBOX}")
            self._escucha = conexion
        except Exception as exc:  # la base caída: se reintenta en la próxima vuelta
            log.warning("relay %s: sin LISTEN (%s); se mira cada %.1f s", self.servicio, type(exc).__name__,
                        self.intervalo)
        return self._escucha

    def esperar(self):
        """Hasta un aviso de commit, la parada o ESPERA_CON_AVISO; sin avisos, `intervalo`."""
        escucha = self.escuchar()
        if escucha is None:
            self._parada.wait(self.intervalo)
            return
        try:
            driver = escucha.driver_connection
            if not driver.notifies and self.activo:
                select.select([driver, self._despertador[0]], [], [], ESPERA_CON_AVISO)
            driver.poll()
            driver.notifies.clear()
        except Exception as exc:  # conexión caída: se abre otra en la próxima vuelta
            log.warning("relay %s: se perdió el LISTEN (%s)", self.servicio, type(exc).__name__)
            self._soltar_escucha()
            self._parada.wait(self.intervalo)

    def _soltar_escucha(self):
        if self._escucha is not None:
            try:
                self._escucha.invalidate()
            except Exception:  # noqa: BLE001 - ya estaba rota
                pass
            self._escucha = None

    def correr(self):
        espera_error = 1.0
        while self.activo:
            try:
                n = self.publicar_pendientes()
                self.latir()
                espera_error = 1.0
                if n < LOTE:
                    self.esperar()
            except Exception as exc:  # broker o base caídos: esperar y reintentar
                log.warning("relay %s: no se pudo publicar (%s); reintento en %.0f s",
                            self.servicio, type(exc).__name__, espera_error)
                self._parada.wait(espera_error)
                espera_error = min(espera_error * 2, 15)
        self._soltar_escucha()
        self.callar()


def main(argv=None):
    p = argparse.ArgumentParser(description="Relay del outbox de uno o varios servicios OMM")
    p.add_argument("servicios", nargs="+", metavar="servicio")
    p.add_argument("--db-url", default=None, help="solo con un servicio; si no, <SERVICIO>_DB_URL")
    p.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/"))
    p.add_argument("--intervalo", type=float, default=0.2)
    a = p.parse_args(argv)
    if a.db_url and len(a.servicios) > 1:
        p.error("--db-url va con un solo servicio; para varios, <SERVICIO>_DB_URL de cada uno")
    registro.configurar("relays")
    relays = [Relay(s, crear_motor(a.db_url or os.environ[f"{s.upper()}_DB_URL"], pool_size=2), a.amqp_uri,
                    a.intervalo) for s in a.servicios]

    def parar(*_):
        for relay in relays:
            relay.parar()
    signal.signal(signal.SIGTERM, parar)
    signal.signal(signal.SIGINT, parar)

    def hilo(relay):
        h = threading.Thread(target=relay.correr, name=f"relay-{relay.servicio}", daemon=True)
        h.start()
        log.info("relay %s en marcha", relay.servicio)
        return h
    hilos = {relay.servicio: hilo(relay) for relay in relays}
    # correr() ya reintenta cualquier error; si aun así un hilo termina sin que se lo pidieran,
    # se dice y se relanza, sin tocar a los demás.
    while any(relay.activo for relay in relays):
        for relay in relays:
            if relay.activo and not hilos[relay.servicio].is_alive():
                log.error("el relay %s terminó sin que se le pidiera; se relanza", relay.servicio)
                hilos[relay.servicio] = hilo(relay)
        time.sleep(0.5)
    for h in hilos.values():
        h.join(30)


if __name__ == "__main__":
    main()
