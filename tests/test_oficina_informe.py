"""El informe de la oficina es de la oficina: por el sistema real, en un municipio propio (0314).

Sus casos atendidos cuentan todos (el desglose, solo los consentidos y suprimido), etiquetas con tildes y
fechas en letras, textos de cada periodo, logo sin metadatos en el encabezado, el conteo de una charla
abierta, las fotos con su leyenda, los meses sin registros, y la clasificación GBVIMS.
"""
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from omm_common.tiempo import hoy_honduras
from omm_pruebas import CONTRASENA_PRUEBAS

pytestmark = pytest.mark.integracion

M = "0314"
COORDINADORA, TECNICA = f"coordinadora.{M}", f"tecnica.{M}"
HOY = hoy_honduras()
ANIO = HOY.year
GPS = 0x8825


def _plano(texto):
    return re.sub(r"\s+", " ", texto)


def _texto_pdf(contenido):
    return _plano(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(contenido)).pages))


def _jpeg_con_gps(color=(30, 90, 160)):
    img = Image.new("RGB", (900, 600), color)
    exif = Image.Exif()
    exif[0x010F] = "CamaraDePrueba"
    exif[GPS] = {1: "N", 2: (14.0, 25.0, 3.0), 3: "W", 4: (87.0, 38.0, 10.0)}
    salida = io.BytesIO()
    img.save(salida, "JPEG", exif=exif)
    return salida.getvalue()


@pytest.fixture(scope="module")
def oficina(sistema):
    api = sistema.api
    for rol, nombre in (("coordinadora", "Coordinadora de la oficina 0314"), ("tecnica", "Técnica de la oficina 0314")):
        r = api.post("/api/v1/usuarios", "admin", json={
            "usuario": f"{rol}.{M}", "nombre": nombre, "contrasena": CONTRASENA_PRUEBAS, "rol": rol, "municipio": M})
        assert r.status_code in (201, 409), r.text
    return api


def _caso(api, i, tipos, estadisticas):
    r = api.post("/api/v1/casos", TECNICA, cabeceras={"Idempotency-Key": f"informe-0314-caso-{i}"}, json={
        "fecha_atencion": HOY.isoformat(),
        "sobreviviente": {"nombres": "Sobreviviente", "apellidos": f"Oficina{i}", "dni": f"{M}-1985-{i:05d}",
                          "comunidad": "Centro", "telefono": "+504 9000-0314"},
        "tipos_violencia": tipos, "contexto": "pareja", "relato": "relato de prueba del informe",
        "nivel_riesgo": "medio",
        "consentimiento": {"servicios": True, "derivacion": False, "estadisticas": estadisticas}})
    assert r.status_code == 201, r.text


def _informe(api, usuaria, formato="json", extra=""):
    r = api.get(f"/api/v1/reportes/informe?desde={ANIO}-01-01&hasta={HOY.isoformat()}&formato={formato}{extra}",
                usuaria)
    assert r.status_code == 200, r.text
    return r


def test_la_oficina_cuenta_todos_sus_casos_con_etiquetas_y_fechas_en_letras(oficina):
    api = oficina
    # 9 casos: 6 con consentimiento para estadísticas (psicológica y económica), 3 sin él.
    for i in range(6):
        _caso(api, i, ["psicologica", "economica"], True)
    for i in range(6, 9):
        _caso(api, i, ["fisica"], False)
    datos = _informe(api, COORDINADORA).json()
    casos = datos["casos"]
    assert casos["casos"]["total"] == 6  # el desglose: solo los consentidos
    assert casos["tipo_violencia"]["total_columna"] == {"economica": 6, "psicologica": 6}
    assert casos["tipo_violencia"]["nombres"] == {"economica": "Económica", "psicologica": "Psicológica"}
    assert "solo los casos con consentimiento para estadísticas" in casos["nota"]
    # Los meses del periodo, todos: el de hoy con sus casos, los anteriores sin registros.
    meses = datos["completitud"]["por_municipio"][M]
    assert list(meses) == [f"{ANIO}-{m:02d}" for m in range(1, HOY.month + 1)]
    if HOY.month > 1:
        assert meses[f"{ANIO}-01"] == {"casos": 0, "entregas": 0, "actividades": 0, "sin_registros": True}
    texto = _texto_pdf(_informe(api, COORDINADORA, "pdf").content)
    for esperado in ("Psicológica", "Económica", f"del 1 de enero de {ANIO} al", "Registros por mes",
                     "solo los casos con consentimiento para estadísticas"):
        assert esperado in texto, esperado
    for codigo in ("psicologica", "economica", f"{ANIO}-01-01", HOY.isoformat()):
        assert codigo not in texto, codigo
    libro = load_workbook(io.BytesIO(_informe(api, COORDINADORA, "xlsx").content), read_only=True)
    valores = {c for h in libro.worksheets for f in h.iter_rows(values_only=True) for c in f if c is not None}
    assert "Psicológica" in valores and f"1 de enero de {ANIO}" in valores and f"{ANIO}-01-01" not in valores
    # La mancomunidad no recibe el total de atendidos de la oficina (0314 no es de la suya: 404).
    assert api.get("/api/v1/reportes/informe?municipio=0314", "mancomunidad.mamcopaz").status_code == 404
    # El total de la oficina: los 9 que atendió. Lo da casos con la dimensión «atendidos».
    atendidos = casos["atendidos"]
    if not atendidos["completo"]:
        pytest.xfail("casos aún no da la dimensión «atendidos»: el total es el de los consentidos")
    assert atendidos["total"] == 9 and atendidos["por_municipio"] == {M: 9}
    assert "Total de casos atendidos: 9" in texto
    assert meses[HOY.strftime("%Y-%m")]["casos"] == 9


def test_los_textos_son_del_periodo_que_se_informa(oficina):
    api = oficina
    r = api.put(f"/api/v1/reportes/textos?anio={ANIO}&trimestre=1", COORDINADORA, json={
        "desafios": "Faltó transporte a las aldeas en el primer trimestre.",
        "lineas_accion": ["Coordinar con la alcaldía el vehículo."]})
    assert r.status_code == 200, r.text
    assert r.json()["periodo"] == f"Primer trimestre de {ANIO}" and r.json()["trimestre"] == 1
    r = api.put(f"/api/v1/reportes/textos?anio={ANIO}", COORDINADORA, json={"desafios": "Desafíos del año."})
    assert r.status_code == 200 and r.json()["periodo"] == f"Año {ANIO}"
    assert api.get(f"/api/v1/reportes/textos?anio={ANIO}&trimestre=1", COORDINADORA).json()["desafios"] == (
        "Faltó transporte a las aldeas en el primer trimestre.")
    primero = api.get(f"/api/v1/reportes/informe?desde={ANIO}-01-01&hasta={ANIO}-03-31", COORDINADORA).json()
    assert primero["desafios"] == "Faltó transporte a las aldeas en el primer trimestre."
    assert primero["lineas_accion"] == ["Coordinar con la alcaldía el vehículo."]
    assert primero["periodo_textos"]["nombre"] == f"Primer trimestre de {ANIO}"
    # Otro trimestre no los muestra: lleva lo del año (donde no escribió nada propio); el del año, lo del año;
    # el de otro año, nada de esto.
    segundo = api.get(f"/api/v1/reportes/informe?desde={ANIO}-04-01&hasta={ANIO}-06-30", COORDINADORA).json()
    assert segundo["desafios"] == "Desafíos del año." and segundo["lineas_accion"] == []
    assert _informe(api, COORDINADORA).json()["desafios"] == "Desafíos del año."
    otro = api.get(f"/api/v1/reportes/informe?desde={ANIO - 1}-01-01&hasta={ANIO - 1}-12-31", COORDINADORA).json()
    assert "Desafíos del año." not in otro["desafios"] and "primer trimestre" not in otro["desafios"]
    # Lo que se edita es lo escrito para ese periodo, sin mezclar: el segundo trimestre no tiene nada propio.
    assert api.get(f"/api/v1/reportes/textos?anio={ANIO}&trimestre=2", COORDINADORA).json()["desafios"] is None
    # Un periodo imposible es un error que nombra el campo; la técnica no escribe los textos.
    r = api.get("/api/v1/reportes/textos?trimestre=5", COORDINADORA)
    assert r.status_code == 400 and "trimestre" in r.json()["detalles"]
    assert api.put("/api/v1/reportes/textos", TECNICA, json={"desafios": "x"}).status_code == 403


def test_el_logo_se_guarda_sin_metadatos_y_sale_en_el_informe(oficina):
    api = oficina
    assert api.get("/api/v1/reportes/logo", COORDINADORA).status_code in (200, 404)
    r = api.put("/api/v1/reportes/logo", COORDINADORA, files={"archivo": ("logo.jpg", _jpeg_con_gps(), "image/jpeg")})
    assert r.status_code == 200, r.text
    assert r.json()["mime"] == "image/jpeg"
    r = api.get("/api/v1/reportes/logo", TECNICA)
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/jpeg"
    guardado_bytes = r.content
    guardado = Image.open(io.BytesIO(r.content))
    assert not guardado.getexif().get_ifd(GPS) and b"CamaraDePrueba" not in r.content
    assert max(guardado.size) <= 600
    contenido = _informe(api, COORDINADORA, "pdf").content
    assert sum(len(p.images) for p in PdfReader(io.BytesIO(contenido)).pages) >= 1
    # Lo que no es una imagen, o en otra parte del formulario: 400 que nombra el campo; el logo sigue igual.
    for archivos, campo in (({"archivo": ("logo.pdf", b"%PDF-1.4 no es una imagen", "application/pdf")}, "archivo"),
                            ({"otro": ("x.jpg", _jpeg_con_gps(), "image/jpeg")}, "otro")):
        r = api.put("/api/v1/reportes/logo", COORDINADORA, files=archivos)
        assert r.status_code == 400 and campo in r.json()["detalles"], r.text
    assert api.get("/api/v1/reportes/logo", COORDINADORA).content == guardado_bytes
    r = api.put("/api/v1/reportes/logo", TECNICA, files={"archivo": ("logo.jpg", _jpeg_con_gps(), "image/jpeg")})
    assert r.status_code == 403


def test_una_charla_abierta_cuenta_su_conteo_y_sus_fotos_salen_con_leyenda(oficina):
    api = oficina
    fecha = max(HOY - timedelta(days=2), HOY.replace(day=1, month=1))
    r = api.post("/api/v1/capacitaciones", TECNICA, cabeceras={"Idempotency-Key": "informe-0314-charla"}, json={
        "titulo": "Charla sobre la ruta de denuncia", "tipo": "sensibilizacion", "institucion": "OMM",
        "lugar": "Escuela del centro", "sesiones": [{"fecha": fecha.isoformat(), "hora": "09:00"}]})
    assert r.status_code == 201, r.text
    charla = r.json()
    sesion = charla["sesiones"][0]["id"]
    r = api.put(f"/api/v1/capacitaciones/{charla['id']}/sesiones/{sesion}/conteo", TECNICA,
                json={"mujeres": 30, "hombres": 5})
    assert r.status_code == 200, r.text
    r = api.post(f"/api/v1/capacitaciones/{charla['id']}/fotos", TECNICA,
                 cabeceras={"Idempotency-Key": "informe-0314-foto"}, data={"leyenda": "Mujeres de la aldea en la charla"},
                 files={"archivo": ("charla.jpg", _jpeg_con_gps((180, 40, 60)), "image/jpeg")})
    assert r.status_code == 201, r.text

    datos = _informe(api, COORDINADORA).json()
    fila = next(a for a in datos["actividades"] if a["titulo"] == "Charla sobre la ruta de denuncia")
    assert fila["participantes"] == 35 and fila["tipo_nombre"] == "Sensibilización"
    assert fila["conteo"]["mujeres"] == 30 and fila["conteo"]["hombres"] == 5
    assert datos["completitud"]["por_municipio"][M][fecha.strftime("%Y-%m")]["actividades"] >= 1
    foto = next(f for f in datos["fotos"] if f["leyenda"] == "Mujeres de la aldea en la charla")
    assert foto["titulo"] == "Charla sobre la ruta de denuncia" and "contenido_base64" not in foto
    contenido = _informe(api, COORDINADORA, "pdf").content
    texto = _texto_pdf(contenido)
    assert "Memoria fotográfica" in texto and "Mujeres de la aldea en la charla" in texto
    assert "CamaraDePrueba" not in contenido.decode("latin-1")
    # El logo y la foto.
    assert sum(len(p.images) for p in PdfReader(io.BytesIO(contenido)).pages) >= 2


def test_la_region_da_los_meses_de_cada_municipio_y_la_clasificacion_gbvims(oficina):
    api = oficina
    datos = api.get(f"/api/v1/region/estadisticas?desde={ANIO}-01-01&hasta={HOY.isoformat()}",
                    "mancomunidad.mamcopaz").json()
    assert datos["clasificacion"] == "ley" and "tipo_violencia" in datos["casos"]
    c = datos["completitud"]
    assert c["meses"][0] == f"{ANIO}-01" and c["meses"][-1] == HOY.strftime("%Y-%m")
    assert set(c["por_mes"]) == set(datos["municipios"]) and M not in c["por_mes"]
    for meses in c["por_mes"].values():
        assert list(meses) == c["meses"]
        for x in meses.values():
            assert x["casos"] == "<5" or x["casos"] >= 5  # los casos, suprimidos también aquí
            if x["sin_registros"]:
                assert x["casos"] in (0, "<5") and not x["entregas"] and not x["actividades"]
    g = api.get("/api/v1/region/estadisticas?clasificacion=gbvims", "mancomunidad.mamcopaz").json()
    assert g["clasificacion"] == "gbvims" and "gbvims" in g["casos"] and "tipo_violencia" not in g["casos"]
    assert all(v == "<5" or v >= 5 for v in g["casos"]["gbvims"]["total_columna"].values())
    r = api.get("/api/v1/region/estadisticas?clasificacion=otra", "mancomunidad.mamcopaz")
    assert r.status_code == 400 and "clasificacion" in r.json()["detalles"]
    informe = _informe(api, COORDINADORA, extra="&clasificacion=gbvims").json()
    assert informe["casos"]["clasificacion"] == "gbvims" and "tipo_violencia" not in informe["casos"]
    # Los 6 casos consentidos de la oficina, en el otro eje (cada caso en un solo tipo GBVIMS), con sus nombres.
    gbvims = informe["casos"]["gbvims"]
    assert gbvims["total"] == 6
    assert all(gbvims["nombres"][v] and gbvims["nombres"][v] != v for v in gbvims["total_columna"])
    texto = _texto_pdf(_informe(api, COORDINADORA, "pdf", "&clasificacion=gbvims").content)
    assert "clasificación GBVIMS" in texto
