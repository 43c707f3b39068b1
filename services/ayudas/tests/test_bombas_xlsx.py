"""Un .xlsx es un zip de XML: antes de abrirlo con openpyxl se mira el zip y se recorre su XML una vez.

Cada bomba se construye de verdad (el XML se escribe en trozos dentro del zip, como lo haría quien ataca) y se
rechaza antes de abrir el libro: 413 si es por tamaño, 400 si no es un libro. La importación por la API real,
midiendo la memoria del proceso de ayudas, está en tests/test_seguridad_servicios.py.
"""
import io
import os
import time
import zipfile

import pytest
from openpyxl import Workbook

from ayudas import hojas
from omm_common.errores import ErrorOMM

TIPOS = b'''<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'''
RELS = b'''<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'''
LIBRO = b'''<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Hoja1" sheetId="1" r:id="rId1"/></sheets></workbook>'''
RELS_LIBRO = b'''<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'''
ENCABEZADOS = ("Nombres", "Apellidos", "DNI", "Fecha de nacimiento", "Comunidad")


def _celda(texto):
    return f'<c t="inlineStr"><is><t>{texto}</t></is></c>'


def _fila(valores):
    return "<row>" + "".join(_celda(v) for v in valores) + "</row>"


def inicio_de_hoja(dimension=None, antes_de_la_hoja=b""):
    return (antes_de_la_hoja + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + (f'<dimension ref="{dimension}"/>'.encode() if dimension else b"")
            + b"<sheetData>" + _fila(ENCABEZADOS).encode())


def xlsx(filas, veces=1, dimension=None, antes_de_la_hoja=b"", nivel=9, extra=None):
    """Un libro mínimo que openpyxl abre; la hoja se escribe en trozos: `filas` (texto XML) `veces` veces."""
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w", zipfile.ZIP_DEFLATED, compresslevel=nivel) as z:
        z.writestr("[Content_Types].xml", TIPOS)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", LIBRO)
        z.writestr("xl/_rels/workbook.xml.rels", RELS_LIBRO)
        for nombre, datos in (extra or {}).items():
            z.writestr(nombre, datos)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as hoja:
            hoja.write(inicio_de_hoja(dimension, antes_de_la_hoja))
            bloque = filas.encode()
            for _ in range(veces):
                hoja.write(bloque)
            hoja.write(b"</sheetData></worksheet>")
    return salida.getvalue()


def _rechazo(contenido):
    inicio = time.monotonic()
    with pytest.raises(ErrorOMM) as error:
        hojas.leer_beneficiarias(contenido)
    assert time.monotonic() - inicio < 60  # holgado: sin la revisión, varias tardan minutos
    assert list(error.value.detalles) == ["archivo"]
    return error.value


def test_una_lista_real_pasa_la_revision():
    fila = _fila(["Marta", "Lagos", "0309-1980-00011", "1980-01-01", "Centro"])
    assert len(hojas.leer_beneficiarias(xlsx(fila, 500))) == 500
    # La que guarda Excel (openpyxl escribe como él: textos compartidos, estilos, tema).
    libro = Workbook()
    hoja = libro.active
    hoja.append(list(ENCABEZADOS))
    for i in range(300):
        hoja.append([f"Nombre{i}", "Pérez", f"0309-1980-{i:05d}", "1980-01-01", "Centro"])
    salida = io.BytesIO()
    libro.save(salida)
    assert len(hojas.leer_beneficiarias(salida.getvalue())) == 300


def test_un_millon_de_filas_iguales_se_rechaza_sin_abrir_el_libro():
    # 0,3 MB que se descomprimen en ~300 MB: la razón de compresión la delata sin leer nada.
    bomba = xlsx(_fila(["x"] * 5) * 100, 10_000)
    assert len(bomba) < 1_000_000
    error = _rechazo(bomba)
    assert error.estado_http == 413 and "saturar" in error.detalles["archivo"][0]


def test_lo_que_declara_el_zip_descomprimido_tiene_tope():
    # Poco comprimible (textos distintos), pero más grande que el tope: se rechaza por el tamaño declarado.
    grande = xlsx(_fila(["Marta", "Lagos", "0309-1980-00011", "1980-01-01", "Centro"]), 1, nivel=1,
                  extra={"xl/relleno.xml": os.urandom(hojas.MAX_MIEMBRO + 1)})
    error = _rechazo(grande)
    assert error.estado_http == 413 and "MB" in error.detalles["archivo"][0]


def test_una_fila_con_miles_de_celdas_poco_comprimibles():
    # La que tumbaba al proceso: una sola fila de 20 000 celdas se arma entera en memoria antes de leerla.
    fila = "<row>" + "".join(_celda(f"{i * 2654435761 % 4294967296:x}") for i in range(20_000)) + "</row>"
    error = _rechazo(xlsx(fila, 1, nivel=1))
    assert error.estado_http == 413 and "celdas" in error.detalles["archivo"][0]


def test_una_fila_que_cruza_el_trozo_se_cuenta_entera():
    # La fila ancha queda partida en la frontera de 1 MiB entre dos lecturas del XML descomprimido; antes,
    # filas de textos al azar (poco comprimibles, como una lista real) y espacios para caer justo ahí.
    mib = 1024 * 1024
    for celdas, pasa in ((hojas.MAX_COLUMNAS, True), (hojas.MAX_COLUMNAS + 1, False)):
        ancha = "<row>" + _celda("a") * celdas + "</row>"
        falta = mib - len(ancha) // 2 - len(inicio_de_hoja())
        relleno = []
        while falta > 200:
            fila = _fila([os.urandom(16).hex()])
            relleno.append(fila)
            falta -= len(fila)
        filas = "".join(relleno) + " " * falta
        inicio = len(inicio_de_hoja()) + len(filas)
        assert inicio < mib < inicio + len(ancha)
        contenido = xlsx(filas + ancha, 1, nivel=1)
        if pasa:
            hojas.revisar_zip(contenido)
        else:
            assert "celdas" in _rechazo(contenido).detalles["archivo"][0]


def test_la_dimension_declarada_de_la_hoja():
    fila = _fila(["Marta", "Lagos", "0309-1980-00011", "1980-01-01", "Centro"])
    assert _rechazo(xlsx(fila, 1, dimension="A1:XFD1048576")).estado_http == 413
    assert _rechazo(xlsx(fila, 1, dimension="A1:E300000")).estado_http == 413
    assert len(hojas.leer_beneficiarias(xlsx(fila, 1, dimension="A1:E2"))) == 1


def test_demasiadas_filas_se_cuentan_antes_de_abrirlo():
    # Filas vacías casi incomprimibles de a una (r= distinto en cada una): la cuenta las ve antes que openpyxl.
    filas = "".join(f'<row r="{i}" spans="1:1" x14ac:dyDescent="0.{i}"/>' for i in range(2, hojas.MAX_FILAS + 3))
    error = _rechazo(xlsx(filas, 1, nivel=1))
    assert error.estado_http == 400 and "filas" in error.detalles["archivo"][0]


def test_textos_compartidos_sin_fin():
    textos = b"<sst>" + b"<si><t>a</t></si>" * (hojas.MAX_TEXTOS + 1) + b"</sst>"
    error = _rechazo(xlsx(_fila(["x"]), 1, nivel=1, extra={"xl/sharedStrings.xml": textos}))
    assert error.estado_http == 413


def test_entidades_xml_no_se_aceptan():
    risa = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    error = _rechazo(xlsx(_fila(["&b;"]), 1, antes_de_la_hoja=risa))
    assert error.estado_http == 400


def test_lo_que_no_es_un_zip_sigue_siendo_un_400():
    error = _rechazo(b"nombres,apellidos\nAna,Perez\n")
    assert error.estado_http == 400 and "xlsx" in error.detalles["archivo"][0]
