"""Cifras de la región sobre 10 millones de registros: GET /api/v1/region/estadisticas por HTTP.

    .venv/bin/python bench/region_10m.py [--registros 10000000] [--repeticiones 5] [--conservar]
    .venv/bin/python bench/region_10m.py --registros 200000          # para probarlo rápido

Carga registros sintéticos (los ~300 municipios, 10 años) con COPY directo en las tablas de casos,
ayudas y capacitaciones, arranca los servicios (reportes compone la región) y el gateway reales y mide
por HTTP la región de una mancomunidad de 10 municipios en un año y la del país entero en la década, y
además la RPC `agregados` de cada servicio por separado (dónde se va el tiempo). Imprime; no afirma nada.
Objetivos (issue): < 1 s y < 5 s.

Con --conservar las tres bases cargadas quedan con nombres fijos y la próxima corrida con el mismo
--registros las reutiliza: solo aplica las migraciones nuevas (así se prueba un índice nuevo sobre
los 10 millones). Sin --conservar todo se borra al terminar.
"""
import argparse
import hashlib
import importlib
import json
import random
import statistics
import sys
import tempfile
import time
from array import array
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

import psycopg2  # noqa: E402
import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from gateway import auth  # noqa: E402
from gateway.models import Mancomunidad, Municipio, Usuario  # noqa: E402
from omm_common import colas, municipios as catalogo  # noqa: E402
from omm_common.contexto import token_de_servicio  # noqa: E402
from omm_common.db import crear_motor, unidad_de_trabajo  # noqa: E402
from omm_common.migraciones import migrar  # noqa: E402
from omm_common.tiempo import hoy_honduras  # noqa: E402
from omm_pruebas import (  # noqa: E402
    CONTRASENA_PRUEBAS, PG_ADMIN, ClienteHTTP, borrar_base_pg, cliente_rpc, crear_base_pg, entorno_base, esperar,
    esperar_ping, preparar_gateway, proceso_nameko, puerto_libre, vhost_propio,
)

SERVICIOS = {"casos": "Casos", "ayudas": "Ayudas", "capacitaciones": "Capacitaciones",
             "notificaciones": "Notificaciones"}
CARGADOS = ("casos", "ayudas", "capacitaciones")
TABLAS = {"casos": ["casos"], "ayudas": ["beneficiarias", "entregas"],
          "capacitaciones": ["capacitaciones", "sesiones", "inscripciones", "asistencias"]}
# Parte de los registros de cada tabla (suma 1). Por capacitación: 4 sesiones, 10 inscritas y ~6,25
# presentes por sesión, así que esas cuatro salen de la cantidad de capacitaciones.
REPARTO = {"casos": 0.20, "beneficiarias": 0.04, "entregas": 0.36, "capacitaciones": 0.01}
SESIONES_POR_CAP, INSCRITAS_POR_CAP = 4, 10

TIPOS_VIOLENCIA = ("fisica", "psicologica", "sexual", "patrimonial", "economica")
CONTEXTOS = ("pareja", "pareja", "pareja", "expareja", "familiar", "comunitaria", "laboral", "institucional", "otro")
RIESGOS = ("bajo", "medio", "medio", "alto", "extremo")
CATEGORIAS = (("alimentos", "bolsa_alimentos"),) * 9 + (("panales", "panales"),) * 5 + (
    ("economica_medicamentos", "ayuda_medicamentos"),) * 4 + (("otro", "otro"),) * 2
TIPOS_CAP = ("capacitacion", "taller", "sensibilizacion", "club_embarazadas", "club_embarazadas",
             "escuela_emprendimiento", "socializacion", "asesoria_tecnica")
# Lo cifrado de un caso real ocupa unos cientos de bytes en la fila: la tabla pesa como en producción.
CIFRADO = "r1:" + "QmVuY2ggT01NIGRhdG9zIGNpZnJhZG9zIGZpY3RpY2lvcw" * 6
# DNI, teléfono, condiciones y embarazo van cifrados (issue 16); el DNI, con su índice ciego (64 hex).
CIFRADO_CORTO = "r1:" + "QmVuY2ggT01NIGRhdG9zIGNpZnJhZG9z" * 2


def indice_de(texto):
    return hashlib.sha256(texto.encode()).hexdigest()
MARCA = "omm bench region_10m registros="


def uuid_de(tabla, i):
    # Ids crecientes con forma de UUID: el PK se llena al final del índice y la carga no se arrastra.
    return f"{tabla:08x}-0000-4000-8000-{i:012x}"


class Sintetico:
    """Todo se deriva de la semilla: cada tabla se genera en su propia pasada, fila a fila."""

    def __init__(self, registros, semilla=2026):
        self.n = {k: max(1, round(registros * v)) for k, v in REPARTO.items()}
        self.rng = random.Random(semilla)
        hoy = hoy_honduras()
        self.inicio, self.fin = date(hoy.year - 10, 1, 1), date(hoy.year - 1, 12, 31)
        self.dias = (self.fin - self.inicio).days + 1
        self.municipios = sorted(catalogo.todos())
        # Municipios de tamaños distintos (los hay grandes y pequeños), elegidos con una tabla de 10 000.
        pesos = [self.rng.lognormvariate(0, 0.6) for _ in self.municipios]
        total = sum(pesos)
        self.sorteo = array("H")
        for j, p in enumerate(pesos):
            self.sorteo.extend([j] * max(1, round(10_000 * p / total)))
        self.benef_inicio, self.benef_cuantas = [], []
        inicio = 0
        for p in pesos:
            cuantas = max(1, round(self.n["beneficiarias"] * p / total))
            self.benef_inicio.append(inicio)
            self.benef_cuantas.append(cuantas)
            inicio += cuantas
        self.n["beneficiarias"] = inicio
        # Cada mujer va a unas tres actividades: un grupo de personas por municipio.
        self.personas = [max(3 * INSCRITAS_POR_CAP, round(self.n["capacitaciones"] * INSCRITAS_POR_CAP / 3 * p / total))
                         for p in pesos]
        self.cap_mun, self.cap_dia = array("H"), array("H")
        dias_cap = self.dias - 7 * SESIONES_POR_CAP
        for i in range(self.n["capacitaciones"]):
            self.cap_mun.append(self._mun())
            self.cap_dia.append(i * dias_cap // self.n["capacitaciones"])
        self.n["sesiones"] = self.n["capacitaciones"] * SESIONES_POR_CAP
        self.n["inscripciones"] = self.n["capacitaciones"] * INSCRITAS_POR_CAP
        self.n["asistencias"] = 0  # se sabe al generarlas

    def _mun(self):
        return self.sorteo[int(self.rng.random() * len(self.sorteo))]

    def _fecha(self, i, n):
        # En orden de llegada, como en producción: los municipios intercalados día a día.
        return self.inicio + timedelta(days=i * self.dias // n)

    def casos(self):
        rng, numeros = self.rng, defaultdict(int)
        n = self.n["casos"]
        for i in range(n):
            f = self._fecha(i, n)
            mun = self.municipios[self._mun()]
            numeros[mun, f.year] += 1
            num = numeros[mun, f.year]
            r = rng.random()
            tipos = rng.sample(TIPOS_VIOLENCIA, 1 if r < 0.75 else 2 if r < 0.95 else 3)
            creado = f"{f.isoformat()} 15:00:00+00"
            yield (uuid_de(1, i), mun, f"{mun}-{f.year}-{num:06d}", str(f.year), str(num),
                   "cerrado" if rng.random() < 0.6 else "abierto", f.isoformat(),
                   (f - timedelta(days=int(rng.random() * 10))).isoformat(), json.dumps(tipos),
                   rng.choice(CONTEXTOS), rng.choice(RIESGOS), "t", "t" if rng.random() < 0.7 else "f",
                   "t" if rng.random() < 0.9 else "f", CIFRADO, "bench", creado, creado)

    def beneficiarias(self):
        rng = self.rng
        for j, mun in enumerate(self.municipios):
            for k in range(self.benef_cuantas[j]):
                anio = 1950 + k % 55
                creado = f"{self.inicio + timedelta(days=int(rng.random() * self.dias))} 15:00:00+00"
                yield (uuid_de(2, self.benef_inicio[j] + k), mun, f"Nombre{k}", f"Apellido{k % 997}",
                       f"nombre{k} apellido{k % 997}", CIFRADO_CORTO, indice_de(f"{mun}{anio}{k:05d}"),
                       f"{anio}-0{1 + k % 9}-1{k % 9}", f"Comunidad {k % 40}", CIFRADO_CORTO,
                       "t" if rng.random() < 0.5 else "f", creado)

    def entregas(self):
        rng, numeros = self.rng, defaultdict(int)
        n = self.n["entregas"]
        for i in range(n):
            f = self._fecha(i, n)
            j = self._mun()
            mun = self.municipios[j]
            numeros[mun, f.year] += 1
            categoria, tipo = rng.choice(CATEGORIAS)
            dinero = categoria == "economica_medicamentos"
            yield (uuid_de(3, i), mun, uuid_de(2, self.benef_inicio[j] + int(rng.random() * self.benef_cuantas[j])),
                   tipo, categoria, "1" if dinero else str(1 + int(rng.random() * 3)),
                   f"{200 + int(rng.random() * 26) * 50}.00" if dinero else "\\N", f.isoformat(), str(f.year),
                   str(numeros[mun, f.year]), "bench", f"{f.isoformat()} 15:00:00+00")

    def capacitaciones(self):
        rng = self.rng
        for i in range(self.n["capacitaciones"]):
            f = self.inicio + timedelta(days=self.cap_dia[i])
            yield (uuid_de(4, i), self.municipios[self.cap_mun[i]], f"Actividad {i}", rng.choice(TIPOS_CAP),
                   "OMM", "Salón municipal", "bench", f"{f.isoformat()} 15:00:00+00")

    def sesiones(self):
        for i in range(self.n["capacitaciones"]):
            mun = self.municipios[self.cap_mun[i]]
            for k in range(SESIONES_POR_CAP):
                f = (self.inicio + timedelta(days=self.cap_dia[i] + 7 * k)).isoformat()
                yield (uuid_de(5, i * SESIONES_POR_CAP + k), uuid_de(4, i), mun, f, "09:00", "2.0", "bench",
                       f"{f} 15:00:00+00")

    def inscripciones(self):
        rng = self.rng
        for i in range(self.n["capacitaciones"]):
            j = self.cap_mun[i]
            mun = self.municipios[j]
            f = (self.inicio + timedelta(days=self.cap_dia[i])).isoformat()
            for k, p in enumerate(rng.sample(range(self.personas[j]), INSCRITAS_POR_CAP)):
                nombre = f"persona{p} bench"
                nacimiento = f"{1960 + p % 40}-0{1 + p % 9}-1{p % 9}"
                dni = f"{mun}{1960 + p % 40}{p % 100000:05d}" if p % 10 < 7 else None
                indice = indice_de(dni) if dni else None
                clave = f"dni:{indice}" if dni else f"nombre:{nombre}|{nacimiento}"
                yield (uuid_de(6, i * INSCRITAS_POR_CAP + k), uuid_de(4, i), mun, f"Persona{p}", "Bench", nombre,
                       clave, CIFRADO_CORTO if dni else "\\N", indice or "\\N", nacimiento, "Centro",
                       CIFRADO_CORTO, f, "f", "bench", f"{f} 15:00:00+00")

    def asistencias(self):
        rng = self.rng
        for i in range(self.n["capacitaciones"]):
            for k in range(SESIONES_POR_CAP):
                presentes = min(INSCRITAS_POR_CAP, max(1, round(rng.gauss(6.25, 2))))
                for insc in rng.sample(range(INSCRITAS_POR_CAP), presentes):
                    yield (uuid_de(7, self.n["asistencias"]), uuid_de(4, i), uuid_de(5, i * SESIONES_POR_CAP + k),
                           uuid_de(6, i * INSCRITAS_POR_CAP + insc), "bench", "2020-01-01 15:00:00+00")
                    self.n["asistencias"] += 1


COLUMNAS = {
    "casos": "id, municipio, codigo, anio, numero, estado, fecha_atencion, fecha_incidente, tipos_violencia, "
             "contexto, nivel_riesgo, consentimiento_servicios, consentimiento_derivacion, "
             "consentimiento_estadisticas, datos_cifrados, creado_por, creado_en, actualizado_en",
    "beneficiarias": "id, municipio, nombres, apellidos, nombre_normalizado, dni_cifrado, dni_indice, "
                     "fecha_nacimiento, comunidad, condiciones_cifradas, consentimiento_salud, creado_en",
    "entregas": "id, municipio, beneficiaria_id, tipo_codigo, categoria, cantidad, monto, fecha, anio, numero, "
                "registrada_por, creado_en",
    "capacitaciones": "id, municipio, titulo, tipo, institucion, lugar, creada_por, creado_en",
    "sesiones": "id, capacitacion_id, municipio, fecha, hora, duracion_horas, creada_por, creado_en",
    "inscripciones": "id, capacitacion_id, municipio, nombres, apellidos, nombre_normalizado, clave_persona, "
                     "dni_cifrado, dni_indice, fecha_nacimiento, comunidad, salud_cifrada, fecha_registro, "
                     "consentimiento_salud, "
                     "registrada_por, creado_en",
    "asistencias": "id, capacitacion_id, sesion_id, inscripcion_id, registrada_por, creado_en",
}


class LectorCopy:
    """Archivo de solo lectura para copy_expert: pide filas al generador a medida que PostgreSQL lee."""

    def __init__(self, filas, por_trozo=2000):
        self.filas, self.por_trozo = filas, por_trozo
        self.resto = b""
        self.contadas = 0

    def _trozo(self):
        lineas = []
        for fila in self.filas:
            lineas.append("\t".join(fila))
            if len(lineas) >= self.por_trozo:
                break
        self.contadas += len(lineas)
        return ("\n".join(lineas) + "\n").encode() if lineas else b""

    def read(self, tamano=-1):
        partes, largo = [self.resto], len(self.resto)
        while tamano < 0 or largo < tamano:
            trozo = self._trozo()
            if not trozo:
                break
            partes.append(trozo)
            largo += len(trozo)
        datos = b"".join(partes)
        if tamano < 0:
            self.resto = b""
            return datos
        self.resto = datos[tamano:]
        return datos[:tamano]



def desarmar(cur, tablas):
    """Quita FK, UNIQUE e índices secundarios antes del COPY (como pg_restore); devuelve cómo rehacerlos.

    Los PK quedan: los ids crecen y otros FK (seguimientos -> casos) los necesitan.
    """
    cur.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')", (tablas,))
    restricciones = cur.fetchall()
    cur.execute("SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT EXISTS ("
                "SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))",
                (tablas,))
    indices = cur.fetchall()
    for tabla, nombre, _, _ in sorted(restricciones, key=lambda r: r[3] != "f"):
        cur.execute(f'ALTER TABLE {tabla} DROP CONSTRAINT "{nombre}"')
    for nombre, _ in indices:
        cur.execute(f"DROP INDEX {nombre}")
    rehacer = [d for _, d in indices]
    rehacer += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, c in restricciones if c == "u"]
    rehacer += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, c in restricciones if c == "f"]
    return rehacer


def esquema(cur, tablas):
    cur.execute("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = ANY(%s::regclass[]) "
                "UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = ANY(%s::regclass[])", (tablas, tablas))
    return sorted(r[0] for r in cur.fetchall())


def cargar(servicio, url, datos):
    """COPY de cada tabla del servicio sin índices secundarios; luego los rehace, VACUUM ANALYZE."""
    tablas = TABLAS[servicio]
    con = psycopg2.connect(url)
    con.autocommit = True
    cur = con.cursor()
    cur.execute("SET synchronous_commit = off")  # solo esta sesión de carga
    cur.execute("SET maintenance_work_mem = '512MB'")
    antes = esquema(cur, tablas)
    t0 = time.perf_counter()
    cur.execute("BEGIN")
    rehacer = desarmar(cur, tablas)
    for tabla in tablas:
        t = time.perf_counter()
        lector = LectorCopy(getattr(datos, tabla)())
        cur.copy_expert(f"COPY {tabla} ({COLUMNAS[tabla]}) FROM STDIN", lector, size=1 << 20)
        print(f"  {tabla}: {lector.contadas:,} filas en {time.perf_counter() - t:.0f} s", flush=True)
    t = time.perf_counter()
    for sentencia in rehacer:
        cur.execute(sentencia)
    cur.execute("COMMIT")
    print(f"  índices y restricciones de {servicio} rehechos en {time.perf_counter() - t:.0f} s", flush=True)
    if esquema(cur, tablas) != antes:
        raise RuntimeError(f"{servicio}: el esquema después de la carga no es el de las migraciones")
    t = time.perf_counter()
    for tabla in tablas:
        # Como tras un autovacuum: mapa de visibilidad al día (index-only scans) y estadísticas.
        cur.execute(f"VACUUM (ANALYZE) {tabla}")
    print(f"  VACUUM ANALYZE de {servicio} en {time.perf_counter() - t:.0f} s", flush=True)
    cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
    print(f"  {servicio}: {cur.fetchone()[0]} en disco", flush=True)
    con.close()
    return time.perf_counter() - t0


def resumir(servicio, url, completo):
    """El COPY no pasa por los casos de uso, que marcan cada mes: se marca todo y se rehace, como
    `omm-resumenes --todo` tras una carga masiva."""
    resumen = importlib.import_module(f"{servicio}.operaciones").RESUMEN
    motor = crear_motor(url)
    t = time.perf_counter()
    with unidad_de_trabajo(motor) as uow:
        n = resumen.rehacer(uow.sesion, completo)
    with motor.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        tablas = c.execute(sa.text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'resumen%'")).scalars().all()
        for tabla in tablas:
            c.exec_driver_sql(f"VACUUM (ANALYZE) {tabla}")  # como tras un autovacuum
    motor.dispose()
    print(f"  {servicio}: {n:,} meses de municipio resumidos en {time.perf_counter() - t:.0f} s", flush=True)


@contextmanager
def _admin():
    con = psycopg2.connect(PG_ADMIN)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            yield cur
    finally:
        con.close()


def bases_conservadas(registros):
    """Las bases de nombre fijo de --conservar: reutilizables si su marca dice el mismo --registros."""
    base = PG_ADMIN.rsplit("/", 1)[0]
    urls = {s: f"{base}/omm_bench_region_{s}" for s in CARGADOS}
    with _admin() as cur:
        cur.execute("SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ANY(%s)",
                    ([u.rsplit("/", 1)[1] for u in urls.values()],))
        marcas = dict(cur.fetchall())
    listas = all(marcas.get(u.rsplit("/", 1)[1]) == f"{MARCA}{registros}" for u in urls.values())
    if not listas:
        for u in urls.values():
            borrar_base_pg(u)
            with _admin() as cur:
                cur.execute(f'CREATE DATABASE "{u.rsplit("/", 1)[1]}"')
    return urls, listas


def marcar(urls, registros):
    with _admin() as cur:
        for u in urls.values():
            cur.execute(f'COMMENT ON DATABASE "{u.rsplit("/", 1)[1]}" IS %s', (f"{MARCA}{registros}",))


def contar(urls):
    total = {}
    for s, u in urls.items():
        con = psycopg2.connect(u)
        with con.cursor() as cur:
            for tabla in TABLAS[s]:
                cur.execute(f"SELECT count(*) FROM {tabla}")
                total[tabla] = cur.fetchone()[0]
        con.close()
    return total


def preparar_mancomunidades(url_gateway, miembros):
    """La demo deja MAMCOPAZ; aquí tiene 10 miembros, y PAIS (con su usuaria) espera a los demás."""
    motor = crear_motor(url_gateway)
    with unidad_de_trabajo(motor) as uow:
        s = uow.sesion
        for m in miembros:
            s.get(Municipio, m).mancomunidad = "MAMCOPAZ"
        s.add(Mancomunidad(codigo="PAIS", nombre="Todo el país (bench)"))
        s.flush()
        s.add(Usuario(usuario="mancomunidad.pais", nombre="Técnica PAIS", rol="mancomunidad", mancomunidad="PAIS",
                      hash_contrasena=auth.hashear(CONTRASENA_PRUEBAS)))
    motor.dispose()


def todo_el_pais(url_gateway):
    motor = crear_motor(url_gateway)
    with unidad_de_trabajo(motor) as uow:
        uow.sesion.execute(sa.update(Municipio).values(mancomunidad="PAIS"))
    motor.dispose()


def esperar_quietud(urls, maximo=600):
    """Una RPC que el gateway abandonó (503 a los 20 s) sigue en su servicio: se espera a que termine para
    que la próxima medición no compita con ella."""
    nombres = [u.rsplit("/", 1)[1] for u in urls.values()]
    limite = time.time() + maximo
    while time.time() < limite:
        with _admin() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(%s) AND state = 'active' "
                        "AND pid <> pg_backend_pid()", (nombres,))
            if cur.fetchone()[0] == 0:
                break
        time.sleep(1)
    time.sleep(3)  # lo que el servicio hace en Python después de su consulta


def medir(api, usuaria, desde, hasta, veces, urls):
    cabeceras = {"Authorization": f"Bearer {api.token(usuaria)}"}
    tiempos, ultima = [], None
    for _ in range(veces):
        esperar_quietud(urls)
        t0 = time.perf_counter()
        try:
            r = api.http.get(f"{api.base}/api/v1/region/estadisticas", params={"desde": desde, "hasta": hasta},
                             headers=cabeceras, timeout=300)
        except requests.RequestException as exc:
            print(f"    error: {exc!r}")
            continue
        tiempos.append(time.perf_counter() - t0)
        if r.status_code != 200:
            print(f"    HTTP {r.status_code} en {tiempos[-1]:.2f} s: {r.text[:200]}")
        ultima = r
    return tiempos, ultima


def resumen(r):
    if r is None or r.status_code != 200:
        return "sin respuesta 200"
    d = r.json()
    entregas = sum(x["entregas"] for x in d["ayudas"]["totales"].values())
    return (f"{len(d['municipios'])} municipios; casos {d['casos']['casos']['total']}, entregas {entregas:,}, "
            f"sesiones {d['capacitaciones']['total'].get('sesiones_realizadas', 0):,}; "
            f"respuesta {len(r.content) / 1e6:.1f} MB")


def por_servicio(amqp, desde, hasta, municipios, urls):
    """Cada RPC `agregados` sola (sin las otras en paralelo) y el tamaño de lo que devuelve."""
    partes = []
    for s in SERVICIOS:
        esperar_quietud(urls)
        with cliente_rpc(amqp, token_de_servicio("gateway"), timeout=300) as rpc:
            t0 = time.perf_counter()
            try:
                salida = getattr(rpc, s).agregados(desde, hasta, municipios)
            except Exception as exc:  # una cifra que falla no impide ver las otras
                partes.append(f"{s} error {type(exc).__name__}")
                continue
            partes.append(f"{s} {time.perf_counter() - t0:.2f} s ({len(json.dumps(salida)) / 1e6:.1f} MB)")
    return "; ".join(partes)


def imprimir(nombre, tiempos, r):
    if tiempos:
        print(f"{nombre}: p50 {statistics.median(tiempos):.2f} s, máx {max(tiempos):.2f} s "
              f"({len(tiempos)} veces: {', '.join(f'{t:.2f}' for t in tiempos)})")
    else:
        print(f"{nombre}: sin tiempos")
    print(f"  {resumen(r)}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--registros", type=int, default=10_000_000)
    p.add_argument("--repeticiones", type=int, default=5)
    p.add_argument("--conservar", action="store_true", help="no borra las bases cargadas; la próxima corrida "
                                                            "con el mismo --registros las reutiliza")
    a = p.parse_args()
    datos = Sintetico(a.registros)
    if a.conservar:
        urls, reutilizar = bases_conservadas(a.registros)
    else:
        urls, reutilizar = {s: crear_base_pg(f"region_{s}") for s in CARGADOS}, False
    otras = {}
    try:
        t0 = time.perf_counter()
        for s, u in urls.items():
            migrar(s, u)
        if reutilizar:
            print(f"bases conservadas reutilizadas; migraciones al día en {time.perf_counter() - t0:.0f} s")
        else:
            print(f"carga de {a.registros:,} registros sintéticos ({len(datos.municipios)} municipios, "
                  f"{datos.inicio.year}-{datos.fin.year}):", flush=True)
            t0 = time.perf_counter()
            for s, u in urls.items():
                cargar(s, u, datos)
            carga = time.perf_counter() - t0
            if a.conservar:
                marcar(urls, a.registros)
        t0 = time.perf_counter()
        for s, u in urls.items():
            resumir(s, u, completo=not reutilizar)
        print(f"resúmenes por municipio y mes rehechos en {time.perf_counter() - t0:.0f} s", flush=True)
        filas = contar(urls)
        print(f"filas: {sum(filas.values()):,} ({', '.join(f'{t} {n:,}' for t, n in filas.items())})")
        if not reutilizar:
            print(f"tiempo de carga (COPY + índices + VACUUM ANALYZE): {carga / 60:.1f} min", flush=True)
        otras = {s: crear_base_pg(f"region_{s}") for s in ("notificaciones", "gateway", "reportes")}
        migrar("notificaciones", otras["notificaciones"])
        preparar_gateway(otras["gateway"])
        migrar("reportes", otras["reportes"])
        miembros = [m for m in datos.municipios if m.startswith("03")][:10]
        preparar_mancomunidades(otras["gateway"], miembros)
        with vhost_propio("omm_bench") as amqp:
            medir_region(a, datos, amqp, {**urls, **otras}, miembros)
    finally:
        for u in otras.values():
            borrar_base_pg(u)
        if not a.conservar:
            for u in urls.values():
                borrar_base_pg(u)


def medir_region(a, datos, amqp, urls, miembros):
    from notificaciones.service import Notificaciones
    colas.declarar(Notificaciones, amqp)
    logs = Path(tempfile.mkdtemp(prefix="omm-region-"))
    puerto = puerto_libre()
    env = entorno_base(amqp, GATEWAY_DIRECCION=f"127.0.0.1:{puerto}", OMM_VAR=logs, LOG_LEVEL="WARNING",
                       **{f"{s.upper()}_DB_URL": u for s, u in urls.items()})
    # Reportes compone la región (el gateway solo valida y pasa): se mide a través de él, como en producción.
    con_reportes = {**SERVICIOS, "reportes": "Reportes"}
    procesos = [proceso_nameko(s, c, env, logs).iniciar() for s, c in {**con_reportes, "gateway": "Gateway"}.items()]
    try:
        for s in con_reportes:
            esperar_ping(amqp, s, 90)
        api = ClienteHTTP(f"http://127.0.0.1:{puerto}")
        # Solo servicios y gateway: /health da «degradado» sin relays ni Celery, que aquí no hacen falta.
        esperar(lambda: {s: "ok" for s in con_reportes}.items()
                <= requests.get(f"{api.base}/health", timeout=5).json()["servicios"].items(), 60,
                mensaje="servicios sanos")
        anio = datos.fin.year
        desde, hasta = f"{anio}-01-01", f"{anio}-12-31"
        print(f"\nmancomunidad-año (MAMCOPAZ, {len(miembros)} municipios, {anio}):")
        imprimir("  GET /api/v1/region/estadisticas", *medir(api, "mancomunidad.mamcopaz", desde, hasta,
                                                             a.repeticiones, urls))
        print(f"  por RPC sola: {por_servicio(amqp, desde, hasta, miembros, urls)}", flush=True)

        todo_el_pais(urls["gateway"])
        desde, hasta = datos.inicio.isoformat(), datos.fin.isoformat()
        print(f"\npaís-década (PAIS, {len(datos.municipios)} municipios, {desde} a {hasta}):")
        imprimir("  GET /api/v1/region/estadisticas", *medir(api, "mancomunidad.pais", desde, hasta, a.repeticiones,
                                                             urls))
        print(f"  por RPC sola: {por_servicio(amqp, desde, hasta, datos.municipios, urls)}", flush=True)
        print(f"\nregistros de los procesos: {logs}")
    finally:
        for pr in reversed(procesos):
            pr.detener()


if __name__ == "__main__":
    main()
