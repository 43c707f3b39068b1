"""Importa N beneficiarias desde un .xlsx por el gateway real y el servicio de ayudas real.

    .venv/bin/python bench/importacion.py [--n 100000]

Imprime el tiempo de generar el archivo, el de la importación (HTTP -> RPC -> PostgreSQL) y filas por
segundo. Objetivo (issue 4): 100 000 filas en menos de 60 s. No afirma nada.
"""
import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from openpyxl import Workbook  # noqa: E402

from omm_common.migraciones import migrar  # noqa: E402
from omm_pruebas import (  # noqa: E402
    _fabrica_bases, _fabrica_servicios, esperar, preparar_gateway, puerto_libre, vhost_propio, ClienteHTTP,
)


def libro(n):
    wb = Workbook(write_only=True)
    hoja = wb.create_sheet("Beneficiarias")
    hoja.append(["Nombres", "Apellidos", "DNI", "Fecha de nacimiento", "Teléfono", "Comunidad", "Condiciones"])
    for i in range(n):
        hoja.append([f"Nombre{i}", f"Apellido{i % 977}", f"0309-19{40 + i % 60:02d}-{i % 100000:05d}",
                     f"19{40 + i % 60:02d}-0{1 + i % 9}-1{i % 9}", "9999-0000", f"Comunidad {i % 40}",
                     "bajos_recursos"])
    salida = io.BytesIO()
    wb.save(salida)
    return salida.getvalue()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=100_000)
    a = p.parse_args()
    t0 = time.perf_counter()
    contenido = libro(a.n)
    print(f"archivo: {a.n} filas, {len(contenido) / 1e6:.1f} MB, generado en {time.perf_counter() - t0:.1f} s")
    import requests
    with vhost_propio("omm_bench") as amqp, _fabrica_bases() as base_pg, tempfile.TemporaryDirectory() as carpeta:
        with _fabrica_servicios(amqp, Path(carpeta)) as arrancar:
            url = base_pg("ayudas")
            migrar("ayudas", url)
            arrancar("ayudas", "Ayudas", AYUDAS_DB_URL=url)
            gw = base_pg("gateway")
            preparar_gateway(gw)
            puerto = puerto_libre()
            arrancar("gateway", "Gateway", GATEWAY_DB_URL=gw, GATEWAY_DIRECCION=f"127.0.0.1:{puerto}")
            base = f"http://127.0.0.1:{puerto}"
            esperar(lambda: requests.get(f"{base}/health", timeout=5).status_code in (200, 503), 60)
            api = ClienteHTTP(base)
            api.token("promotora.0309")
            t0 = time.perf_counter()
            r = requests.post(f"{base}/api/v1/ayudas/importaciones", files={"archivo": ("lista.xlsx", contenido)},
                              headers={"Authorization": f"Bearer {api.token('promotora.0309')}"}, timeout=600)
            dt = time.perf_counter() - t0
            datos = r.json()
            print(f"importación: HTTP {r.status_code}, creadas {datos.get('creadas')}, duplicadas "
                  f"{datos.get('duplicadas')}, errores {len(datos.get('errores', []))}")
            print(f"tiempo: {dt:.1f} s, {a.n / dt:.0f} filas/s")


if __name__ == "__main__":
    main()
