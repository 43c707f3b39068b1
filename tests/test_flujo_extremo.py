"""El flujo del esqueleto por el sistema real: HTTP -> ayudas -> outbox -> RabbitMQ -> notificaciones ->
Celery (otro proceso) -> SMTP real -> bandeja del CIS -> acuse. Con PostgreSQL y RabbitMQ reales."""
import pytest

from omm_pruebas import esperar

pytestmark = pytest.mark.integracion

CIS_0309 = "cis.0309@salud.prueba.hn"


def _contactos(api, municipio, email_cis):
    for c in ({"clave": "cis", "nombre": f"CIS {municipio}", "email": email_cis, "telefono": "+504 2700-0000"},
              {"clave": "coordinadora", "nombre": f"OMM {municipio}", "email": f"omm.{municipio}@prueba.hn"}):
        r = api.put("/api/v1/notificaciones/destinatarios", f"coordinadora.{municipio}", json=c)
        assert r.status_code == 200, r.text


def _notificaciones(api, usuaria, **filtros):
    r = api.get("/api/v1/notificaciones", usuaria, params={"por_pagina": 200, **filtros})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_entrega_de_medicamentos_llega_al_cis_por_correo_y_bandeja_y_se_confirma(sistema, smtp):
    api = sistema.api
    _contactos(api, "0309", CIS_0309)
    _contactos(api, "0302", "cis.0302@salud.prueba.hn")
    tecnica = "tecnica.0309"
    r = api.post("/api/v1/ayudas/tipos", tecnica, json={
        "codigo": "med_e2e", "nombre": "Ayuda para medicamentos", "categoria": "economica_medicamentos",
        "unidad": "lempiras", "frecuencia_dias": 30, "monto_maximo": 1500})
    assert r.status_code == 201, r.text
    r = api.post("/api/v1/ayudas/beneficiarias", tecnica, json={
        "nombres": "Lucía", "apellidos": "Hernández Flores", "dni": "0309-1950-00077", "fecha_nacimiento": "1950-05-02",
        "telefono": "+504 9812-3456", "comunidad": "El Zapote", "condiciones": ["enfermedad_base"],
        "consentimiento_salud": True})
    assert r.status_code == 201, r.text
    beneficiaria = r.json()
    antes = len(smtp.para(CIS_0309))
    r = api.post("/api/v1/ayudas/entregas", tecnica, json={
        "beneficiaria_id": beneficiaria["id"], "tipo_codigo": "med_e2e", "cantidad": 1, "monto": 1200,
        "fecha": "2026-11-20"}, cabeceras={"Idempotency-Key": "e2e-1"})
    assert r.status_code == 201, r.text
    entrega = r.json()

    # El correo llega al servidor SMTP real, enviado por el worker de Celery.
    esperar(lambda: len(smtp.para(CIS_0309)) > antes, 60, mensaje="correo al CIS")
    texto = smtp.textos(CIS_0309)[-1]
    assert "medicamentos" in texto and "Lucía Hernández Flores" in texto  # consintió compartir con salud
    assert len(smtp.para(CIS_0309)) == antes + 1

    # El CIS de Lejamaní la ve en su bandeja, enviada, y la confirma.
    def enviadas():
        return [n for n in _notificaciones(api, "cis.0309")
                if n["evento_tipo"] == "AyudaEntregada" and n["estado"] == "enviada"]
    esperar(lambda: {n["canal"] for n in enviadas()} == {"email", "bandeja"}, 60, mensaje="notificación enviada")
    bandeja = next(n for n in enviadas() if n["canal"] == "bandeja")
    assert "Lucía" in bandeja["mensaje"]

    # Un CIS de otro municipio no la ve ni puede confirmarla.
    assert all(n["id"] != bandeja["id"] for n in _notificaciones(api, "cis.0302"))
    r = api.post(f"/api/v1/notificaciones/{bandeja['id']}/acuse", "cis.0302")
    assert r.status_code == 404 and r.json()["error"] == "NO_ENCONTRADO"
    # La técnica no confirma: es cosa del CIS.
    assert api.post(f"/api/v1/notificaciones/{bandeja['id']}/acuse", tecnica).status_code == 403

    r = api.post(f"/api/v1/notificaciones/{bandeja['id']}/acuse", "cis.0309")
    assert r.status_code == 200, r.text
    assert r.json()["estado"] == "confirmada"
    assert {n["estado"] for n in _notificaciones(api, "cis.0309") if n["id"] == bandeja["id"]} == {"confirmada"}
    # La coordinadora ve el estado de los envíos de su municipio.
    r = api.get("/api/v1/notificaciones/resumen", "coordinadora.0309")
    assert r.status_code == 200 and r.json()["por_estado"]["confirmada"]["bandeja"] >= 1

    # Repetir la entrega con la misma Idempotency-Key no crea otra ni envía otro correo.
    r2 = api.post("/api/v1/ayudas/entregas", tecnica, json={
        "beneficiaria_id": beneficiaria["id"], "tipo_codigo": "med_e2e", "cantidad": 1, "monto": 1200,
        "fecha": "2026-11-20"}, cabeceras={"Idempotency-Key": "e2e-1"})
    assert r2.status_code == 201 and r2.json() == entrega
    assert api.get("/api/v1/ayudas/entregas", tecnica, params={"beneficiaria_id": beneficiaria["id"]}).json()[
        "total"] == 1


def test_entrega_sin_consentimiento_no_avisa_al_cis(sistema, smtp):
    api = sistema.api
    _contactos(api, "0306", "cis.0306@salud.prueba.hn")
    t = "tecnica.0306"
    api.post("/api/v1/ayudas/tipos", t, json={"codigo": "med", "nombre": "Medicamentos",
                                              "categoria": "economica_medicamentos", "unidad": "L",
                                              "frecuencia_dias": 30, "monto_maximo": 1500})
    b = api.post("/api/v1/ayudas/beneficiarias", t, json={
        "nombres": "Rosa", "apellidos": "Amaya", "dni": "0306-1960-00011", "fecha_nacimiento": "1960-01-01",
        "comunidad": "Centro", "consentimiento_salud": False}).json()
    r = api.post("/api/v1/ayudas/entregas", t, json={"beneficiaria_id": b["id"], "tipo_codigo": "med",
                                                     "cantidad": 1, "monto": 500, "fecha": "2026-11-20"})
    assert r.status_code == 201, r.text
    # Una entrega con consentimiento después: cuando su aviso llega, el anterior ya habría llegado.
    b2 = api.post("/api/v1/ayudas/beneficiarias", t, json={
        "nombres": "Carmen", "apellidos": "Cruz", "dni": "0306-1961-00012", "fecha_nacimiento": "1961-01-01",
        "comunidad": "Centro", "consentimiento_salud": True}).json()
    api.post("/api/v1/ayudas/entregas", t, json={"beneficiaria_id": b2["id"], "tipo_codigo": "med",
                                                 "cantidad": 1, "monto": 500, "fecha": "2026-11-20"})
    esperar(lambda: len(smtp.para("cis.0306@salud.prueba.hn")) >= 1, 60, mensaje="correo al CIS 0306")
    textos = smtp.textos("cis.0306@salud.prueba.hn")
    assert len(textos) == 1 and "Carmen" in textos[0] and "Rosa" not in " ".join(textos)
