"""Lo que todo documento de la OMM hace igual: fechas en letras (textos.py), texto seguro para reportlab, estilos y tablas
de PDF, y celdas de hoja de cálculo que nunca son fórmulas. Un solo lugar para capacitaciones (constancias,
hojas de asistencia), ayudas (exportaciones) y reportes (el informe).
"""
from xml.sax.saxutils import escape

from openpyxl.cell import WriteOnlyCell
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.platypus import Paragraph, Table, TableStyle

from .esquemas import CONTROL
from .textos import MESES, fecha_larga, lempiras  # noqa: F401 - los documentos los usan desde aquí

COLORES = [colors.HexColor(c) for c in ("#7b2d8b", "#e07a5f", "#3d7ea6", "#81b29a", "#f2cc8f", "#6d6875")]


def texto_pdf(texto):
    # Lo escribe una persona: "&" o "<" no deben romper el marcado de reportlab.
    return escape(str(texto if texto is not None else ""))


def estilos():
    base = getSampleStyleSheet()
    return {
        "titulo": ParagraphStyle("titulo", parent=base["Title"], fontSize=18, leading=23),
        "titulo_grande": ParagraphStyle("titulo_grande", parent=base["Title"], fontSize=22, leading=28),
        "h1": ParagraphStyle("h1", parent=base["Heading2"], textColor=COLORES[0], spaceBefore=10),
        "h2": ParagraphStyle("h2", parent=base["Heading3"]),
        "normal": ParagraphStyle("normal", parent=base["Normal"], fontSize=10, leading=14),
        "celda": ParagraphStyle("celda", parent=base["Normal"], fontSize=8, leading=10),
        "nota": ParagraphStyle("nota", parent=base["Normal"], fontSize=8, leading=10, textColor=colors.grey),
        "centro": ParagraphStyle("centro", parent=base["Normal"], alignment=TA_CENTER, fontSize=13, leading=19),
        "nombre": ParagraphStyle("nombre", parent=base["Normal"], alignment=TA_CENTER, fontSize=20, leading=26,
                                 fontName="Helvetica-Bold"),
        "pequeno": ParagraphStyle("pequeno", parent=base["Normal"], alignment=TA_CENTER, fontSize=9, leading=12,
                                  textColor=colors.grey),
    }


def tabla_pdf(encabezado, filas, anchos=None, e=None):
    """Tabla con encabezado repetido en cada página; cada celda es un párrafo (corta líneas, no palabras)."""
    e = e or estilos()
    datos = [[Paragraph(f"<b>{texto_pdf(x)}</b>", e["celda"]) for x in encabezado]]
    datos += [[Paragraph(texto_pdf(x), e["celda"]) for x in fila] for fila in filas]
    t = Table(datos, colWidths=anchos, repeatRows=1)
    t.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#efe6f2")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return t


def fila_de_texto(hoja, valores):
    """Celdas para una hoja write_only: un texto que empieza con "=" queda texto, nunca fórmula de Excel."""
    celdas = []
    for valor in valores:
        if isinstance(valor, str):
            valor = CONTROL.sub("", valor)  # datos guardados antes de que Texto los rechazara: la hoja sale igual
        celda = WriteOnlyCell(hoja, value=valor)
        if isinstance(valor, str):
            celda.data_type = "s"
        celdas.append(celda)
    return celdas
