"""Casos por el sistema real: derivación urgente al CIS y seguimiento vencido que llega a la coordinadora."""
from datetime import timedelta

import pytest

from notificaciones.envio import Consultas
from omm_pruebas import esperar
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

M = "0306"


def _bandeja(api, usuaria, tipo):
    items = api.get("/api/v1/notificaciones", usuaria, params={"por_pagina": 200}).json()["items"]
    return [n for n in items if n["evento_tipo"] == tipo]


def test_derivacion_urgente_y_seguimiento_vencido(sistema, smtp):
    api = sistema.api
    for c in ({"clave": "cis", "nombre": "CIS La Libertad", "email": "cis.casos.0306@salud.prueba.hn"},
              {"clave": "coordinadora", "nombre": "OMM La Libertad", "telefono": "+504 2780-0306"}):
        assert api.put("/api/v1/notificaciones/destinatarios", f"coordinadora.{M}", json=c).status_code == 200
    r = api.post("/api/v1/casos", f"tecnica.{M}", json={
        "fecha_atencion": hoy_honduras().isoformat(), "fecha_incidente": hoy_honduras().isoformat(),
        "sobreviviente": {"nombres": "Eulalia", "apellidos": "Varela", "comunidad": "Centro",
                          "telefono": "+504 9555-0101"},
        "tipos_violencia": ["sexual"], "contexto": "comunitaria", "relato": "relato urgente de prueba",
        "nivel_riesgo": "extremo", "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}})
    assert r.status_code == 201, r.text
    caso = r.json()
    d = api.post(f"/api/v1/casos/{caso['id']}/derivaciones", f"tecnica.{M}",
                 json={"destino": "cis", "motivo": "Profilaxis post exposición", "urgente": False})
    assert d.status_code == 201 and d.json()["urgente"] is True, d.text
    esperar(lambda: any(n["canal"] == "bandeja" and n["estado"] == "enviada" and n["urgente"]
                        for n in _bandeja(api, f"cis.{M}", "CasoDerivado")), 60, mensaje="derivación urgente al CIS")
    # Que el correo también haya salido: otra prueba cambia después el contacto del CIS de este municipio.
    esperar(lambda: any(n["canal"] == "email" and n["estado"] in ("enviada", "fallida")
                        for n in _bandeja(api, f"cis.{M}", "CasoDerivado")), 60, mensaje="correo de la derivación")
    assert len(smtp.para("cis.casos.0306@salud.prueba.hn")) == 1
    bandeja = next(n for n in _bandeja(api, f"cis.{M}", "CasoDerivado") if n["canal"] == "bandeja")
    assert "URGENTE" in bandeja["asunto"] and "Eulalia Varela" in bandeja["mensaje"]  # hubo consentimiento
    assert "Profilaxis" not in bandeja["mensaje"]  # el motivo no viaja
    # Un seguimiento con próxima fecha ya pasada; la tarea programada (beat) lo descubre. El seguimiento no
    # puede ser anterior a la atención: en un caso atendido hace diez días.
    hace_diez = (hoy_honduras() - timedelta(days=10)).isoformat()
    r = api.post("/api/v1/casos", f"tecnica.{M}", json={
        "fecha_atencion": hace_diez, "fecha_incidente": hace_diez,
        "sobreviviente": {"nombres": "Eulalia", "apellidos": "Varela", "comunidad": "Centro"},
        "tipos_violencia": ["fisica"], "contexto": "comunitaria", "relato": "relato de prueba",
        "nivel_riesgo": "medio", "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}})
    assert r.status_code == 201, r.text
    caso = r.json()
    s = api.post(f"/api/v1/casos/{caso['id']}/seguimientos", f"tecnica.{M}", json={
        "fecha": (hoy_honduras() - timedelta(days=10)).isoformat(), "tipo": "llamada", "nota": "llamada",
        "proxima_fecha": (hoy_honduras() - timedelta(days=3)).isoformat()})
    assert s.status_code == 201, s.text
    consultas = Consultas(sistema.amqp)
    assert consultas.revisar_seguimientos() >= 1
    assert consultas.revisar_seguimientos() == 0  # una vez por caso y fecha
    esperar(lambda: len(_bandeja(api, f"coordinadora.{M}", "SeguimientoVencido")) == 1, 60,
            mensaje="aviso de seguimiento vencido")
    [aviso] = _bandeja(api, f"coordinadora.{M}", "SeguimientoVencido")
    esperar(lambda: _bandeja(api, f"coordinadora.{M}", "SeguimientoVencido")[0]["estado"] == "enviada", 30)
    assert caso["codigo"] in _bandeja(api, f"coordinadora.{M}", "SeguimientoVencido")[0]["mensaje"]
    assert _bandeja(api, f"cis.{M}", "SeguimientoVencido") == []
