"""Memoria (RSS) de todo el sistema en reposo, bajo carga y otra vez en reposo.

    .venv/bin/python bench/memoria.py [--segundos 20] [--concurrencia 20]

Arranca cada línea de deploy/Procfile como proceso real (igual que honcho en scripts/run) contra
bases PostgreSQL nuevas y un vhost propio de RabbitMQ. Imprime el VmRSS de cada proceso más el de
sus hijos (el worker prefork de Celery) y el total; no afirma nada. Objetivo (issue 17): < 1 GiB en reposo y bajo carga.
Las cifras quedan en var/bench/memoria.json (bench/resultados.py).
"""
import argparse
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ / "bench"))
sys.path.insert(0, str(RAIZ))

import requests  # noqa: E402

from carga import correr  # noqa: E402
from gateway_rps import rss_mb  # noqa: E402
from perfil import descendientes  # noqa: E402
from resultados import guardar  # noqa: E402
from omm_pruebas import (  # noqa: E402
    ClienteHTTP, Proceso, _fabrica_bases, esperar, esperar_ping, vhost_propio,
)
from tests.sistema import BIN, SERVICIOS, Sistema  # noqa: E402
from omm_common.tiempo import hoy_honduras


def procfile(carpeta):
    """Los comandos de deploy/Procfile, por el shell como con honcho (expande ${AMQP_URI_<TIPO>:-$AMQP_URI});
    `exec`: el RSS medido es el del proceso, no el de un bash de más. Lo que guarda en var/ va a OMM_VAR."""
    comandos = {}
    for linea in (RAIZ / "deploy" / "Procfile").read_text().splitlines():
        if linea.strip() and not linea.startswith("#"):
            nombre, comando = linea.split(":", 1)
            comandos[nombre.strip()] = ["bash", "-c", f"exec {comando.strip()}"]
    return comandos


def foto(procesos):
    """MiB por proceso (con sus hijos) y cuántos procesos son."""
    return {n: (rss_mb([p.popen.pid]), 1 + len(descendientes(p.popen.pid))) for n, p in procesos.items()}


def pss_mb(procesos):
    """PSS (las páginas compartidas, p. ej. entre el worker prefork de Celery y sus hijos, contadas una vez):
    la memoria que el sistema ocupa de verdad; el RSS sumado cuenta lo compartido en cada proceso."""
    total = 0
    for p in procesos.values():
        for pid in [p.popen.pid] + descendientes(p.popen.pid):
            try:
                for linea in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if linea.startswith("Pss:"):
                        total += int(linea.split()[1])
            except OSError:
                pass
    return total / 1024


def imprimir(titulo, fotos):
    print(f"\n{titulo}")
    total = sum(mb for mb, _ in fotos.values())
    for nombre, (mb, n) in fotos.items():
        print(f"  {nombre:<22}{mb:>8.0f} MiB" + (f"  ({n} procesos)" if n > 1 else ""))
    print(f"  {'TOTAL':<22}{total:>8.0f} MiB  ({sum(n for _, n in fotos.values())} procesos Python)")
    return total


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--segundos", type=float, default=20)
    p.add_argument("--concurrencia", type=int, default=20, help="clientes que registran entregas")
    p.add_argument("--reposo", type=float, default=15, help="segundos quieto antes de cada medición en reposo")
    a = p.parse_args()
    with vhost_propio("omm_bench") as amqp, _fabrica_bases() as base_pg, tempfile.TemporaryDirectory() as carpeta:
        s = Sistema(amqp, base_pg, carpeta).preparar()
        # Los comandos del Procfile se buscan en el PATH, como con honcho dentro de scripts/run.
        s.env["PATH"] = f"{BIN}:{s.env.get('PATH', '')}"
        procesos = {}
        try:
            for nombre, comando in procfile(carpeta).items():
                procesos[nombre] = Proceso(nombre, comando, s.env, str(RAIZ), f"{carpeta}/{nombre}.log").iniciar()
            for servicio in SERVICIOS:
                esperar_ping(amqp, servicio, 90)
            gw = f"http://127.0.0.1:{s.puerto}"
            esperar(lambda: requests.get(f"{gw}/health", timeout=5).json()["estado"] == "ok", 60, mensaje="gateway")
            medir(a, procesos, ClienteHTTP(gw))
            caidos = [n for n, pr in procesos.items() if not pr.vivo()]
            if caidos:
                print(f"\nAVISO: terminaron durante la medición: {caidos} (logs en {carpeta})")
        finally:
            for pr in reversed(list(procesos.values())):
                pr.detener()


def medir(a, procesos, api):
    print(f"procesos (deploy/Procfile): {', '.join(procesos)}")
    time.sleep(a.reposo)
    reposo = imprimir("RSS en reposo, recién arrancado", foto(procesos))
    pss_reposo = pss_mb(procesos)
    print(f"  {'PSS TOTAL':<22}{pss_reposo:>8.0f} MiB  (lo compartido entre procesos, contado una vez)")

    # Una entrega de medicamentos con consentimiento avisa al CIS: pasa por relay, notificaciones,
    # Celery (que pide el nombre a ayudas) y el correo a archivo; así trabajan todos los procesos.
    m = "0309"
    api.put("/api/v1/notificaciones/destinatarios", f"coordinadora.{m}",
            json={"clave": "cis", "nombre": "CIS", "email": "cis@bench.hn"})
    api.post("/api/v1/ayudas/tipos", f"tecnica.{m}", json={
        "codigo": "med", "nombre": "Medicamentos", "categoria": "economica_medicamentos", "unidad": "L",
        "frecuencia_dias": 0, "monto_maximo": 1500})
    ids = [api.post("/api/v1/ayudas/beneficiarias", f"tecnica.{m}", json={
        "nombres": f"Bench{i}", "apellidos": "Memoria", "dni": f"{m}-1960-{i:05d}", "fecha_nacimiento": "1960-01-01",
        "comunidad": "Centro", "consentimiento_salud": True}).json()["id"] for i in range(a.concurrencia)]
    hoy = hoy_honduras()

    def entrega(i, n):
        return {"beneficiaria_id": ids[i], "tipo_codigo": "med", "cantidad": 1, "monto": 10,
                "fecha": (hoy - timedelta(days=n % 300)).isoformat()}

    def cab(usuario):
        return {"Authorization": f"Bearer {api.token(usuario)}", "Content-Type": "application/json"}
    primera = api.post("/api/v1/ayudas/entregas", f"tecnica.{m}", json=entrega(0, 999)).json()["id"]

    cargas = {
        "POST /api/v1/ayudas/entregas": dict(metodo="POST", cabeceras=cab(f"tecnica.{m}"),
                                             concurrencia=a.concurrencia, fabricar=entrega),
        "GET /api/v1/ayudas/tipos": dict(cabeceras=cab(f"tecnica.{m}"), concurrencia=10),
        "GET /api/v1/casos": dict(cabeceras=cab(f"tecnica.{m}"), concurrencia=5),
        "GET /api/v1/capacitaciones": dict(cabeceras=cab(f"tecnica.{m}"), concurrencia=5),
        "GET /api/v1/notificaciones": dict(cabeceras=cab(f"coordinadora.{m}"), concurrencia=5),
        "GET /api/v1/region/estadisticas": dict(cabeceras=cab("mancomunidad.mamcopaz"), concurrencia=2),
        # Un recibo en PDF y el informe: ayudas y reportes cargan reportlab y openpyxl (omm_common.perezoso).
        f"GET /api/v1/ayudas/entregas/{primera}/recibo": dict(cabeceras=cab(f"tecnica.{m}"), concurrencia=2),
        "GET /api/v1/reportes/informe?formato=pdf": dict(cabeceras=cab(f"coordinadora.{m}"), concurrencia=1),
    }
    resultados = {}

    def cargar(nombre, opciones):
        opciones = dict(opciones)
        metodo = opciones.pop("metodo", "GET")
        resultados[nombre] = correr(api.base + nombre.split(" ", 1)[1], metodo, segundos=a.segundos, **opciones)

    hilos = [threading.Thread(target=cargar, args=item) for item in cargas.items()]
    for h in hilos:
        h.start()
    picos = {}
    pico_total = pico_pss = 0
    while any(h.is_alive() for h in hilos):
        ahora = foto(procesos)
        pico_total = max(pico_total, sum(mb for mb, _ in ahora.values()))
        pico_pss = max(pico_pss, pss_mb(procesos))
        for nombre, (mb, n) in ahora.items():
            picos[nombre] = max(picos.get(nombre, (0, 0)), (mb, n))
        time.sleep(1)
    imprimir(f"RSS pico bajo carga ({a.segundos:.0f} s; el TOTAL suma los picos de cada proceso)", picos)
    print(f"  {'pico del total':<22}{pico_total:>8.0f} MiB (máximo de las sumas en un mismo instante)")
    print(f"  {'pico del PSS total':<22}{pico_pss:>8.0f} MiB")
    print(f"\n  {'carga':<34}{'conc':>6}{'rps':>8}{'p50 ms':>9}{'p99 ms':>9}{'err':>6}")
    for nombre, opciones in cargas.items():
        r = resultados[nombre]
        print(f"  {nombre:<34}{opciones['concurrencia']:>6}{r['rps']:>8.0f}{r['p50_ms']:>9.1f}"
              f"{r['p99_ms']:>9.1f}{r['errores']:>6}")

    # Que salgan todos los correos al CIS (uno por entrega aceptada) antes de volver a medir en reposo.
    post = resultados["POST /api/v1/ayudas/entregas"]
    aceptadas = post["n"] - post["errores"]

    def correos():
        r = api.get("/api/v1/notificaciones/resumen", f"coordinadora.{m}").json()["por_estado"]
        return {e: r.get(e, {}).get("email", 0) for e in ("pendiente", "enviada", "fallida")}
    inicio = time.perf_counter()
    try:
        esperar(lambda: correos()["enviada"] + correos()["fallida"] >= aceptadas, 300, cada=2,
                mensaje="correos al CIS")
    except AssertionError as exc:
        print(f"\nAVISO: {exc}")
    print(f"\ncorreos al CIS por {aceptadas} entregas: {correos()} "
          f"({time.perf_counter() - inicio:.0f} s después de la carga)")
    time.sleep(a.reposo)
    final = imprimir("RSS en reposo, después de la carga", foto(procesos))
    pss_final = pss_mb(procesos)
    print(f"  {'PSS TOTAL':<22}{pss_final:>8.0f} MiB")
    guardar("memoria", {"RSS total": {"reposo_mib": reposo, "pico_mib": pico_total, "reposo_despues_mib": final},
                        "PSS total": {"reposo_mib": pss_reposo, "pico_mib": pico_pss,
                                      "reposo_despues_mib": pss_final}},
            parametros=vars(a), cargas={n: r for n, r in resultados.items()})


if __name__ == "__main__":
    main()
