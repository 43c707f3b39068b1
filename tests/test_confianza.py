"""Issue 16, hallazgos 2 y 3, jugados como quien ataca desde dentro contra el sistema real:

- publica en el broker un CasoDerivado inventado (sin firma, o firmado con la clave robada de otro servicio) que
  apunta a una derivación real de otro municipio, para que los datos de la sobreviviente lleguen a «su» CIS;
- manda por AMQP, directo a casos.obtener_caso, el token de la API de una usuaria (también ya desactivada).
Ninguno obtiene nada; una derivación de verdad sí llega (la prueba puede fallar).
"""
import re
import time
import uuid

import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.events import event_dispatcher

import omm_pruebas
from casos.contrato import CasoDerivado
from omm_common.eventos import crear_sobre, firmar_sobre
from omm_pruebas import cliente_rpc, esperar
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

M, OTRO = "0410", "0411"
NOMBRE = "Casilda Orellana"


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    for rol, m in (("tecnica", M), ("coordinadora", M), ("cis", M), ("coordinadora", OTRO), ("cis", OTRO)):
        r = api.post("/api/v1/usuarios", "admin", json={
            "usuario": f"{rol}.{m}", "nombre": f"{rol} {m}", "rol": rol, "municipio": m,
            "contrasena": omm_pruebas.CONTRASENA_PRUEBAS})
        assert r.status_code in (201, 409), r.text
    for m in (M, OTRO):
        r = api.put("/api/v1/notificaciones/destinatarios", f"coordinadora.{m}",
                    json={"clave": "cis", "nombre": f"CIS {m}", "email": f"cis.{m}@salud.prueba.hn"})
        assert r.status_code == 200, r.text
    return api


def _caso(api):
    hoy = hoy_honduras().isoformat()
    r = api.post("/api/v1/casos", f"tecnica.{M}", json={
        "fecha_atencion": hoy, "fecha_incidente": hoy,
        "sobreviviente": {"nombres": "Casilda", "apellidos": "Orellana", "comunidad": "Centro",
                          "telefono": "+504 9555-4410"},
        "tipos_violencia": ["sexual"], "contexto": "comunitaria", "relato": "relato de prueba",
        "nivel_riesgo": "extremo", "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}})
    assert r.status_code == 201, r.text
    return r.json()


def _bandeja(api, usuaria):
    return api.get("/api/v1/notificaciones", usuaria, params={"por_pagina": 200}).json()["items"]


def test_un_caso_derivado_inventado_no_lleva_a_la_sobreviviente_a_otro_cis(api, sistema, smtp):
    caso = _caso(api)
    d = api.post(f"/api/v1/casos/{caso['id']}/derivaciones", f"tecnica.{M}",
                 json={"destino": "cis", "motivo": "Profilaxis", "urgente": True})
    assert d.status_code == 201, d.text
    # Control: la derivación verdadera llega al CIS de su municipio con el nombre (hubo consentimiento).
    esperar(lambda: any(NOMBRE in (n["mensaje"] or "") for n in _bandeja(api, f"cis.{M}")), 60, mensaje="aviso verdadero")

    evento = CasoDerivado(caso_id=caso["id"], codigo=caso["codigo"], derivacion_id=d.json()["id"], destino="cis",
                          urgente=True, motivo_urgencia="violencia_sexual_72h", tipos_violencia=("sexual",),
                          horas_desde_incidente=1)
    sobre = crear_sobre(CasoDerivado.tipo_evento, OTRO, evento.datos())
    intentos = {
        "sin firma": sobre,
        "firmado con la clave de ayudas": firmar_sobre({**sobre, "id": str(uuid.uuid4())}, "ayudas"),
        "de casos, con el municipio cambiado": {**firmar_sobre({**sobre, "id": str(uuid.uuid4()),
                                                                "municipio": M}, "casos"), "municipio": OTRO},
    }
    publicar = event_dispatcher({"AMQP_URI": sistema.amqp})
    for sobre_falso in intentos.values():
        publicar("casos", CasoDerivado.tipo_evento, sobre_falso)
    esperar(lambda: len(re.findall(r"evento descartado", sistema.log("notificaciones"))) >= len(intentos), 60,
            mensaje="los tres eventos inventados descartados por notificaciones")
    time.sleep(2)  # lo que hubiera pasado ya habría pasado: el aviso verdadero tardó menos
    assert not any(NOMBRE in (n["mensaje"] or "") for n in _bandeja(api, f"cis.{OTRO}")), "el nombre llegó a otro CIS"
    assert smtp.para(f"cis.{OTRO}@salud.prueba.hn") == []


def test_el_token_de_la_api_no_abre_casos_por_amqp_ni_antes_ni_despues_de_desactivar(api, sistema):
    caso = _caso(api)
    r = api.post("/api/v1/usuarios", "admin", json={
        "usuario": f"tecnica2.{M}", "nombre": "Técnica que se va", "rol": "tecnica", "municipio": M,
        "contrasena": omm_pruebas.CONTRASENA_PRUEBAS})
    assert r.status_code in (201, 409), r.text
    token_api = api.token(f"tecnica2.{M}")
    assert api.get(f"/api/v1/casos/{caso['id']}", f"tecnica2.{M}").status_code == 200  # por el gateway, sí
    # Directo al broker, con el token de la API: los servicios solo aceptan los de minutos del gateway.
    with cliente_rpc(sistema.amqp, token_api) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.casos.obtener_caso(caso["id"])
    assert "NO_AUTENTICADO" in str(e.value) and NOMBRE not in str(e.value)
    uid = api.get("/api/v1/yo", f"tecnica2.{M}").json()["id"]
    assert api.patch(f"/api/v1/usuarios/{uid}", "admin", json={"activo": False}).status_code == 200
    with cliente_rpc(sistema.amqp, token_api) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.casos.obtener_caso(caso["id"])
    assert "NO_AUTENTICADO" in str(e.value)
    assert api.get(f"/api/v1/casos/{caso['id']}", f"tecnica2.{M}").status_code == 401
