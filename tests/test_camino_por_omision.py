"""El camino de quien llega: `scripts/run` tal cual (SQLite por omisión, y PostgreSQL) y la sesión del README.

Cada pila es el comando del README con su propio OMM_VAR, vhost y puerto, y la demo cargada. Sobre las
dos bases corren: los bloques de código del README (leídos del README: no pueden separarse), escrituras
repetidas con la misma Idempotency-Key (en serie y a la vez), y las tareas del calendario de Celery
(escalamiento de una derivación urgente sin acuse, recordatorio del club a las 23:30 de Honduras,
seguimiento vencido) enviadas por el broker al worker real.
"""
import json
import os
import re
import signal
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest
import requests
from celery import Celery

from omm_common.broker import borrar_usuarios
from omm_pruebas import ClienteHTTP, _fabrica_bases, esperar, puerto_libre, vhost_propio
from omm_common.tiempo import ahora_utc, hoy_honduras

pytestmark = pytest.mark.integracion

RAIZ = Path(__file__).resolve().parents[1]
DEMO = "demo-omm-2026"
SERVICIOS = ("gateway", "casos", "ayudas", "capacitaciones", "notificaciones", "reportes")
M = "0309"


class Pila:
    def __init__(self, base, amqp, carpeta, log):
        self.base, self.amqp, self.carpeta, self.log = base, amqp, carpeta, log
        self.api = ClienteHTTP(base, contrasena=DEMO)

    def salida(self):
        return self.log.read_text(errors="replace")

    def tarea(self, nombre, **kwargs):
        """Una tarea del calendario, por el broker, al worker de Celery de la pila (la misma que manda beat);
        devuelve lo que la tarea respondió, leído de la línea «succeeded» del log del worker."""
        app = Celery(broker=self.amqp)
        # El mismo intercambio y la misma cola que usan beat y el worker (notificaciones.tareas).
        from notificaciones.tareas import app as de_notificaciones
        app.conf.update({k: de_notificaciones.conf[k] for k in (
            "task_default_queue", "task_default_exchange", "task_default_exchange_type", "task_default_routing_key")})
        try:
            tarea_id = app.send_task(f"notificaciones.tareas.{nombre}", kwargs=kwargs,
                                     queue="notificaciones.envios").id
        finally:
            app.close()
        patron = re.compile(re.escape(f"[{tarea_id}] succeeded in") + r" [0-9.]+s: (\d+)")
        return int(esperar(lambda: patron.search(self.salida()), 60, mensaje=f"tarea {nombre}").group(1))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pila(request, tmp_path_factory, smtp, servidor_http):
    base_datos = request.param
    with vhost_propio() as amqp, _fabrica_bases() as base_pg:
        carpeta = tmp_path_factory.mktemp(f"scripts-run-{base_datos}")
        puerto = puerto_libre()
        env = {k: v for k, v in os.environ.items() if not k.endswith("_DB_URL") and k != "OMM_PG_URL"}
        # Sin AMQP_URI, como en el README: scripts/run crea un usuario del broker por proceso (en este vhost y con
        # nombres propios de la prueba).
        vhost = amqp.rsplit("/", 1)[1]
        env.pop("AMQP_URI", None)
        env.update(OMM_AMQP_BASE=f"amqp://127.0.0.1:5672/{vhost}", OMM_BROKER_PREFIJO=vhost)
        env.update(OMM_VAR=str(carpeta / "var"), GATEWAY_DIRECCION=f"127.0.0.1:{puerto}",
                   SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.puerto), SMTP_REMITENTE="omm@prueba.hn",
                   SMS_URL=f"{servidor_http.url}/sms", SMS_CLAVE="clave-sms-pruebas", NOTIFICACIONES_ESPERA_BASE="0.3")
        if base_datos == "postgresql":
            env.update({f"{s.upper()}_DB_URL": base_pg(f"run_{s}") for s in SERVICIOS})
        log = carpeta / "scripts-run.log"
        with open(log, "wb") as salida:
            proceso = subprocess.Popen(["bash", str(RAIZ / "scripts" / "run")], cwd=RAIZ, env=env, stdout=salida,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        p = Pila(f"http://127.0.0.1:{puerto}", amqp, carpeta, log)
        try:
            esperar(lambda: proceso.poll() is None and "==> OMM en" in p.salida(), 600, 1,
                    mensaje=f"scripts/run en marcha con {base_datos}")
            assert "AVISO: la carga de la demo falló" not in p.salida(), p.salida()[-3000:]
            yield p
        finally:
            if proceso.poll() is None:
                os.killpg(proceso.pid, signal.SIGTERM)
                try:
                    proceso.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(proceso.pid, signal.SIGKILL)
                    proceso.wait(10)
            borrar_usuarios(vhost)


def _bloques_del_readme():
    """Los bloques de la sesión con curl contra $API (los de producción, con docker o kubectl, no)."""
    bloques = re.findall(r"^```sh\n(.*?)^```", (RAIZ / "README.md").read_text(), re.S | re.M)
    return [b for b in bloques if "$API" in b]


def _objetos_json(texto):
    """Los JSON que las órdenes curl del README escriben uno tras otro, sin separador."""
    decodificador, i, objetos = json.JSONDecoder(), 0, []
    while i < len(texto):
        if texto[i] in "{[":
            objeto, i = decodificador.raw_decode(texto, i)
            objetos.append(objeto)
        else:
            i += 1
    return objetos


def test_la_sesion_del_readme_tal_cual(pila, smtp, tmp_path):
    bloques = _bloques_del_readme()
    assert len(bloques) >= 2 and "Idempotency-Key: entrega-marta-1" in bloques[0]
    # Igual que en una terminal, salvo que una respuesta 4xx/5xx de curl detiene la sesión con su cuerpo.
    guion = "set -euo pipefail\ncurl() { command curl --fail-with-body \"$@\"; }\n" + "\n".join(bloques)
    r = subprocess.run(["bash", "-c", guion], cwd=tmp_path, env={**os.environ, "API": pila.base},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    objetos = _objetos_json(r.stdout)
    entrega = next(o for o in objetos if isinstance(o, dict) and o.get("tipo_codigo") == "ayuda_medicamentos")
    assert next(o for o in objetos if isinstance(o, dict) and "servicios" in o)["estado"] == "ok"
    assert (tmp_path / "informe.pdf").read_bytes()[:5] == b"%PDF-"

    # «Repetir con la misma Idempotency-Key devuelve la misma entrega».
    otra = pila.api.post("/api/v1/ayudas/entregas", f"tecnica.{M}", cabeceras={"Idempotency-Key": "entrega-marta-1"},
                         json={"beneficiaria_id": entrega["beneficiaria_id"], "tipo_codigo": "ayuda_medicamentos",
                               "cantidad": 1, "monto": 800, "fecha": entrega["fecha"]})
    assert otra.status_code == 201 and otra.json()["id"] == entrega["id"], otra.text
    # «El CIS recibe el aviso por correo y en su bandeja».
    esperar(lambda: any("Marta Rodríguez" in t for t in smtp.textos(f"cis.{M}@salud.demo.hn")), 60,
            mensaje="correo al CIS de la entrega del README")
    bandeja = pila.api.get("/api/v1/notificaciones", f"cis.{M}", params={"por_pagina": 200}).json()["items"]
    assert any(n["evento_tipo"] == "AyudaEntregada" and "Marta Rodríguez" in (n["mensaje"] or "") for n in bandeja)
    assert "ERROR_INTERNO" not in pila.salida() and "Error interno" not in pila.salida()


def _en_paralelo(pila, usuario, ruta, cuerpo, clave, n=6):
    cabeceras = {"Authorization": f"Bearer {pila.api.token(usuario)}", "Idempotency-Key": clave}
    with ThreadPoolExecutor(n) as hilos:
        return list(hilos.map(lambda _: requests.post(f"{pila.base}{ruta}", json=cuerpo, headers=cabeceras,
                                                       timeout=60), range(n)))


@pytest.mark.parametrize("usuario, ruta, cuerpo", [
    ("admin", "/api/v1/usuarios", lambda i: {
        "usuario": f"tecnica.nueva.{i}", "nombre": "Técnica Nueva", "rol": "tecnica", "municipio": M,
        "contrasena": "una-contrasena-larga"}),
    (f"tecnica.{M}", "/api/v1/ayudas/beneficiarias", lambda i: {
        "nombres": "Idempotente", "apellidos": f"Prueba {i}", "dni": f"0309-1970-{i:05d}",
        "fecha_nacimiento": "1970-01-01", "comunidad": "Centro", "consentimiento_salud": False}),
], ids=["usuarios", "beneficiarias"])
def test_escritura_con_clave_primera_repetida_y_simultanea(pila, usuario, ruta, cuerpo):
    sufijo = uuid.uuid4().int % 90000
    primera = pila.api.post(ruta, usuario, json=cuerpo(sufijo), cabeceras={"Idempotency-Key": f"k-{sufijo}"})
    assert primera.status_code == 201, primera.text
    repetida = pila.api.post(ruta, usuario, json=cuerpo(sufijo), cabeceras={"Idempotency-Key": f"k-{sufijo}"})
    assert (repetida.status_code, repetida.json()) == (201, primera.json())
    # Seis clics a la vez con otra clave: una sola creación, la misma respuesta para todas.
    respuestas = _en_paralelo(pila, usuario, ruta, cuerpo(sufijo + 1), f"k-{sufijo + 1}")
    assert {r.status_code for r in respuestas} == {201}, [r.text for r in respuestas]
    assert len({r.json()["id"] for r in respuestas}) == 1
    assert pila.api.post(ruta, usuario, json=cuerpo(sufijo + 1)).json()["error"] == "DUPLICADO"


def test_entrega_con_clave_primera_repetida_y_simultanea(pila):
    tecnica = f"tecnica.{M}"
    b = pila.api.post("/api/v1/ayudas/beneficiarias", tecnica, json={
        "nombres": "Clave", "apellidos": "Entrega", "dni": f"0309-1965-{uuid.uuid4().int % 90000:05d}",
        "fecha_nacimiento": "1965-01-01", "comunidad": "Centro", "consentimiento_salud": False}).json()
    hoy = hoy_honduras().isoformat()
    cuerpo = {"beneficiaria_id": b["id"], "tipo_codigo": "ayuda_medicamentos", "cantidad": 1, "monto": 100,
              "fecha": hoy}
    primera = pila.api.post("/api/v1/ayudas/entregas", tecnica, json=cuerpo, cabeceras={"Idempotency-Key": "e-1"})
    assert primera.status_code == 201, primera.text
    repetida = pila.api.post("/api/v1/ayudas/entregas", tecnica, json=cuerpo, cabeceras={"Idempotency-Key": "e-1"})
    assert (repetida.status_code, repetida.json()) == (201, primera.json())
    otra = {**cuerpo, "tipo_codigo": "bolsa_alimentos", "monto": None}
    respuestas = _en_paralelo(pila, tecnica, "/api/v1/ayudas/entregas", otra, "e-2")
    assert {r.status_code for r in respuestas} == {201}, [r.text for r in respuestas]
    assert len({r.json()["id"] for r in respuestas}) == 1
    detalle = pila.api.get(f"/api/v1/ayudas/beneficiarias/{b['id']}", tecnica).json()
    assert len(detalle["entregas"]) == 2


def _bandeja(pila, usuaria):
    return pila.api.get("/api/v1/notificaciones", usuaria, params={"por_pagina": 200}).json()["items"]


def _caso(pila, dias_incidente=0):
    hoy = hoy_honduras()
    r = pila.api.post("/api/v1/casos", f"tecnica.{M}", json={
        # Atendido el día del incidente: un seguimiento no puede ser anterior a la atención.
        "fecha_atencion": (hoy - timedelta(days=dias_incidente)).isoformat(),
        "fecha_incidente": (hoy - timedelta(days=dias_incidente)).isoformat(),
        "sobreviviente": {"nombres": "Sobreviviente", "apellidos": "Ficticia", "comunidad": "Centro"},
        "tipos_violencia": ["sexual"], "contexto": "comunitaria", "relato": "relato de prueba",
        "nivel_riesgo": "alto", "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}})
    assert r.status_code == 201, r.text
    return r.json()


def test_derivacion_urgente_sin_acuse_escala_una_sola_vez(pila):
    caso = _caso(pila)
    d = pila.api.post(f"/api/v1/casos/{caso['id']}/derivaciones", f"tecnica.{M}",
                      json={"destino": "cis", "motivo": "Atención médica", "urgente": False})
    assert d.status_code == 201 and d.json()["urgente"] is True, d.text
    esperar(lambda: any(n["urgente"] and caso["codigo"] in (n["mensaje"] or "") for n in _bandeja(pila, f"cis.{M}")),
            60, mensaje="derivación urgente en la bandeja del CIS")

    def escalamientos():
        return [n for n in _bandeja(pila, f"coordinadora.{M}")
                if n["regla"] == "escalamiento" and caso["codigo"] in (n["asunto"] or "")]
    # Nadie del CIS confirmó: tres horas después, el beat (aquí la misma tarea con ese instante) escala.
    despues = (ahora_utc() + timedelta(hours=3)).isoformat()
    assert pila.tarea("escalar_urgentes", ahora=despues) >= 1
    esperar(lambda: escalamientos() and all(n["estado"] == "enviada" for n in escalamientos()), 60,
            mensaje="escalamiento a la coordinadora")
    antes = len(escalamientos())
    assert pila.tarea("escalar_urgentes", ahora=despues) == 0
    pila.tarea("escalar_urgentes", ahora=(ahora_utc() + timedelta(hours=5)).isoformat())
    assert len(escalamientos()) == antes


def test_recordatorio_del_club_a_las_2330_de_honduras(pila, servidor_http):
    hoy = hoy_honduras()
    telefono = f"+504 9{uuid.uuid4().int % 10**7:07d}"
    r = pila.api.post("/api/v1/capacitaciones", f"tecnica.{M}", json={
        "titulo": "Club de embarazadas del CIS", "tipo": "club_embarazadas", "institucion": "CIS", "lugar": "CIS",
        "sesiones": [{"fecha": (hoy + timedelta(days=1)).isoformat(), "hora": "09:00", "tema": "Control prenatal"},
                     {"fecha": (hoy + timedelta(days=2)).isoformat(), "hora": "09:00", "tema": "Lactancia"}]})
    assert r.status_code == 201, r.text
    club = r.json()
    i = pila.api.post(f"/api/v1/capacitaciones/{club['id']}/inscripciones", f"tecnica.{M}", json={
        "participante": {"nombres": "Embarazada", "apellidos": "Ficticia", "comunidad": "Centro",
                         "telefono": telefono}, "consentimiento_salud": True})
    assert i.status_code == 201, i.text
    # 23:30 del día de hoy en Tegucigalpa = 05:30 UTC de mañana: «mañana» es la sesión de hoy + 1, no la de + 2.
    noche = datetime.combine(hoy + timedelta(days=1), time(5, 30), timezone.utc)
    assert pila.tarea("recordar_sesiones", ahora=noche.isoformat()) >= 1

    def sms():
        return [json.loads(x["cuerpo"]) for x in servidor_http.exitosas("/sms")
                if json.loads(x["cuerpo"])["para"] == telefono]
    esperar(lambda: sms(), 60, mensaje="SMS del recordatorio del club")
    assert pila.tarea("recordar_sesiones", ahora=noche.isoformat()) == 0  # una vez por sesión
    # Un SMS: el de la sesión de mañana en Honduras; la de pasado mañana (mañana en UTC) no se recuerda hoy.
    assert len(sms()) == 1


def test_seguimiento_vencido_con_la_fecha_de_honduras(pila):
    hoy = hoy_honduras()
    vencido, de_hoy = _caso(pila, 10), _caso(pila, 10)
    for caso, proxima in ((vencido, hoy - timedelta(days=3)), (de_hoy, hoy)):
        s = pila.api.post(f"/api/v1/casos/{caso['id']}/seguimientos", f"tecnica.{M}", json={
            "fecha": (hoy - timedelta(days=5)).isoformat(), "tipo": "llamada", "nota": "llamada",
            "proxima_fecha": proxima.isoformat()})
        assert s.status_code == 201, s.text

    def avisos(caso):
        return [n for n in _bandeja(pila, f"coordinadora.{M}")
                if n["evento_tipo"] == "SeguimientoVencido" and caso["codigo"] in (n["mensaje"] or "")]
    # A las 23:30 de hoy en Honduras la cita de hoy aún no vence; la de hace tres días sí.
    noche = datetime.combine(hoy + timedelta(days=1), time(5, 30), timezone.utc)
    assert pila.tarea("revisar_seguimientos", ahora=noche.isoformat()) >= 1
    esperar(lambda: avisos(vencido), 60, mensaje="aviso de seguimiento vencido")
    assert pila.tarea("revisar_seguimientos", ahora=noche.isoformat()) == 0  # una vez por caso y fecha
    assert len(avisos(vencido)) == 1 and avisos(de_hoy) == []


@pytest.mark.parametrize("usuario", ["tecnica.0309", "coordinadora.0309", "cis.0309", "mancomunidad.mamcopaz"])
def test_la_aplicacion_web_en_la_raiz_con_la_demo(pila, request, usuario):
    """Quien abre http://localhost:8000/ tras el comando del README: entra con una usuaria de la demo y recorre
    cada pantalla de su menú en un Chromium de verdad (axe-core, capturas y 360 px en cada una)."""
    from .navegador import Navegador
    n = Navegador(pila.base, f"readme-{request.node.callspec.id}")
    try:
        n.ir("/", "raiz")
        assert n.driver.current_url.endswith("/entrar"), n.driver.current_url
        n.entrar(usuario, DEMO)
        assert n.driver.current_url == pila.base + "/" and "Para hoy" in n.texto, n.texto[:500]
        menu = [a.get_attribute("href") for a in n.todos("nav.menu a")]
        assert len(menu) >= 2, menu
        for enlace in menu:
            n.ir(enlace.replace(pila.base, ""))
            assert "No se pudo completar" not in n.texto and "Error" != n.titulo.split(" · ")[0], \
                (enlace, n.texto[:500])
        r = requests.get(f"{pila.base}/", cookies={c["name"]: c["value"] for c in n.driver.get_cookies()},
                         allow_redirects=False)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
        n.salir()
    finally:
        n.cerrar()


_INSTANTE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _instantes(valor, ruta=""):
    """(ruta, texto) de cada instante ISO 8601 (fecha y hora) dentro de una respuesta JSON."""
    if isinstance(valor, dict):
        for k, v in valor.items():
            yield from _instantes(v, f"{ruta}.{k}")
    elif isinstance(valor, list):
        for i, v in enumerate(valor):
            yield from _instantes(v, f"{ruta}[{i}]")
    elif isinstance(valor, str) and _INSTANTE.match(valor):
        yield ruta, valor


def test_cada_instante_de_las_respuestas_lleva_su_zona(pila):
    """«timestamps ISO 8601 with offset» en SQLite (que no guarda la zona) y en PostgreSQL: las listas de la demo y
    el detalle de lo primero de cada una (caso con su bitácora, beneficiaria con su historial, actividad)."""
    vistos, sin_zona = 0, []
    for usuario, rutas in {f"coordinadora.{M}": [
            "/api/v1/casos", "/api/v1/ayudas/beneficiarias", "/api/v1/ayudas/entregas", "/api/v1/capacitaciones",
            "/api/v1/notificaciones", "/api/v1/usuarios", "/api/v1/ayudas/inventario/movimientos", "/api/v1/yo",
            "/api/v1/casos/agenda", "/api/v1/notificaciones/resumen", "/api/v1/ayudas/tipos",
            "/api/v1/notificaciones/destinatarios", "/api/v1/notificaciones/reglas"],
            f"cis.{M}": ["/api/v1/notificaciones"]}.items():
        for ruta in rutas:
            r = pila.api.get(ruta, usuario)
            assert r.status_code == 200, (ruta, r.text)
            respuestas = [(ruta, r.json())]
            items = r.json().get("items") if isinstance(r.json(), dict) else None
            detalle = {"/api/v1/casos": ["", "/auditoria"], "/api/v1/ayudas/beneficiarias": ["", "/historial"],
                       "/api/v1/capacitaciones": [""]}.get(ruta) if usuario.startswith("coordinadora") else None
            if items and detalle:
                for sufijo in detalle:
                    otra = pila.api.get(f"{ruta}/{items[0]['id']}{sufijo}", usuario)
                    assert otra.status_code == 200, otra.text
                    respuestas.append((f"{ruta}/{{id}}{sufijo}", otra.json()))
            for donde, cuerpo in respuestas:
                for campo, texto in _instantes(cuerpo):
                    vistos += 1
                    if datetime.fromisoformat(texto).tzinfo is None:
                        sin_zona.append((donde, campo, texto))
    assert vistos > 50 and not sin_zona, sin_zona[:20]
