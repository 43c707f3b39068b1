"""Reintentos del SMS con el worker de Celery real: el proveedor (un servidor HTTP local) falla y se recupera."""
import json

import pytest

from omm_pruebas import esperar

pytestmark = pytest.mark.integracion

M = "0318"
TELEFONO_CIS = "+504 2700-0318"


def _preparar(api):
    r = api.put("/api/v1/notificaciones/destinatarios", f"coordinadora.{M}",
                json={"clave": "cis", "nombre": "CIS San Jerónimo", "telefono": TELEFONO_CIS})
    assert r.status_code == 200, r.text
    r = api.patch("/api/v1/notificaciones/reglas/medicamentos_cis", f"coordinadora.{M}", json={"canales": ["sms"]})
    assert r.status_code == 200 and r.json()["canales"] == ["sms"], r.text
    api.post("/api/v1/ayudas/tipos", f"tecnica.{M}", json={
        "codigo": "med", "nombre": "Medicamentos", "categoria": "economica_medicamentos", "unidad": "L",
        "frecuencia_dias": 0, "monto_maximo": 1500})


def _entregar(api, i):
    b = api.post("/api/v1/ayudas/beneficiarias", f"tecnica.{M}", json={
        "nombres": f"Paciente{i}", "apellidos": "Prueba", "dni": f"{M}-1955-{i:05d}", "fecha_nacimiento": "1955-01-01",
        "comunidad": "Centro", "consentimiento_salud": True}).json()
    r = api.post("/api/v1/ayudas/entregas", f"tecnica.{M}", json={
        "beneficiaria_id": b["id"], "tipo_codigo": "med", "cantidad": 1, "monto": 300, "fecha": "2026-11-20"})
    assert r.status_code == 201, r.text


def _sms(api, estado):
    items = api.get("/api/v1/notificaciones", f"coordinadora.{M}", params={"canal": "sms", "por_pagina": 200}).json()
    return [n for n in items["items"] if n["estado"] == estado]


def test_503_dos_veces_luego_200_un_sms_en_tres_intentos_y_400_falla_de_una_vez(sistema, servidor_http):
    api = sistema.api
    _preparar(api)
    antes = len(servidor_http.exitosas("/sms"))
    servidor_http.guion[:] = [503, 503]
    _entregar(api, 1)
    esperar(lambda: len(_sms(api, "enviada")) == 1, 60, mensaje="SMS enviado tras reintentos")
    [n] = _sms(api, "enviada")
    assert n["intentos"] == 3
    nuevos = servidor_http.exitosas("/sms")[antes:]
    assert len(nuevos) == 1 and json.loads(nuevos[0]["cuerpo"])["para"] == TELEFONO_CIS
    assert "Paciente1" in json.loads(nuevos[0]["cuerpo"])["mensaje"]  # consintió compartir con salud

    servidor_http.guion[:] = [400]
    _entregar(api, 2)
    esperar(lambda: len(_sms(api, "fallida")) == 1, 60, mensaje="SMS fallido")
    [f] = _sms(api, "fallida")
    assert f["intentos"] == 1 and "400" in f["ultimo_error"]
    resumen = api.get("/api/v1/notificaciones/resumen", f"coordinadora.{M}").json()
    assert resumen["por_estado"]["fallida"]["sms"] == 1 and resumen["fallidas"][0]["id"] == f["id"]
    # La coordinadora la reintenta y esta vez el proveedor responde.
    r = api.post(f"/api/v1/notificaciones/{f['id']}/reintento", f"coordinadora.{M}")
    assert r.status_code == 200, r.text
    esperar(lambda: len(_sms(api, "enviada")) == 2, 60, mensaje="reintento enviado")
