"""Declara las colas durables de los manejadores de eventos de un servicio antes de arrancar nada.

Un evento publicado cuando ninguna cola está ligada a su intercambio se pierde; por eso
el comando de arranque y las pruebas declaran las colas primero (mismos nombres que nameko).
"""
import argparse
import importlib
import inspect
import os

from kombu import Connection, Queue
from nameko.events import BROADCAST, SERVICE_POOL, SINGLETON, EventHandler
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.standalone.events import get_event_exchange

from .broker import opciones_ssl


def colas_de(clase_servicio):
    colas = []
    for nombre_metodo, metodo in inspect.getmembers(clase_servicio, callable):
        for ext in getattr(metodo, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if not isinstance(ext, EventHandler) or ext.handler_type is BROADCAST:
                continue
            origen, tipo = ext.source_service, ext.event_type
            if ext.handler_type is SERVICE_POOL:
                nombre = f"evt-{origen}-{tipo}--{clase_servicio.name}.{nombre_metodo}"
            elif ext.handler_type is SINGLETON:
                nombre = f"evt-{origen}-{tipo}"
            colas.append(Queue(nombre, exchange=get_event_exchange(origen, {}), routing_key=tipo,
                               durable=True, auto_delete=False))
    return colas


def declarar(clase_servicio, amqp_uri):
    colas = colas_de(clase_servicio)
    with Connection(amqp_uri, ssl=opciones_ssl()) as conexion:
        canal = conexion.channel()
        for cola in colas:
            cola.bind(canal).declare()
    return [c.name for c in colas]


def main(argv=None):
    p = argparse.ArgumentParser(description="Declara las colas de eventos de servicios nameko")
    p.add_argument("servicios", nargs="+", help="modulo:Clase")
    p.add_argument("--amqp-uri", default=None,
                   help="por omisión AMQP_URI_<SERVICIO> (el usuario del broker de cada servicio) o AMQP_URI")
    a = p.parse_args(argv)
    for ref in a.servicios:
        modulo, clase = ref.split(":")
        clase_servicio = getattr(importlib.import_module(modulo), clase)
        uri = a.amqp_uri or os.environ.get(f"AMQP_URI_{clase_servicio.name.upper()}") or os.environ["AMQP_URI"]
        nombres = declarar(clase_servicio, uri)
        print(f"{ref}: {len(nombres)} colas declaradas")


if __name__ == "__main__":
    main()
