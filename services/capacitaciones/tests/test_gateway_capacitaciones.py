"""Por HTTP: gateway real y servicio real, con las usuarias de la demo."""
import io
from datetime import timedelta

import pytest

from omm_common.migraciones import migrar
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

HACE = hoy_honduras() - timedelta(days=60)


@pytest.fixture
def http(base_pg, servicio_real, gateway_real):
    url = base_pg("capacitaciones")
    migrar("capacitaciones", url)
    servicio_real("capacitaciones", "Capacitaciones", CAPACITACIONES_DB_URL=url)
    return gateway_real()


def test_crear_listar_detalle_inscribir_asistencia_y_constancia_por_http(http):
    import pypdf
    cuerpo = {"titulo": "Escuela de emprendimiento municipal", "tipo": "escuela_emprendimiento",
              "institucion": "INFOP", "lugar": "Salón municipal", "cupo": 1,
              "sesiones": [{"fecha": HACE.isoformat(), "hora": "14:00", "tema": "Plan de negocio"}]}
    r = http.post("/api/v1/capacitaciones", "tecnica.0309", json=cuerpo, cabeceras={"Idempotency-Key": "k-1"})
    assert r.status_code == 201, r.text
    c = r.json()
    repetida = http.post("/api/v1/capacitaciones", "tecnica.0309", json=cuerpo, cabeceras={"Idempotency-Key": "k-1"})
    assert repetida.status_code == 201 and repetida.json()["id"] == c["id"]

    lista = http.get("/api/v1/capacitaciones?tipo=escuela_emprendimiento", "promotora.0309").json()
    assert lista["total"] == 1 and lista["items"][0]["id"] == c["id"]
    assert http.get("/api/v1/capacitaciones", "tecnica.0302").json()["total"] == 0
    assert http.get(f"/api/v1/capacitaciones/{c['id']}", "tecnica.0302").status_code == 404
    # El CIS ve solo el club de embarazadas: ni en la lista ni por id las demás actividades.
    cis = http.get("/api/v1/capacitaciones", "cis.0309")
    assert cis.status_code == 200 and c["id"] not in [x["id"] for x in cis.json()["items"]]
    r = http.get("/api/v1/capacitaciones?tipo=taller", "cis.0309")  # un filtro que su rol no puede usar: 403
    assert r.status_code == 403 and "tipo" in r.json()["detalles"], r.text
    assert http.get(f"/api/v1/capacitaciones/{c['id']}", "cis.0309").status_code == 404
    assert http.post("/api/v1/capacitaciones", "cis.0309", json=cuerpo).status_code == 403

    r = http.post(f"/api/v1/capacitaciones/{c['id']}/inscripciones", "tecnica.0309", json={
        "participante": {"nombres": "Dilcia", "apellidos": "Rodríguez", "comunidad": "San Antonio"},
        "consentimiento_salud": False})
    assert r.status_code == 201, r.text
    inscripcion = r.json()
    lleno = http.post(f"/api/v1/capacitaciones/{c['id']}/inscripciones", "tecnica.0309", json={
        "participante": {"nombres": "Otra", "apellidos": "Persona", "comunidad": "Centro"},
        "consentimiento_salud": False})
    assert lleno.status_code == 409 and lleno.json()["error"] == "CUPO_LLENO"

    sesion_id = c["sesiones"][0]["id"]
    r = http.put(f"/api/v1/capacitaciones/{c['id']}/sesiones/{sesion_id}/asistencia", "tecnica.0309",
                 json={"presentes": [inscripcion["id"]]})
    assert r.status_code == 200, r.text

    detalle = http.get(f"/api/v1/capacitaciones/{c['id']}", "coordinadora.0309").json()
    assert detalle["inscripciones"][0]["porcentaje_asistencia"] == 100.0
    assert detalle["sesiones"][0]["presentes"] == [inscripcion["id"]]

    r = http.get(f"/api/v1/capacitaciones/{c['id']}/constancias/{inscripcion['id']}", "tecnica.0309")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/pdf")
    texto = pypdf.PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    assert "Dilcia Rodríguez" in texto and "Escuela de emprendimiento municipal" in texto

    r = http.get(f"/api/v1/capacitaciones/{c['id']}/sesiones/{sesion_id}/hoja", "promotora.0309")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/pdf")
    assert r.content.startswith(b"%PDF")

    s = http.post(f"/api/v1/capacitaciones/{c['id']}/sesiones", "tecnica.0309",
                  json={"fecha": (hoy_honduras() + timedelta(days=30)).isoformat(), "tema": "Costos"})
    assert s.status_code == 201, s.text
    # Una sesión futura no baja el porcentaje: solo cuentan las realizadas.
    r = http.get(f"/api/v1/capacitaciones/{c['id']}/constancias/{inscripcion['id']}", "tecnica.0309")
    assert r.status_code == 200

    otra = http.post("/api/v1/capacitaciones", "tecnica.0309", json={**cuerpo, "cupo": None}).json()
    i2 = http.post(f"/api/v1/capacitaciones/{otra['id']}/inscripciones", "tecnica.0309", json={
        "participante": {"nombres": "Fausta", "apellidos": "Mejía", "comunidad": "Centro"},
        "consentimiento_salud": False}).json()
    r = http.get(f"/api/v1/capacitaciones/{otra['id']}/constancias/{i2['id']}", "tecnica.0309")
    assert r.status_code == 409 and r.json()["error"] == "ESTADO_INVALIDO"
    assert r.json()["detalles"]["porcentaje_asistencia"] == 0.0

    malo = http.post("/api/v1/capacitaciones", "tecnica.0309", json={"titulo": "x", "tipo": "fiesta", "lugar": "y",
                                                                    "sesiones": []})
    assert malo.status_code == 400 and {"tipo", "sesiones"} <= set(malo.json()["detalles"])


def test_la_demo_carga_las_actividades_del_informe(http):
    from omm_demo import ClienteDemo, anio as demo_anio
    from omm_pruebas import CONTRASENA_PRUEBAS
    hoy = hoy_honduras()
    demo_anio.cargar_capacitaciones(ClienteDemo(http.base, CONTRASENA_PRUEBAS), "0306", hoy.year, hoy)
    lista = http.get("/api/v1/capacitaciones?por_pagina=200", "coordinadora.0306").json()
    assert {x["tipo"] for x in lista["items"]} == {
        "club_embarazadas", "escuela_emprendimiento", "sensibilizacion", "socializacion", "asesoria_tecnica",
        "capacitacion"}
    club = next(x for x in lista["items"] if x["tipo"] == "club_embarazadas")
    detalle = http.get(f"/api/v1/capacitaciones/{club['id']}", "tecnica.0306").json()
    assert len(detalle["sesiones"]) == 12 and 6 <= len(detalle["inscripciones"]) <= 10
    assert all(i["semanas_gestacion_actual"] and i["fecha_probable_parto"] for i in detalle["inscripciones"])
    # Las charlas abiertas ya realizadas traen su conteo (como el informe de la oficina), no 0 participantes.
    charlas = [x for x in lista["items"] if x["tipo"] in ("sensibilizacion", "socializacion", "capacitacion")]
    realizadas = [s for x in charlas for s in http.get(f"/api/v1/capacitaciones/{x['id']}", "tecnica.0306").json()[
        "sesiones"] if s["fecha"] <= hoy.isoformat()]
    assert realizadas and all(s["conteo"] and s["participantes"] >= 15 for s in realizadas)
