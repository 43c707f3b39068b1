"""Archivos de verdad para schemathesis: las subidas del documento OpenAPI declaran de qué formato es «archivo»
(encoding.archivo.contentType: image/jpeg, image/png, o el .xlsx de las importaciones) y aquí se dice cómo es
un archivo de cada uno. Lo carga schemathesis.toml (raíz del repositorio) en cada `st run` desde ahí.

Sin esto, un `st run` manda bytes al azar como «archivo» y la API los rechaza con razón (400 que nombra el
campo): JSON Schema no puede describir el contenido de un archivo.
"""
import io

import schemathesis
from hypothesis import strategies as st
from openpyxl import Workbook
from PIL import Image

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _imagen(formato, color):
    salida = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(salida, formato)
    return salida.getvalue()


def _libro():
    """Una lista de beneficiarias como la que una oficina importa: encabezados y dos filas."""
    libro = Workbook()
    hoja = libro.active
    hoja.append(["Nombres", "Apellidos", "DNI", "Fecha de nacimiento", "Comunidad", "Teléfono"])
    hoja.append(["Rosa Elena", "Martínez Cruz", "0309-1980-00457", "1980-04-12", "El Naranjo", "9876-5432"])
    hoja.append(["Lidia", "Zelaya", "0309-1975-01234", "1975-09-30", "Lejamaní centro", None])
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


schemathesis.openapi.media_type("image/jpeg", st.sampled_from([_imagen("JPEG", c) for c in ("red", "teal")]))
schemathesis.openapi.media_type("image/png", st.sampled_from([_imagen("PNG", c) for c in ("navy", "gold")]))
schemathesis.openapi.media_type(XLSX, st.just(_libro()))
