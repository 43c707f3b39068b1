"""Listar casos de un municipio con filtro sobre N casos cifrados, por RPC al servicio real.

    .venv/bin/python bench/casos_listado.py [--n 10000]

Carga N casos en PostgreSQL con las mismas operaciones del servicio (cifrado e índices ciegos
incluidos) y mide, por RPC al proceso real, la primera página con filtros y una búsqueda por nombre.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from casos import operaciones as op  # noqa: E402
from omm_common.contexto import Identidad  # noqa: E402
from omm_common.db import crear_motor, unidad_de_trabajo  # noqa: E402
from omm_common.migraciones import migrar  # noqa: E402
from omm_pruebas import _fabrica_bases, _fabrica_servicios, cliente_rpc, token, vhost_propio  # noqa: E402

YO = Identidad(usuario_id="bench", usuario="tecnica.0309", rol="tecnica", municipio="0309")
TIPOS = ("fisica", "psicologica", "sexual", "patrimonial", "economica")
RIESGOS = ("bajo", "medio", "alto", "extremo")


def cargar(motor, n):
    for inicio in range(0, n, 500):
        with unidad_de_trabajo(motor) as uow:
            for i in range(inicio, min(n, inicio + 500)):
                op.crear_caso(uow, YO, {
                    "fecha_atencion": f"20{20 + i % 7}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "sobreviviente": {"nombres": f"Nombre{i}", "apellidos": f"Apellido{i % 300}",
                                      "comunidad": "Centro"},
                    "tipos_violencia": [TIPOS[i % 5]], "contexto": "pareja", "relato": f"relato {i}",
                    "nivel_riesgo": RIESGOS[i % 4],
                    "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}})


def medir(rpc, filtros, veces=20):
    tiempos = []
    for _ in range(veces):
        t0 = time.perf_counter()
        r = rpc.casos.listar_casos(filtros)
        tiempos.append((time.perf_counter() - t0) * 1000)
    return r["total"], statistics.median(tiempos), max(tiempos)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10_000)
    a = p.parse_args()
    with vhost_propio("omm_bench") as amqp, _fabrica_bases() as base_pg, tempfile.TemporaryDirectory() as carpeta:
        url = base_pg("casos")
        migrar("casos", url)
        motor = crear_motor(url)
        t0 = time.perf_counter()
        cargar(motor, a.n)
        print(f"carga: {a.n} casos cifrados en {time.perf_counter() - t0:.1f} s")
        with _fabrica_servicios(amqp, Path(carpeta)) as arrancar:
            arrancar("casos", "Casos", CASOS_DB_URL=url)
            with cliente_rpc(amqp, token("tecnica", "0309")) as rpc:
                for nombre, filtros in (
                        ("sin filtro", {}),
                        ("tipo_violencia=sexual & nivel_riesgo=alto", {"tipo_violencia": "sexual", "nivel_riesgo": "alto"}),
                        ("desde/hasta un año", {"desde": "2024-01-01", "hasta": "2024-12-31"}),
                        ("q=apellido17 (índice ciego)", {"q": "apellido17"})):
                    total, p50, maximo = medir(rpc, filtros)
                    print(f"{nombre}: {total} casos, primera página (50) p50 {p50:.0f} ms, máx {maximo:.0f} ms")
        motor.dispose()


if __name__ == "__main__":
    main()
