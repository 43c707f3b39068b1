"""Importación y exportación .xlsx por el gateway real, con el servicio real."""
import io
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

from omm_common.migraciones import migrar

pytestmark = pytest.mark.integracion


@pytest.fixture
def api(base_pg, servicio_real, gateway_real):
    url = base_pg("ayudas")
    migrar("ayudas", url)
    servicio_real("ayudas", "Ayudas", AYUDAS_DB_URL=url)
    return gateway_real()


def _xlsx(filas):
    libro = Workbook()
    hoja = libro.active
    hoja.append(["Nombres", "Apellidos", "DNI", "Fecha de nacimiento", "Teléfono", "Comunidad", "Condiciones"])
    for f in filas:
        hoja.append(f)
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def _importar(api, contenido, usuaria="promotora.0309"):
    return api.post("/api/v1/ayudas/importaciones", usuaria,
                    files={"archivo": ("lista.xlsx", contenido, "application/octet-stream")})


def test_importacion_con_buenas_duplicadas_y_malas_y_segunda_vez_nada(api):
    contenido = _xlsx([
        ["María", "López", "0309-1950-00001", datetime(1950, 4, 2), "9999-1111", "El Zapote", "enfermedad_base"],
        ["Ana", "Pérez", "0309198500002", "15/08/1985", None, "Centro", "jefa_hogar, bajos recursos"],
        ["Rosa", "Díaz", "0309-1950-00001", "1950-01-01", None, "Centro", None],  # DNI repetido en el archivo
        ["Juana", "Mejía", "9999-1970-00003", "1970-01-01", None, "Centro", None],  # municipio inexistente
        ["Elena", None, "0309-1971-00004", "1971-01-01", None, "Centro", None],  # sin apellidos
        ["Inés", "Cruz", "0309-1972-00005", "31/02/1972", None, "Centro", None],  # fecha imposible
        ["Berta", "Luna", "0309-1973-00006", "1973-03-03", None, "Centro", "hechicera"],  # condición inválida
        [None, None, None, None, None, None, None],  # fila vacía: se salta
        ["Carla", "Soto", 309197400007, "1974-04-04", None, "La Cuesta", None],  # Excel se comió el 0
    ])
    r = _importar(api, contenido)
    assert r.status_code == 200, r.text
    resultado = r.json()
    assert (resultado["creadas"], resultado["duplicadas"]) == (3, 1)
    assert [e["fila"] for e in resultado["errores"]] == [5, 6, 7, 8]
    assert resultado["errores"][0]["mensaje"].startswith("Fila 5, «DNI»: el DNI empieza con 9999")
    assert resultado["errores"][1]["mensaje"] == "Fila 6, «Apellidos»: este campo es obligatorio."
    assert resultado["errores"][2]["mensaje"] == ("Fila 7, «Fecha de nacimiento»: escriba la fecha como dd/mm/aaaa "
                                                  "(por ejemplo 03/12/1985).")
    assert resultado["errores"][3]["mensaje"].startswith("Fila 8, «Condiciones»: «hechicera» no es una condición")
    assert not any("{" in e["mensaje"] or "[" in e["mensaje"] for e in resultado["errores"])
    r = _importar(api, contenido)
    assert r.json() == {"creadas": 0, "duplicadas": 4, "errores": resultado["errores"]}
    # Búsqueda con y sin acentos.
    for q in ("Maria Lopez", "MARÍA lópez", "maria"):
        items = api.get("/api/v1/ayudas/beneficiarias", "tecnica.0309", params={"q": q}).json()["items"]
        assert [b["dni"] for b in items] == ["0309195000001"], q
    maria = api.get("/api/v1/ayudas/beneficiarias", "tecnica.0309", params={"dni": "0309-1950-00001"}).json()
    assert maria["items"][0]["condiciones"] == ["tercera_edad", "enfermedad_base"]


def test_un_archivo_que_no_es_xlsx_es_un_400_con_el_campo(api):
    r = _importar(api, b"nombres,apellidos\nAna,Perez\n")
    assert r.status_code == 400 and "archivo" in r.json()["detalles"]
    r = api.post("/api/v1/ayudas/importaciones", "promotora.0309", files={"otro": ("x.xlsx", b"x")})
    assert r.status_code == 400 and "otro" in r.json()["detalles"]  # solo «archivo» (issue 18)
    libro = Workbook()
    libro.active.append(["Nombre completo", "Edad"])
    salida = io.BytesIO()
    libro.save(salida)
    r = _importar(api, salida.getvalue())
    assert r.status_code == 400 and "Apellidos" in r.json()["detalles"]["archivo"][0]


def test_exportacion_del_periodo_en_xlsx(api):
    _importar(api, _xlsx([["Marta", "Gómez", "0309-1940-00011", "1940-01-01", None, "Centro", None]]))
    t = "tecnica.0309"
    api.post("/api/v1/ayudas/tipos", t, json={"codigo": "med", "nombre": "Medicamentos",
                                              "categoria": "economica_medicamentos", "unidad": "L",
                                              "frecuencia_dias": 30, "monto_maximo": 1500})
    b = api.get("/api/v1/ayudas/beneficiarias", t, params={"q": "marta"}).json()["items"][0]
    for fecha in ("2026-01-10", "2026-03-10"):
        assert api.post("/api/v1/ayudas/entregas", t, json={"beneficiaria_id": b["id"], "tipo_codigo": "med",
                                                            "cantidad": 1, "monto": 700, "fecha": fecha}).status_code == 201
    r = api.get("/api/v1/ayudas/exportacion", t, params={"desde": "2026-02-01", "hasta": "2026-12-31"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/vnd.openxml")
    libro = load_workbook(io.BytesIO(r.content))
    assert [f[2] for f in libro["Beneficiarias"].iter_rows(min_row=2, values_only=True)] == ["0309194000011"]
    entregas = list(libro["Entregas"].iter_rows(min_row=2, values_only=True))
    assert len(entregas) == 1 and entregas[0][7] == 700
    assert api.get("/api/v1/ayudas/exportacion", "promotora.0309").status_code == 403
