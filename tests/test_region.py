"""Cifras de la mancomunidad por el sistema real: solo sus municipios, sin nombres, celdas < 5 ocultas."""
import json
from datetime import date

import pytest

pytestmark = pytest.mark.integracion

NOMBRE = "Herminia"


def _caso(api, municipio, tipos, estadisticas=True, i=0):
    r = api.post("/api/v1/casos", f"tecnica.{municipio}", json={
        "fecha_atencion": date.today().isoformat(),
        "sobreviviente": {"nombres": NOMBRE, "apellidos": f"Región{i}", "dni": f"{municipio}-1980-{i:05d}",
                          "comunidad": "Centro", "telefono": "+504 9000-1234"},
        "tipos_violencia": tipos, "contexto": "pareja", "relato": "relato de prueba regional",
        "nivel_riesgo": "medio",
        "consentimiento": {"servicios": True, "derivacion": False, "estadisticas": estadisticas}})
    assert r.status_code == 201, r.text


def test_estadisticas_de_la_mancomunidad_suprimen_y_no_revelan(sistema):
    api = sistema.api
    for i in range(7):
        _caso(api, "0302", ["fisica"], i=i)
    for i in range(6):
        _caso(api, "0302", ["psicologica"], i=50 + i)
    for i in range(2):
        _caso(api, "0302", ["sexual"], i=100 + i)
    _caso(api, "0302", ["sexual"], estadisticas=False, i=200)  # no cuenta
    _caso(api, "0318", ["fisica"], i=300)  # otra mancomunidad
    r = api.get("/api/v1/region/estadisticas", "mancomunidad.mamcopaz")
    assert r.status_code == 200, r.text
    datos = r.json()
    assert datos["municipios"] == ["0302", "0306", "0309"]
    tipos = datos["casos"]["tipo_violencia"]
    assert tipos["celdas"]["0302"]["fisica"] == 7
    assert tipos["celdas"]["0302"]["sexual"] == "<5"
    # Con el total de la fila visible, ocultar solo el 2 dejaría restar: queda oculto con otras (aquí los tipos sin
    # casos, también «<5»), así la resta da la suma de varias y no el 2 (tests/test_diferencias.py lo ataca entero).
    assert tipos["total_fila"]["0302"] == 15
    assert sum(v == "<5" for v in tipos["celdas"]["0302"].values()) >= 2
    # Ataque de resta: en ninguna fila ni columna con total visible queda una sola celda oculta.
    for m, fila in tipos["celdas"].items():
        ocultas = [v for v in fila.values() if v == "<5"]
        assert not (len(ocultas) == 1 and tipos["total_fila"][m] != "<5"), (m, fila, tipos["total_fila"][m])
    for col in tipos["total_columna"]:
        ocultas = [f[col] for f in tipos["celdas"].values() if f[col] == "<5"]
        assert not (len(ocultas) == 1 and tipos["total_columna"][col] != "<5"), col
    texto = json.dumps(datos, ensure_ascii=False)
    assert "0318" not in texto and NOMBRE not in texto and "9000-1234" not in texto
    # La otra mancomunidad solo ve lo suyo; ningún otro rol entra.
    otra = api.get("/api/v1/region/estadisticas", "mancomunidad.mansucoh").json()
    assert otra["municipios"] == ["0318"] and "0302" not in json.dumps(otra)
    for usuaria in ("coordinadora.0302", "tecnica.0302", "cis.0302", "admin"):
        assert api.get("/api/v1/region/estadisticas", usuaria).status_code == 403
    assert "0306" in datos["completitud"]["ultima_actividad"]
