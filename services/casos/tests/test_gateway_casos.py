"""Casos a través del gateway real: registrar, listar, ver, y la promotora no entra."""

import pytest

from omm_common.migraciones import migrar
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion


def test_registrar_listar_y_ver_por_http(base_pg, servicio_real, gateway_real):
    url = base_pg("casos")
    migrar("casos", url)
    servicio_real("casos", "Casos", CASOS_DB_URL=url)
    api = gateway_real(CASOS_DB_URL=url)
    cuerpo = {"fecha_atencion": hoy_honduras().isoformat(),
              "sobreviviente": {"nombres": "Marta", "apellidos": "Ficticia Ramos", "comunidad": "Centro"},
              "tipos_violencia": ["psicologica"], "contexto": "familiar", "relato": "relato de prueba",
              "nivel_riesgo": "medio", "consentimiento": {"servicios": True, "derivacion": False,
                                                          "estadisticas": True}}
    r = api.post("/api/v1/casos", "tecnica.0309", json=cuerpo, cabeceras={"Idempotency-Key": "k1"})
    assert r.status_code == 201, r.text
    caso = r.json()
    assert caso["estado"] == "abierto" and caso["codigo"].startswith("LEJ-")
    repetido = api.post("/api/v1/casos", "tecnica.0309", json=cuerpo, cabeceras={"Idempotency-Key": "k1"})
    assert repetido.json()["id"] == caso["id"]
    lista = api.get("/api/v1/casos?q=marta", "coordinadora.0309").json()
    assert lista["total"] == 1 and lista["items"][0]["id"] == caso["id"]
    detalle = api.get(f"/api/v1/casos/{caso['id']}", "tecnica.0309")
    assert detalle.status_code == 200 and detalle.json()["sobreviviente"]["nombres"] == "Marta"
    r = api.post(f"/api/v1/casos/{caso['id']}/derivaciones", "tecnica.0309", json={"destino": "cis", "motivo": "x"})
    assert r.status_code == 409 and r.json()["error"] == "SIN_CONSENTIMIENTO"
    assert api.get("/api/v1/casos", "promotora.0309").status_code == 403
    assert api.get(f"/api/v1/casos/{caso['id']}", "promotora.0309").status_code == 403
    assert api.get(f"/api/v1/casos/{caso['id']}/auditoria", "tecnica.0309").status_code == 403
    bitacora = api.get(f"/api/v1/casos/{caso['id']}/auditoria", "coordinadora.0309")
    assert bitacora.status_code == 200 and [a["accion"] for a in bitacora.json()][:2] == ["registrar", "leer"]
