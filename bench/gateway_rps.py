"""Peticiones por segundo del gateway frente a un nameko desnudo, memoria del sistema y escalado.

    .venv/bin/python bench/gateway_rps.py [--segundos 10] [--concurrencias 10,50,100] [--base postgres|sqlite]
                                          [--separar]

Arranca procesos reales (RabbitMQ local; PostgreSQL o el SQLite por omisión), mide y lo imprime todo; no
afirma nada. Cada cifra va junto a la de la base (un @http de nameko desnudo que hace una RPC a un servicio que
devuelve una constante, bench/base_nameko.py) y su razón; todo queda en var/bench/gateway_rps_<base>.json y se
compara con la corrida anterior (bench/resultados.py). Con --separar, el generador de carga corre en el último
núcleo y los procesos medidos en los demás (sched_setaffinity, como taskset).
Objetivos (issue 17): lecturas >= 80 % de la base, escrituras >= 50 %, todo el sistema < 1 GiB RSS.
"""
import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
RAIZ = Path(__file__).resolve().parents[1]

import requests  # noqa: E402

from carga import correr  # noqa: E402
from perfil import CPU, Perfil, descendientes  # noqa: E402
from resultados import guardar  # noqa: E402
from omm_common.migraciones import migrar  # noqa: E402
from omm_common.tiempo import hoy_honduras  # noqa: E402
from omm_pruebas import (  # noqa: E402
    ClienteHTTP, Proceso, borrar_base_pg, crear_base_pg, entorno_base, esperar, esperar_ping, preparar_gateway,
    proceso_nameko, puerto_libre, vhost_propio,
)


def rss_mb(pids):
    total = 0
    for pid in pids:
        for hijo in [pid] + descendientes(pid):
            try:
                for linea in Path(f"/proc/{hijo}/status").read_text().splitlines():
                    if linea.startswith("VmRSS:"):
                        total += int(linea.split()[1])
            except OSError:
                pass
    return total / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--segundos", type=float, default=10)
    p.add_argument("--concurrencias", default="10,50,100")
    p.add_argument("--base", choices=("postgres", "sqlite"), default="postgres")
    p.add_argument("--separar", action="store_true", help="generador de carga en su propio núcleo")
    p.add_argument("--perfil", action="store_true", help="además, py-spy en gateway y ayudas (GET y POST, c=10)")
    a = p.parse_args()
    concurrencias = [int(c) for c in a.concurrencias.split(",")]
    with vhost_propio("omm_bench") as amqp:
        medir_todo(a, concurrencias, amqp)


def medir_todo(a, concurrencias, amqp):
    logs = Path(tempfile.mkdtemp(prefix="omm-bench-"))
    if a.base == "postgres":
        bases = {s: crear_base_pg(f"bench_{s}") for s in ("gateway", "ayudas")}
    else:
        bases = {s: f"sqlite:///{logs}/{s}.db" for s in ("gateway", "ayudas")}
    cifras = {}
    procesos = []
    try:
        migrar("ayudas", bases["ayudas"])
        preparar_gateway(bases["gateway"])
        puerto_gw, puerto_base = puerto_libre(), puerto_libre()
        env = entorno_base(amqp, AYUDAS_DB_URL=bases["ayudas"], GATEWAY_DB_URL=bases["gateway"],
                           GATEWAY_DIRECCION=f"127.0.0.1:{puerto_gw}", LOG_LEVEL="WARNING")
        procesos.append(proceso_nameko("ayudas", "Ayudas", env, logs).iniciar())
        procesos.append(proceso_nameko("gateway", "Gateway", env, logs).iniciar())
        env_base = {**env, "WEB_SERVER_ADDRESS": f"127.0.0.1:{puerto_base}"}
        comando_base = [sys.executable, "-m", "nameko", "run", "--broker", amqp,
                        "base_nameko:Constante", "base_nameko:BaseHttp"]
        env_base["PYTHONPATH"] = str(RAIZ / "bench")
        base_http = f"http://127.0.0.1:{puerto_base}/base"
        procesos.append(Proceso("base", comando_base + ["--config", _config_base(logs, amqp, puerto_base)],
                                env_base, str(RAIZ / "bench"), str(logs / "base.log")).iniciar())
        esperar_ping(amqp, "ayudas")
        gw = f"http://127.0.0.1:{puerto_gw}"
        esperar(lambda: requests.get(f"{gw}/health", timeout=5).json()["servicios"]["ayudas"] == "ok", 60)
        esperar(lambda: requests.get(base_http, timeout=5).status_code == 200, 60)
        pids = [pr.popen.pid for pr in procesos[:2]]
        nucleos = sorted(os.sched_getaffinity(0))
        if a.separar and len(nucleos) > 1:
            for pr in procesos:
                os.sched_setaffinity(pr.popen.pid, set(nucleos[:-1]))
            os.sched_setaffinity(0, {nucleos[-1]})
            print(f"procesos medidos en los núcleos {nucleos[:-1]}; generador de carga en el {nucleos[-1]}")
        cifras["RSS en reposo"] = {"mib": rss_mb(pids)}
        print(f"RSS en reposo (gateway + ayudas): {cifras['RSS en reposo']['mib']:.0f} MiB")

        pid_base = procesos[2].popen.pid

        def medir(propio, *args, **kwargs):
            """La carga y la CPU de cada proceso por petición: del gateway y ayudas, o de la base nameko."""
            with CPU({"gateway": pids[1], "ayudas": pids[0]} if propio else {"base nameko": pid_base}) as cpu:
                r = correr(*args, **kwargs)
            r["cpu_ms"], r["cpu_sistema_ms"] = cpu.por_peticion(r["n"]), cpu.por_peticion(r["n"], sistema=True)
            return r

        api = ClienteHTTP(gw)
        cab = {"Authorization": f"Bearer {api.token('tecnica.0309')}", "Content-Type": "application/json"}
        api.post("/api/v1/ayudas/tipos", "tecnica.0309", json={
            "codigo": "bench", "nombre": "Bench", "categoria": "otro", "unidad": "u", "frecuencia_dias": 0})
        b = api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", json={
            "nombres": "Bench", "apellidos": "Carga", "dni": "0309-1970-99999", "fecha_nacimiento": "1970-01-01",
            "comunidad": "X", "consentimiento_salud": False}).json()
        hoy = hoy_honduras()

        def entrega(i, n):
            return {"beneficiaria_id": b["id"], "tipo_codigo": "bench", "cantidad": 1,
                    "fecha": (hoy - timedelta(days=(i * 7 + n) % 300)).isoformat()}

        # Como en la demo: varias oficinas registran a la vez, cada una a sus beneficiarias. Dentro de un
        # municipio las entregas esperan su turno por el consecutivo del recibo (números sin saltos).
        oficinas = {m: _oficina(api, m, 25) for m in MUNICIPIOS}

        def cabeceras_de(i):
            return oficinas[MUNICIPIOS[i % len(MUNICIPIOS)]]["cabeceras"]

        def entrega_repartida(i, n):
            o = oficinas[MUNICIPIOS[i % len(MUNICIPIOS)]]
            return {"beneficiaria_id": o["beneficiarias"][(i // len(MUNICIPIOS) + n) % len(o["beneficiarias"])],
                    "tipo_codigo": "bench", "cantidad": 1, "fecha": (hoy - timedelta(days=n % 300)).isoformat()}

        # Una oficina con su año de entregas antes de leer: la primera página (50) y su total.
        correr(f"{gw}/api/v1/ayudas/entregas", "POST", cabeceras=cab, concurrencia=10, segundos=5, fabricar=entrega)
        lista = f"{gw}/api/v1/ayudas/entregas?pagina=1&por_pagina=50"
        print(f"{'prueba':<34}{'conc':>6}{'rps':>9}{'p50 ms':>9}{'p99 ms':>9}{'base rps':>10}{'razón':>8}{'err':>6}")
        for c in concurrencias:
            base_get = medir(False, base_http, "GET", concurrencia=c, segundos=a.segundos)
            get = medir(True, lista, "GET", cabeceras=cab, concurrencia=c, segundos=a.segundos)
            _fila(cifras, "GET /api/v1/ayudas/entregas", c, get, base_get)
        for c in concurrencias:
            base_post = medir(False, base_http, "POST", cuerpo={"x": 1}, concurrencia=c, segundos=a.segundos)
            post = medir(True, f"{gw}/api/v1/ayudas/entregas", "POST", cabeceras=cab, concurrencia=c,
                         segundos=a.segundos, fabricar=entrega)
            _fila(cifras, "POST /api/v1/ayudas/entregas", c, post, base_post)
            repartida = medir(True, f"{gw}/api/v1/ayudas/entregas", "POST", cabeceras_de=cabeceras_de,
                              concurrencia=c, segundos=a.segundos, fabricar=entrega_repartida)
            _fila(cifras, f"POST entregas ({len(MUNICIPIOS)} municipios)", c, repartida, base_post)
            cifras[f"RSS bajo carga c={c}"] = {"mib": rss_mb(pids)}
            print(f"  RSS bajo carga (gateway + ayudas): {cifras[f'RSS bajo carga c={c}']['mib']:.0f} MiB")

        if a.perfil:
            # Aparte de las cifras: muestrear cuesta algo de CPU a los procesos medidos.
            pids_perfil = {"gateway": procesos[1].popen.pid, "ayudas": procesos[0].popen.pid}
            for titulo, metodo, extra in (("GET entregas", "GET", {}),
                                          ("POST entregas", "POST", {"fabricar": entrega_repartida,
                                                                     "cabeceras_de": cabeceras_de})):
                with Perfil(pids_perfil, a.segundos, nombre=f"{metodo.lower()}-{a.base}") as perfil:
                    with CPU(pids_perfil) as cpu:
                        r = correr(lista if metodo == "GET" else f"{gw}/api/v1/ayudas/entregas", metodo,
                                   cabeceras=cab, concurrencia=10, segundos=a.segundos, **extra)
                cifras[f"perfil {titulo}"] = perfil.imprimir(r["n"], titulo, cpu.por_peticion(r["n"]))

        # Escalado horizontal: una segunda instancia de ayudas compite en la misma cola.
        def medir_escala():
            return (correr(lista, "GET", cabeceras=cab, concurrencia=50, segundos=a.segundos),
                    correr(f"{gw}/api/v1/ayudas/entregas", "POST", cabeceras_de=cabeceras_de, concurrencia=50,
                           segundos=a.segundos, fabricar=entrega_repartida))
        una = medir_escala()
        segunda = proceso_nameko("ayudas", "Ayudas", env, logs).iniciar()
        procesos.append(segunda)
        if a.separar and len(nucleos) > 1:
            os.sched_setaffinity(segunda.popen.pid, set(nucleos[:-1]))
        time.sleep(4)
        dos = medir_escala()
        for nombre, x, y in (("GET entregas", una[0], dos[0]), ("POST entregas repartidas", una[1], dos[1])):
            print(f"{nombre} (c=50) con 1 instancia de ayudas: {x['rps']:.0f} rps; con 2: {y['rps']:.0f} rps "
                  f"(x{y['rps'] / x['rps']:.2f}; {len(nucleos)} núcleos compartidos con el gateway, RabbitMQ y "
                  "la base)")
            cifras[f"escala {nombre} c=50"] = {"una_rps": x["rps"], "dos_rps": y["rps"],
                                               "dos_p99_ms": y["p99_ms"]}
        guardar(f"gateway_rps_{a.base}", cifras, parametros=vars(a))
    finally:
        for pr in reversed(procesos):
            pr.detener()
        if a.base == "postgres":
            for url in bases.values():
                borrar_base_pg(url)


MUNICIPIOS = ("0309", "0302", "0306", "0318")


def _oficina(api, municipio, n):
    usuaria = f"tecnica.{municipio}"
    cab = {"Authorization": f"Bearer {api.token(usuaria)}", "Content-Type": "application/json"}
    api.post("/api/v1/ayudas/tipos", usuaria, json={
        "codigo": "bench", "nombre": "Bench", "categoria": "otro", "unidad": "u", "frecuencia_dias": 0})
    ids = [api.post("/api/v1/ayudas/beneficiarias", usuaria, json={
        "nombres": f"Bench{k}", "apellidos": "Carga", "dni": f"{municipio}1971{k:05d}", "fecha_nacimiento": "1971-01-01",
        "comunidad": "X", "consentimiento_salud": False}).json()["id"] for k in range(n)]
    return {"cabeceras": cab, "beneficiarias": ids}


def _config_base(carpeta, amqp, puerto):
    ruta = carpeta / "base.yaml"
    ruta.write_text(f"AMQP_URI: {amqp}\nWEB_SERVER_ADDRESS: 127.0.0.1:{puerto}\nmax_workers: 20\n")
    return str(ruta)


def _fila(cifras, nombre, c, r, base):
    razon = r["rps"] / base["rps"] if base["rps"] else 0
    cifras[f"{nombre} c={c}"] = {"rps": r["rps"], "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"],
                                 "base_rps": base["rps"], "base_p50_ms": base["p50_ms"],
                                 "base_p99_ms": base["p99_ms"], "razon": razon, "errores": r["errores"],
                                 "cpu_ms": r["cpu_ms"], "cpu_sistema_ms": r["cpu_sistema_ms"],
                                 "base_cpu_ms": base["cpu_ms"], "base_cpu_sistema_ms": base["cpu_sistema_ms"]}
    print(f"{nombre:<34}{c:>6}{r['rps']:>9.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{base['rps']:>10.0f}"
          f"{razon:>8.0%}{r['errores']:>6}")
    for quien, x in (("  CPU ms/petición (en el núcleo)", r), ("  la base", base)):
        print(f"{quien}: " + ", ".join(f"{k} {v:.1f} ({x['cpu_sistema_ms'][k]:.1f})"
                                        for k, v in x["cpu_ms"].items() if v >= 0.05))


if __name__ == "__main__":
    main()
