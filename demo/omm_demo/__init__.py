"""Datos de demostración del primer arranque (omm-demo): una mancomunidad con tres municipios, otra con uno,
una usuaria por rol y municipio, y un año de actividad cargado por la API HTTP.

No es parte del gateway: las usuarias las crea el gateway (gateway.demo, dueño de esa base); todo lo demás
entra por la API, con las mismas reglas que usa una persona.
"""
import argparse
import logging
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from gateway.demo import MANCOMUNIDADES, cargar_usuarias
from omm_common.db import crear_motor, unidad_de_trabajo

log = logging.getLogger("omm.demo")


class ClienteDemo:
    def __init__(self, base, contrasena):
        self.base = base.rstrip("/")
        self.contrasena = contrasena
        self.tokens = {}

    def como(self, usuario):
        if usuario not in self.tokens:
            r = requests.post(f"{self.base}/api/v1/auth/token",
                              json={"usuario": usuario, "contrasena": self.contrasena}, timeout=30)
            r.raise_for_status()
            self.tokens[usuario] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[usuario]}"}

    def post(self, usuario, ruta, datos, esperado=(201, 409)):
        r = requests.post(f"{self.base}{ruta}", json=datos, headers=self.como(usuario), timeout=30)
        if r.status_code not in esperado:
            raise RuntimeError(f"demo: {ruta} respondió {r.status_code}: {r.text[:300]}")
        return r.json()

    def put(self, usuario, ruta, datos):
        r = requests.put(f"{self.base}{ruta}", json=datos, headers=self.como(usuario), timeout=30)
        if r.status_code != 200:
            raise RuntimeError(f"demo: {ruta} respondió {r.status_code}: {r.text[:300]}")
        return r.json()


def cargar_por_api(cliente):
    """Primero contactos del CIS y catálogo de ayudas; luego un año de actividad y un caso reciente."""
    from . import anio, ayudas, casos, notificaciones

    def municipio(m):
        for modulo in (notificaciones, ayudas, anio, casos):
            modulo.cargar(cliente, m)
    # Un municipio por hilo: lo de cada uno es independiente y así la primera vez tarda menos.
    miembros = [m for _, ms in MANCOMUNIDADES.values() for m in ms]
    with ThreadPoolExecutor(len(miembros)) as hilos:
        list(hilos.map(municipio, miembros))


def esperar_gateway(base, segundos=120):
    limite = time.time() + segundos
    while time.time() < limite:
        try:
            if requests.get(f"{base}/health", timeout=5).json().get("estado") == "ok":
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(1)
    raise RuntimeError("el gateway no quedó sano a tiempo para cargar la demo")


def main(argv=None):
    p = argparse.ArgumentParser(description="Carga los datos de demostración (solo la primera vez)")
    p.add_argument("--gateway", default=os.environ.get("OMM_GATEWAY_URL", "http://127.0.0.1:8000"))
    p.add_argument("--db-url", default=os.environ.get("GATEWAY_DB_URL", "sqlite:///var/gateway.db"))
    p.add_argument("--solo-usuarias", action="store_true")
    a = p.parse_args(argv)
    logging.basicConfig(level="INFO", format="%(asctime)s %(levelname)s %(name)s %(message)s")
    contrasena = os.environ.get("OMM_DEMO_CONTRASENA")
    if not contrasena:
        sys.exit("Defina OMM_DEMO_CONTRASENA (la contraseña de las usuarias de demostración).")
    motor = crear_motor(a.db_url)
    with unidad_de_trabajo(motor) as uow:
        nuevas = cargar_usuarias(uow.sesion, contrasena)
    if not nuevas:
        log.info("demo: ya había usuarias; no se carga nada")
        return
    if a.solo_usuarias:
        return
    esperar_gateway(a.gateway)
    cargar_por_api(ClienteDemo(a.gateway, contrasena))
    log.info("demo: datos cargados")


if __name__ == "__main__":
    main()
