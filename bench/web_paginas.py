"""La aplicación web con el año de demostración: peso transferido y tiempo del servidor por pantalla y rol.

    .venv/bin/python bench/web_paginas.py [--repeticiones 20] [--postgresql]

Arranca el comando del README (`scripts/run`, SQLite por omisión; con --postgresql, bases propias) con su demo,
entra como cada rol de Lejamaní (y la mancomunidad y la administración) y recorre las pantallas que su menú
ofrece y los enlaces que esas pantallas muestran (sin archivos). Por pantalla imprime: KB transferidos con gzip
(HTML; los estáticos se guardan un año y se cuentan aparte, una vez) y p50/p95 del tiempo de respuesta por
loopback. Límites de UI.md: < 100 KB por página con los estáticos en caché, p95 < 200 ms. No afirma nada.
"""
import argparse
import gzip
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin, urlparse

import requests

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from omm_pruebas import _fabrica_bases, esperar, puerto_libre, vhost_propio  # noqa: E402

DEMO = "demo-omm-2026"
USUARIAS = ["coordinadora.0309", "tecnica.0309", "promotora.0309", "cis.0309", "mancomunidad.mamcopaz", "admin"]
SERVICIOS = ("gateway", "casos", "ayudas", "capacitaciones", "notificaciones", "reportes")
POR_ROL = 25  # pantallas como mucho por rol


def entrar(base, usuario):
    s = requests.Session()
    r = s.get(f"{base}/entrar")
    csrf = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    r = s.post(f"{base}/entrar", data={"csrf": csrf, "usuario": usuario, "contrasena": DEMO}, allow_redirects=False)
    assert r.status_code == 303, f"{usuario}: {r.status_code}"
    return s


def enlaces(html, base):
    for href in re.findall(r'<a [^>]*href="([^"#]+)"', html):
        url = urljoin(base + "/", href.replace("&amp;", "&"))
        ruta = urlparse(url)
        if ruta.netloc != urlparse(base).netloc or ruta.path.startswith(("/estatico", "/api")) or \
                re.search(r"\.(pdf|xlsx)$|/pdf|/excel|/xlsx|/recibo|/constancia|/hoja|/exportar|/descarga",
                          ruta.path):
            continue
        yield ruta.path + (f"?{ruta.query}" if ruta.query else "")


def recorrer(base, usuario, repeticiones):
    s = entrar(base, usuario)
    vistas, cola, filas = set(), ["/"], []
    while cola and len(vistas) < POR_ROL:
        ruta = cola.pop(0)
        if ruta in vistas:
            continue
        vistas.add(ruta)
        r = s.get(base + ruta, headers={"Accept-Encoding": "gzip"}, stream=True)
        crudo = r.raw.read(decode_content=False)
        if r.status_code != 200 or "text/html" not in r.headers.get("Content-Type", ""):
            continue
        html = (gzip.decompress(crudo) if r.headers.get("Content-Encoding") == "gzip" else crudo).decode()
        tiempos = []
        for _ in range(repeticiones):
            t = time.perf_counter()
            s.get(base + ruta, headers={"Accept-Encoding": "gzip"}).raise_for_status()
            tiempos.append((time.perf_counter() - t) * 1000)
        tiempos.sort()
        filas.append((usuario, re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{id}", ruta), len(crudo) / 1024,
                      statistics.median(tiempos), tiempos[int(0.95 * (len(tiempos) - 1))]))
        cola.extend(e for e in enlaces(html, base) if e not in vistas)
    return filas


def estaticos(base):
    html = requests.get(f"{base}/entrar").text
    total = 0
    for ruta in re.findall(r'(?:href|src)="(/estatico/[^"]+)"', html):
        r = requests.get(base + ruta.replace("&amp;", "&"), headers={"Accept-Encoding": "gzip"}, stream=True)
        total += len(r.raw.read(decode_content=False))
    return total / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeticiones", type=int, default=20)
    p.add_argument("--postgresql", action="store_true")
    a = p.parse_args()
    with vhost_propio("omm_bench_web") as amqp, _fabrica_bases() as base_pg, \
            tempfile.TemporaryDirectory() as carpeta:
        puerto = puerto_libre()
        env = {k: v for k, v in os.environ.items() if not k.endswith("_DB_URL") and k != "OMM_PG_URL"}
        env.update(OMM_VAR=f"{carpeta}/var", GATEWAY_DIRECCION=f"127.0.0.1:{puerto}", AMQP_URI=amqp)
        if a.postgresql:
            env.update({f"{s.upper()}_DB_URL": base_pg(f"bench_{s}") for s in SERVICIOS})
        log = Path(carpeta) / "run.log"
        with open(log, "wb") as salida:
            proceso = subprocess.Popen(["bash", str(RAIZ / "scripts" / "run")], cwd=RAIZ, env=env, stdout=salida,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{puerto}"
        try:
            t = time.time()
            esperar(lambda: "==> OMM en" in log.read_text(errors="replace"), 900, 1, "scripts/run con la demo")
            print(f"scripts/run con la demo en {time.time() - t:.0f} s "
                  f"({'PostgreSQL' if a.postgresql else 'SQLite'}); {a.repeticiones} repeticiones por pantalla")
            print(f"estáticos (una vez, luego en caché un año): {estaticos(base):.1f} KB con gzip")
            print(f"{'usuaria':24} {'pantalla':44} {'KB gzip':>8} {'p50 ms':>7} {'p95 ms':>7}")
            todas = []
            for usuario in USUARIAS:
                for fila in recorrer(base, usuario, a.repeticiones):
                    todas.append(fila)
                    print(f"{fila[0]:24} {fila[1][:44]:44} {fila[2]:8.1f} {fila[3]:7.1f} {fila[4]:7.1f}")
            if todas:
                print(f"pantallas: {len(todas)}; la más pesada {max(f[2] for f in todas):.1f} KB; "
                      f"p95 más alto {max(f[4] for f in todas):.1f} ms")
        finally:
            os.killpg(proceso.pid, signal.SIGTERM)
            try:
                proceso.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proceso.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
