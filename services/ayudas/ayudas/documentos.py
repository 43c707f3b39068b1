"""PDF del recibo de una entrega y de la lista firmada de entregas (reportlab, estilos de omm_common)."""
import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from omm_common.documentos import estilos, fecha_larga, tabla_pdf
from omm_common.documentos import texto_pdf as _t
from omm_common.tiempo import hoy_honduras

FIRMA = "_______________________________"


def _anulada(e, motivo_anulacion, anulada_en):
    cuando = f" el {fecha_larga(hoy_honduras(anulada_en))}" if anulada_en else ""  # el día en Honduras
    return [Paragraph('<font color="#b00020" size="34"><b>ANULADA</b></font>', e["centro"]),
            Spacer(1, 0.4 * cm),
            Paragraph(_t(f"Entrega anulada{cuando}. Motivo: {motivo_anulacion or 'sin motivo'}."), e["centro"]),
            Spacer(1, 0.4 * cm)]


def recibo_pdf(*, municipio, numero_recibo, nombre, dni, ayuda, entregado, fecha, entregada_por, anulada,
               motivo_anulacion, anulada_en):
    salida = io.BytesIO()
    doc = SimpleDocTemplate(salida, pagesize=LETTER, title=f"Recibo {numero_recibo}",
                            author=f"Oficina Municipal de la Mujer de {municipio}",
                            leftMargin=2.5 * cm, rightMargin=2.5 * cm, topMargin=2 * cm, bottomMargin=2 * cm)
    e = estilos()
    partes = [
        Paragraph(_t(f"Municipalidad de {municipio}"), e["centro"]),
        Paragraph(_t(f"Oficina Municipal de la Mujer de {municipio}"), e["centro"]),
        Spacer(1, 0.6 * cm),
        Paragraph("RECIBO DE ENTREGA DE AYUDA SOCIAL", e["titulo"]),
        Paragraph(_t(f"Recibo N.º {numero_recibo}"), e["centro"]),
        Spacer(1, 0.6 * cm),
    ]
    if anulada:
        partes += _anulada(e, motivo_anulacion, anulada_en)
    datos = [("Recibió", nombre), ("DNI", dni), ("Ayuda", ayuda), ("Cantidad o monto", entregado),
             ("Fecha de entrega", fecha_larga(fecha)), ("Entregó", entregada_por or "")]
    tabla = Table([[Paragraph(f"<b>{_t(k)}</b>", e["normal"]), Paragraph(_t(v), e["normal"])] for k, v in datos],
                  colWidths=[5 * cm, 11 * cm])
    tabla.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    partes += [
        tabla,
        Spacer(1, 0.6 * cm),
        Paragraph(_t(f"Hago constar que recibí de la Oficina Municipal de la Mujer de {municipio} la ayuda "
                     "descrita arriba."), e["normal"]),
        Spacer(1, 2 * cm),
        Table([[FIRMA, FIRMA], ["Firma o huella de quien recibe", "Firma de quien entrega"],
               [nombre, entregada_por or ""]], colWidths=[8 * cm, 8 * cm],
              style=TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")])),
        Spacer(1, 1.2 * cm),
        Table([["Huella"]], colWidths=[3 * cm], rowHeights=[3 * cm],
              style=TableStyle([("BOX", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("TEXTCOLOR", (0, 0), (-1, -1), colors.grey)])),
    ]
    doc.build(partes)
    return salida.getvalue()


def lista_pdf(*, municipio, desde, hasta, ayuda, filas, totales, preparada_por):
    salida = io.BytesIO()
    doc = SimpleDocTemplate(salida, pagesize=landscape(LETTER), title=f"Lista de entregas - {municipio}",
                            author=f"Oficina Municipal de la Mujer de {municipio}",
                            leftMargin=1.5 * cm, rightMargin=1.5 * cm, topMargin=1.5 * cm, bottomMargin=1.5 * cm)
    e = estilos()
    partes = [
        Paragraph(_t(f"Oficina Municipal de la Mujer de {municipio}"), e["centro"]),
        Paragraph("LISTA DE ENTREGAS DE AYUDA SOCIAL", e["titulo"]),
        Paragraph(_t(f"{ayuda}, del {fecha_larga(desde)} al {fecha_larga(hasta)}"), e["centro"]),
        Spacer(1, 0.5 * cm),
    ]
    cuerpo = [[str(n), f["numero_recibo"], f["nombre"], f["dni"], f["ayuda"], f["entregado"],
               fecha_larga(f["fecha"]), f["entregada_por"], "ANULADA" if f["anulada"] else ""]
              for n, f in enumerate(filas, 1)]
    if cuerpo:
        tabla = tabla_pdf(["N.º", "Recibo", "Nombre", "DNI", "Ayuda", "Cantidad o monto", "Fecha", "Entregó",
                           "Firma o huella"], cuerpo,
                          anchos=[c * cm for c in (0.9, 3.0, 4.0, 3.0, 3.0, 2.4, 3.0, 2.6, 3.0)])
        # Espacio para firmar; las anuladas no se firman: la celda lo dice.
        tabla.setStyle(TableStyle([("TOPPADDING", (0, 1), (-1, -1), 9), ("BOTTOMPADDING", (0, 1), (-1, -1), 9)]))
        partes.append(tabla)
    else:
        partes.append(Paragraph("No hubo entregas en este periodo.", e["normal"]))
    partes += [Spacer(1, 0.4 * cm), Paragraph("<b>Totales:</b> " + _t("; ".join(totales)) + ".", e["normal"]),
               Spacer(1, 1.6 * cm),
               Table([[FIRMA, FIRMA], ["Quien entregó", "Coordinadora de la OMM"]], colWidths=[10 * cm, 10 * cm],
                     style=TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")])),
               Spacer(1, 0.6 * cm),
               Paragraph(_t(f"Preparada por {preparada_por} el {fecha_larga(hoy_honduras())}."), e["pequeno"])]
    doc.build(partes)
    return salida.getvalue()
