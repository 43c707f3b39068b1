"""Observable: el X-Request-Id de una solicitud recorre gateway -> ayudas -> outbox/relay -> notificaciones ->
Celery y está en cada línea de log (JSON) de cada proceso que la tocó; /metrics en formato Prometheus;
/health cubre relays, worker y beat. Sistema real (RabbitMQ, PostgreSQL, SMTP)."""
import json
import re
import uuid

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from omm_pruebas import esperar

pytestmark = pytest.mark.integracion

CIS_0309 = "cis.0309@salud.prueba.hn"
TECNICA = "tecnica.0309"
# Datos sembrados que nunca deben aparecer en un log ni en una métrica.
NOMBRES, APELLIDOS = "Rosaura", "Maldonado Quiroz"
DNI = "0309-1962-00513"
PROCESOS_DE_LA_ENTREGA = ("gateway", "ayudas", "relays", "notificaciones", "celery_worker")
TODOS = PROCESOS_DE_LA_ENTREGA + ("casos", "capacitaciones", "celery_beat")


def _lineas_con(sistema, nombre, texto):
    return [linea for linea in sistema.log(nombre).splitlines() if texto in linea]


@pytest.fixture(scope="module")
def entrega_rastreada(sistema, smtp):
    """Una entrega de ayuda para medicamentos (avisa al CIS por correo) pedida con un X-Request-Id propio."""
    api = sistema.api
    for c in ({"clave": "cis", "nombre": "CIS 0309", "email": CIS_0309, "telefono": "+504 2700-0000"},
              {"clave": "coordinadora", "nombre": "OMM 0309", "email": "omm.0309@prueba.hn"}):
        assert api.put("/api/v1/notificaciones/destinatarios", "coordinadora.0309", json=c).status_code == 200
    r = api.post("/api/v1/ayudas/tipos", TECNICA, json={
        "codigo": "med_obs", "nombre": "Medicamentos (observabilidad)", "categoria": "economica_medicamentos",
        "unidad": "lempiras", "frecuencia_dias": 30, "monto_maximo": 1500})
    assert r.status_code == 201, r.text
    r = api.post("/api/v1/ayudas/beneficiarias", TECNICA, json={
        "nombres": NOMBRES, "apellidos": APELLIDOS, "dni": DNI, "fecha_nacimiento": "1962-03-09",
        "telefono": "+504 9911-2233", "comunidad": "Las Flores", "condiciones": ["enfermedad_base"],
        "consentimiento_salud": True})
    assert r.status_code == 201, r.text
    beneficiaria = r.json()
    # Una búsqueda por nombre: la consulta de la URL tampoco llega al log.
    assert api.get("/api/v1/ayudas/beneficiarias", TECNICA, params={"q": APELLIDOS}).status_code == 200

    solicitud = f"obs-{uuid.uuid4().hex}"
    antes = len(smtp.para(CIS_0309))
    r = api.post("/api/v1/ayudas/entregas", TECNICA, json={
        "beneficiaria_id": beneficiaria["id"], "tipo_codigo": "med_obs", "cantidad": 1, "monto": 900,
        "fecha": "2026-11-21"}, cabeceras={"X-Request-Id": solicitud})
    assert r.status_code == 201, r.text
    assert r.headers["X-Request-Id"] == solicitud
    esperar(lambda: len(smtp.para(CIS_0309)) > antes, 60, mensaje="correo al CIS")
    return solicitud


def test_el_id_de_solicitud_esta_en_cada_proceso_que_la_toco_y_en_json(sistema, entrega_rastreada):
    solicitud = entrega_rastreada
    # El worker escribe su línea al terminar el envío: puede llegar un instante después del correo.
    esperar(lambda: all(_lineas_con(sistema, n, solicitud) for n in PROCESOS_DE_LA_ENTREGA), 30,
            mensaje="el id en el log de cada proceso")
    for nombre in PROCESOS_DE_LA_ENTREGA:
        for linea in _lineas_con(sistema, nombre, solicitud):
            registro = json.loads(linea)  # toda línea que lo lleva es un objeto JSON
            assert registro["solicitud"] == solicitud, (nombre, linea)
            assert registro["servicio"] == nombre and registro["nivel"] and registro["instante"], linea
    # Lo que dice cada uno: la solicitud HTTP, el RPC, el evento publicado y aplicado, el envío.
    assert any("POST /api/v1/ayudas/entregas" in json.loads(x)["mensaje"]
               for x in _lineas_con(sistema, "gateway", solicitud))
    assert any(json.loads(x).get("entrada") == "registrar_entrega" for x in _lineas_con(sistema, "ayudas", solicitud))
    assert any("AyudaEntregada" in json.loads(x)["mensaje"] for x in _lineas_con(sistema, "relays", solicitud))
    assert any("aplicado" in json.loads(x)["mensaje"] for x in _lineas_con(sistema, "notificaciones", solicitud))
    assert any("enviada por email" in json.loads(x)["mensaje"]
               for x in _lineas_con(sistema, "celery_worker", solicitud))


def test_ningun_log_tiene_los_datos_de_la_beneficiaria(sistema, entrega_rastreada):
    dni = DNI.replace("-", "")
    for nombre in TODOS:
        texto = sistema.log(nombre)
        for dato in (NOMBRES, APELLIDOS, "Maldonado", "Quiroz", DNI, dni, "9911-2233"):
            assert dato not in texto, (nombre, dato)


def test_sin_cabecera_el_gateway_genera_el_id_y_lo_devuelve(sistema):
    api = sistema.api
    uno, otro = api.get("/api/v1/municipios", TECNICA), api.get("/api/v1/municipios", TECNICA)
    assert uno.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", uno.headers["X-Request-Id"])
    assert uno.headers["X-Request-Id"] != otro.headers["X-Request-Id"]
    # Uno que no cumple la forma (espacios, demasiado largo) se reemplaza: no entra así a logs ni cabeceras.
    raro = api.get("/api/v1/municipios", TECNICA, cabeceras={"X-Request-Id": "con espacios y; punto y coma"})
    assert re.fullmatch(r"[0-9a-f]{32}", raro.headers["X-Request-Id"])
    # También en un 404 de una ruta que no existe.
    assert re.fullmatch(r"[0-9a-f]{32}", api.get("/no/existe").headers["X-Request-Id"])


def _metricas(sistema):
    r = requests.get(f"{sistema.api.base}/metrics", timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain")
    return r.text, {f.name: f for f in text_string_to_metric_families(r.text)}


def test_metrics_en_formato_prometheus_sin_rutas_crudas_ni_datos_personales(sistema, entrega_rastreada):
    api = sistema.api
    desconocida = str(uuid.uuid4())
    assert api.get(f"/api/v1/ayudas/beneficiarias/{desconocida}", TECNICA).status_code == 404
    texto, familias = _metricas(sistema)

    http = [s for s in familias["omm_http_solicitudes"].samples if s.name == "omm_http_solicitudes_total"]
    assert any(s.labels == {"ruta": "/api/v1/ayudas/entregas", "metodo": "POST", "estado": "201"} and s.value >= 1
               for s in http)
    assert any(s.labels["ruta"] == "/api/v1/ayudas/beneficiarias/<beneficiaria_id>" and s.labels["estado"] == "404"
               for s in http)
    assert any(s.name == "omm_http_duracion_segundos_count" and s.labels["ruta"] == "/api/v1/ayudas/entregas"
               for s in familias["omm_http_duracion_segundos"].samples)
    # Plantillas, nunca la ruta con su id ni la consulta (?q=<apellidos>).
    assert desconocida not in texto and "?" not in "".join(s.labels["ruta"] for s in http)

    for metrica in ("omm_outbox_pendientes", "omm_outbox_antiguedad_segundos"):
        servicios = {s.labels["servicio"]: s.value for s in familias[metrica].samples}
        assert set(servicios) == {"casos", "ayudas", "capacitaciones", "notificaciones"}, metrica
        assert all(v >= 0 for v in servicios.values())
    avisos = {(s.labels["estado"], s.labels["canal"]): s.value for s in familias["omm_notificaciones"].samples}
    assert avisos.get(("enviada", "email"), 0) >= 1, avisos
    cola = {s.labels["cola"]: s.value for s in familias["omm_celery_cola_mensajes"].samples}
    assert "notificaciones.envios" in cola and cola["notificaciones.envios"] >= 0
    consumidores = {s.labels["cola"]: s.value for s in familias["omm_celery_cola_consumidores"].samples}
    assert consumidores["notificaciones.envios"] >= 1  # el worker de Celery
    salud = {s.labels["componente"]: s.value for s in familias["omm_salud"].samples}
    assert {"relays", "celery_worker", "celery_beat", "ayudas"} <= set(salud)

    for dato in (NOMBRES, APELLIDOS, DNI, DNI.replace("-", "")):
        assert dato not in texto


def _salud(sistema):
    r = requests.get(f"{sistema.api.base}/health", timeout=10)
    return r.status_code, r.json()


def test_health_cubre_relays_worker_y_beat(sistema):
    def todo_ok():
        estado, cuerpo = _salud(sistema)
        return estado == 200 and cuerpo["estado"] == "ok" and cuerpo
    cuerpo = esperar(todo_ok, 30, mensaje="sistema sano")
    assert {"casos", "ayudas", "capacitaciones", "notificaciones", "gateway", "relays", "celery_worker",
            "celery_beat"} <= set(cuerpo["servicios"])


def test_health_degradado_nombra_a_los_relays_detenidos(sistema):
    sistema.procesos["relays"].detener()
    try:
        def relays_caidos():
            estado, cuerpo = _salud(sistema)
            return estado == 503 and cuerpo["servicios"]["relays"] == "caido" and cuerpo
        cuerpo = esperar(relays_caidos, 40, mensaje="/health ve los relays caídos")
        assert cuerpo["estado"] == "degradado"
        # Lo demás sigue bien: solo se nombra lo que falta.
        assert {k for k, v in cuerpo["servicios"].items() if v != "ok"} == {"relays"}
        # El gateway mismo sigue atendiendo: su sonda de disponibilidad no cae con los relays.
        propia = requests.get(f"{sistema.api.base}/health/gateway", timeout=10)
        assert propia.status_code == 200 and propia.json() == {"estado": "ok"}
    finally:
        sistema.iniciar("relays")  # el sistema es de toda la sesión: se deja como estaba
    esperar(lambda: _salud(sistema)[1]["estado"] == "ok", 30, mensaje="relays de vuelta")
