"""Init container de Kubernetes: espera a que la base de cada servicio esté en su última migración.

Migra solo el Job omm-migraciones; los Deployments arrancan a la vez y sin esta espera atenderían
contra tablas viejas o que aún no existen. Aquí solo se lee: dos pods migrando a la vez chocarían.
Uso: python deploy/k8s/esperar_migraciones.py casos [ayudas ...]   (cada URL en <SERVICIO>_DB_URL)
"""
import argparse
import os
import sys
import time

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from omm_common.db import crear_motor
from omm_common.migraciones import configuracion


def al_dia(servicio, url):
    ultimas = set(ScriptDirectory.from_config(configuracion(servicio, url)).get_heads())
    motor = crear_motor(url)
    try:
        with motor.connect() as conexion:
            return set(MigrationContext.configure(conexion).get_current_heads()) == ultimas
    finally:
        motor.dispose()


def main(argv=None):
    p = argparse.ArgumentParser(description="Espera a que las bases estén migradas")
    p.add_argument("servicios", nargs="+", metavar="servicio")
    p.add_argument("--segundos", type=float, default=600,
                   help="espera máxima; después sale con 1 y Kubernetes reintenta el contenedor")
    p.add_argument("--intervalo", type=float, default=3)
    a = p.parse_args(argv)
    urls = {s: os.environ.get(f"{s.upper()}_DB_URL") for s in a.servicios}
    if not all(urls.values()):
        sys.exit("faltan variables: " + ", ".join(f"{s.upper()}_DB_URL" for s, u in urls.items() if not u))
    limite = time.monotonic() + a.segundos
    pendientes = list(a.servicios)
    while True:
        for s in list(pendientes):
            try:
                if al_dia(s, urls[s]):
                    pendientes.remove(s)
                    print(f"{s}: base al día", flush=True)
            except Exception as exc:  # noqa: BLE001 - la base aún no acepta conexiones: se reintenta
                # Solo el tipo: el mensaje podría traer la URL de la base.
                print(f"{s}: la base no responde ({type(exc).__name__})", file=sys.stderr, flush=True)
        if not pendientes:
            return
        if time.monotonic() >= limite:
            sys.exit(f"sin migrar tras {a.segundos:.0f} s: {', '.join(pendientes)} (¿terminó el Job omm-migraciones?)")
        print(f"esperando las migraciones de: {', '.join(pendientes)}", flush=True)
        time.sleep(a.intervalo)


if __name__ == "__main__":
    main()
