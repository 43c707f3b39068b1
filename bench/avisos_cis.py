"""Notificaciones de punta a punta: N entregas de medicamentos -> N correos al CIS por SMTP real.

    .venv/bin/python bench/avisos_cis.py [--n 200] [--concurrencia 8] [--tasa R] [--urgentes K] [--perfil]

Sin --tasa, las N entregas van en ráfaga (lo que la API aguante): mide cuánto tarda en vaciarse la cola.
Con --tasa R, una entrega cada 1/R segundos (carga sostenida): mide la latencia a ese ritmo.
Con --urgentes K, durante la carga se derivan K casos al CIS como urgentes (uno cada --cada segundos): su
latencia (derivación confirmada -> correo al CIS recibido) se mide aparte, la de lo que no debe esperar.

Arranca el sistema completo (tests/sistema.py) contra RabbitMQ y PostgreSQL locales y un servidor
SMTP real (aiosmtpd). Imprime eventos por segundo y p50/p99 del tiempo entre la respuesta 201 de
la entrega (el commit) y la llegada del correo al servidor SMTP. No afirma nada.
"""
import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from aiosmtpd.controller import Controller  # noqa: E402

from omm_pruebas import _fabrica_bases, esperar, puerto_libre, vhost_propio  # noqa: E402
from bench.perfil import CPU, Perfil  # noqa: E402
from bench.resultados import guardar  # noqa: E402
from tests.sistema import Sistema  # noqa: E402


class Buzon:
    def __init__(self):
        self.llegadas = {}

    async def handle_DATA(self, server, session, envelope):
        texto = envelope.content.decode(errors="replace")
        for palabra in texto.split():
            if palabra.startswith("Bench"):
                self.llegadas.setdefault(palabra.strip(".,"), time.perf_counter())
        return "250 OK"


def _hijos(pid):
    return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--concurrencia", type=int, default=8)
    p.add_argument("--tasa", type=float, default=None, help="entregas por segundo, a ritmo fijo (sin ella, ráfaga)")
    p.add_argument("--urgentes", type=int, default=0, help="derivaciones urgentes al CIS durante la carga")
    p.add_argument("--cada", type=float, default=0.5, help="segundos entre derivaciones urgentes")
    p.add_argument("--perfil", action="store_true",
                   help="py-spy en los hijos del worker de Celery, notificaciones y los relays durante la ráfaga")
    a = p.parse_args()
    buzon = Buzon()
    smtp = Controller(buzon, hostname="127.0.0.1", port=puerto_libre())
    smtp.start()
    with vhost_propio("omm_bench") as amqp, _fabrica_bases() as base_pg, tempfile.TemporaryDirectory() as carpeta:
        s = Sistema(amqp, base_pg, carpeta, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port,
                    NOTIFICACIONES_ESPERA_BASE="1").preparar().arrancar()
        try:
            api = s.api
            api.put("/api/v1/notificaciones/destinatarios", "coordinadora.0309",
                    json={"clave": "cis", "nombre": "CIS", "email": "cis@bench.hn"})
            api.post("/api/v1/ayudas/tipos", "tecnica.0309", json={
                "codigo": "med", "nombre": "Medicamentos", "categoria": "economica_medicamentos", "unidad": "L",
                "frecuencia_dias": 0, "monto_maximo": 1500})
            ids = []
            for i in range(a.n):
                r = api.post("/api/v1/ayudas/beneficiarias", "tecnica.0309", json={
                    "nombres": f"Bench{i:05d}", "apellidos": "Prueba", "dni": f"0309-1960-{i:05d}",
                    "fecha_nacimiento": "1960-01-01", "comunidad": "Centro", "consentimiento_salud": True})
                ids.append(r.json()["id"])
            casos = []
            for k in range(a.urgentes):
                r = api.post("/api/v1/casos", "tecnica.0309", json={
                    "fecha_atencion": "2026-11-20", "fecha_incidente": "2026-11-20",
                    "sobreviviente": {"nombres": f"BenchU{k:05d}", "apellidos": "Prueba", "comunidad": "Centro"},
                    "tipos_violencia": ["sexual"], "contexto": "comunitaria", "relato": "bench",
                    "nivel_riesgo": "extremo",
                    "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}})
                casos.append(r.json()["id"])
            commits = {}

            def derivar():
                for k, caso in enumerate(casos):
                    time.sleep(max(0.0, inicio + 1 + k * a.cada - time.perf_counter()))
                    r = api.post(f"/api/v1/casos/{caso}/derivaciones", "tecnica.0309",
                                 json={"destino": "cis", "motivo": "Atención en salud", "urgente": True})
                    if r.status_code == 201:
                        commits[f"BenchU{k:05d}"] = time.perf_counter()

            def entregar(i):
                if a.tasa:  # a ritmo fijo: la i-ésima sale en i/tasa segundos desde el inicio
                    time.sleep(max(0.0, inicio + i / a.tasa - time.perf_counter()))
                r = api.post("/api/v1/ayudas/entregas", "tecnica.0309", json={
                    "beneficiaria_id": ids[i], "tipo_codigo": "med", "cantidad": 1, "monto": 10,
                    "fecha": "2026-11-20"})
                commits[f"Bench{i:05d}"] = time.perf_counter()
                return r.status_code

            perfil = contextlib.nullcontext()
            medidos = {n: pr.popen.pid for n, pr in s.procesos.items()}  # cada proceso del sistema, con sus hijos
            if a.perfil:
                pids = {n: s.procesos[n].popen.pid for n in ("notificaciones", "relays")}
                for i, hijo in enumerate(_hijos(s.procesos["celery_worker"].popen.pid)):
                    pids[f"celery_hijo_{i}"] = hijo
                perfil = Perfil(pids, segundos=max(10, a.n // 15), nombre="avisos")
            inicio = time.perf_counter()
            with perfil, CPU(medidos) as cpu:
                with ThreadPoolExecutor(a.concurrencia + 1) as pool:
                    urgentes = pool.submit(derivar)
                    estados = list(pool.map(entregar, range(a.n)))
                    urgentes.result()
                esperar(lambda: len(buzon.llegadas) >= a.n + a.urgentes, 600, cada=0.5, mensaje="todos los correos")
            fin = max(buzon.llegadas.values())
            lat = sorted((buzon.llegadas[k] - commits[k]) * 1000 for k in commits if not k.startswith("BenchU"))
            lat_u = sorted((buzon.llegadas[k] - commits[k]) * 1000 for k in commits if k.startswith("BenchU"))
            eventos_s, p50, p99 = a.n / (fin - inicio), statistics.median(lat), lat[int(len(lat) * 0.99) - 1]
            ritmo = f"a {a.tasa:g} por segundo" if a.tasa else "en ráfaga"
            print(f"entregas: {a.n} (201: {estados.count(201)}), {ritmo}, concurrencia {a.concurrencia}")
            print(f"eventos/s de punta a punta: {eventos_s:.1f}")
            print(f"commit -> correo recibido: p50 {p50:.0f} ms, p99 {p99:.0f} ms, máx {lat[-1]:.0f} ms "
                  f"(meta del issue 17: p99 < 1000 ms a 200 eventos/s)")
            cifras = {"commit -> correo": {"eventos_s": eventos_s, "p50_ms": p50, "p99_ms": p99, "max_ms": lat[-1]}}
            if lat_u:
                u50, u99 = statistics.median(lat_u), lat_u[max(int(len(lat_u) * 0.99) - 1, 0)]
                print(f"derivaciones urgentes durante la carga: {len(lat_u)}; derivación -> correo al CIS: p50 "
                      f"{u50:.0f} ms, p99 {u99:.0f} ms, máx {lat_u[-1]:.0f} ms (cola notificaciones.urgentes)")
                cifras["urgente: derivación -> correo"] = {"n": len(lat_u), "p50_ms": u50, "p99_ms": u99,
                                                          "max_ms": lat_u[-1]}
            por_aviso = cpu.por_peticion(a.n)
            print("CPU ms por aviso, de la entrega (API incluida) al correo (/proc; el worker de Celery con sus hijos): "
                  + ", ".join(f"{k} {v:.1f}" for k, v in por_aviso.items() if v >= 0.05))
            cifras["cpu_ms_por_aviso"] = por_aviso
            if a.perfil:
                perfil.imprimir(a.n, "por aviso")
            nombre = f"avisos_cis_{a.tasa:g}_por_s" if a.tasa else "avisos_cis"
            guardar(nombre + (f"_con_{a.urgentes}_urgentes" if a.urgentes else ""), cifras,
                    parametros={"n": a.n, "concurrencia": a.concurrencia, "tasa": a.tasa, "urgentes": a.urgentes})
        finally:
            s.detener()
            smtp.stop()


if __name__ == "__main__":
    main()
