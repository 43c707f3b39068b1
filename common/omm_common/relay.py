"""Relay del outbox: publica los eventos pendientes con confirmación del broker y los marca publicados.

Proceso aparte, sin eventlet. Si RabbitMQ no responde, las filas quedan pendientes y se
reintentan: un evento confirmado a la usuaria nunca se pierde. Con PostgreSQL varias
instancias pueden correr a la vez (FOR UPDATE SKIP LOCKED).
"""
import argparse
import logging
import os
import signal
import time

import sqlalchemy as sa
from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange

from .db import crear_motor, es_postgres
from .eventos import ahora_utc, iso_utc
from .tablas import outbox

log = logging.getLogger("omm.relay")

LOTE = 200


class Relay:
    def __init__(self, servicio, motor, amqp_uri, intervalo=0.2):
        self.servicio = servicio
        self.motor = motor
        self.intervalo = intervalo
        self.intercambio = get_event_exchange(servicio, {})
        # Reintentos cortos: si el broker no está, mejor soltar la transacción y volver luego.
        self.publicador = Publisher(
            amqp_uri, use_confirms=True, retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0.5, "interval_step": 0.5},
            transport_options={"max_retries": 1, "interval_start": 0.5, "interval_step": 0.5,
                               "interval_max": 1, "confirm_timeout": 10},
        )
        self.activo = True

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
                try:
                    self.publicador.publish(
                        {
                            "id": fila["id"], "tipo": fila["tipo"], "municipio": fila["municipio"],
                            "ocurrido_en": iso_utc(fila["ocurrido_en"]), "version": fila["version"],
                            "datos": fila["datos"],
                        },
                        exchange=self.intercambio, routing_key=fila["tipo"],
                        message_id=fila["id"], declare=[self.intercambio],
                    )
                except Exception as exc:
                    error = exc
                    break
                publicados.append(fila["id"])
            if publicados:
                conexion.execute(
                    outbox.update().where(outbox.c.id.in_(publicados)).values(publicado_en=ahora_utc()))
        if error is not None:
            raise error
        return len(publicados)

    def correr(self):
        espera_error = 1.0
        while self.activo:
            try:
                n = self.publicar_pendientes()
                espera_error = 1.0
                if n < LOTE:
                    time.sleep(self.intervalo)
            except Exception as exc:  # broker o base caídos: esperar y reintentar
                log.warning("relay %s: no se pudo publicar (%s); reintento en %.0f s",
                            self.servicio, type(exc).__name__, espera_error)
                time.sleep(espera_error)
                espera_error = min(espera_error * 2, 15)


def main(argv=None):
    p = argparse.ArgumentParser(description="Relay del outbox de un servicio OMM")
    p.add_argument("servicio")
    p.add_argument("--db-url", default=None)
    p.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/"))
    p.add_argument("--intervalo", type=float, default=0.2)
    a = p.parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    db_url = a.db_url or os.environ[f"{a.servicio.upper()}_DB_URL"]
    relay = Relay(a.servicio, crear_motor(db_url, pool_size=2), a.amqp_uri, a.intervalo)

    def parar(*_):
        relay.activo = False
    signal.signal(signal.SIGTERM, parar)
    signal.signal(signal.SIGINT, parar)
    log.info("relay %s en marcha", a.servicio)
    relay.correr()


if __name__ == "__main__":
    main()
