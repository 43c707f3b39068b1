"""PDF de la constancia de participación y de la hoja de asistencia (reportlab, sin plantillas externas)."""
import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from omm_common.documentos import estilos, fecha_larga
from omm_common.documentos import texto_pdf as _t


def constancia_pdf(*, nombre, titulo, tipo, institucion, municipio, sesiones_asistidas, sesiones_realizadas,
                   horas, porcentaje, fechas, codigo, emitida):
    salida = io.BytesIO()
    doc = SimpleDocTemplate(salida, pagesize=landscape(LETTER), title=f"Constancia de participación - {nombre}",
                            author=f"Oficina Municipal de la Mujer de {municipio}",
                            leftMargin=2.5 * cm, rightMargin=2.5 * cm, topMargin=2 * cm, bottomMargin=2 * cm)
    e = estilos()
    periodo = ""
    if fechas:
        inicio, fin = min(fechas), max(fechas)
        periodo = (f"el {fecha_larga(inicio)}" if inicio == fin
                   else f"del {fecha_larga(inicio)} al {fecha_larga(fin)}")
    horas_txt = f"{float(horas):g}"
    partes = [
        Paragraph(_t(f"Municipalidad de {municipio}"), e["centro"]),
        Paragraph(_t("Oficina Municipal de la Mujer"), e["centro"]),
        Spacer(1, 0.8 * cm),
        Paragraph("CONSTANCIA DE PARTICIPACIÓN", e["titulo_grande"]),
        Spacer(1, 0.6 * cm),
        Paragraph("Se hace constar que", e["centro"]),
        Spacer(1, 0.3 * cm),
        Paragraph(_t(nombre), e["nombre"]),
        Spacer(1, 0.3 * cm),
        Paragraph(_t(f"participó en la actividad «{titulo}» ({tipo})"
                     + (f", impartida con el apoyo de {institucion}," if institucion else ",")
                     + f" realizada {periodo} en el municipio de {municipio}."), e["centro"]),
        Spacer(1, 0.3 * cm),
        Paragraph(_t(f"Asistió a {sesiones_asistidas} de {sesiones_realizadas} sesiones "
                     f"({porcentaje:g} %), con un total de {horas_txt} horas."), e["centro"]),
        Spacer(1, 1.6 * cm),
        Table([["_______________________________", "_______________________________"],
               ["Coordinadora de la OMM", "Facilitadora"]], colWidths=[9 * cm, 9 * cm],
              style=TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")])),
        Spacer(1, 0.8 * cm),
        Paragraph(_t(f"Emitida en {municipio} el {fecha_larga(emitida)}. Código de verificación: {codigo}"),
                  e["pequeno"]),
    ]
    doc.build(partes)
    return salida.getvalue()


def hoja_asistencia_pdf(*, titulo, tipo, municipio, lugar, facilitador, fecha, hora, tema, personas):
    salida = io.BytesIO()
    doc = SimpleDocTemplate(salida, pagesize=LETTER, title=f"Hoja de asistencia - {titulo}",
                            author=f"Oficina Municipal de la Mujer de {municipio}",
                            leftMargin=1.5 * cm, rightMargin=1.5 * cm, topMargin=1.5 * cm, bottomMargin=1.5 * cm)
    e = estilos()
    datos = [
        f"<b>Actividad:</b> {_t(titulo)} ({_t(tipo)})",
        f"<b>Municipio:</b> {_t(municipio)} &nbsp;&nbsp; <b>Lugar:</b> {_t(lugar)}",
        f"<b>Fecha:</b> {_t(fecha_larga(fecha))}" + (f" &nbsp;&nbsp; <b>Hora:</b> {_t(hora)}" if hora else ""),
    ]
    if tema:
        datos.append(f"<b>Tema:</b> {_t(tema)}")
    if facilitador:
        datos.append(f"<b>Facilitadora:</b> {_t(facilitador)}")
    filas = [["N.º", "Nombre", "Comunidad", "Firma o huella"]]
    filas += [[str(n), Paragraph(_t(nombre), e["normal"]), Paragraph(_t(comunidad), e["normal"]), ""]
              for n, (nombre, comunidad) in enumerate(personas, 1)]
    # Renglones en blanco para quien llegue sin inscribirse.
    filas += [[str(n), "", "", ""] for n in range(len(personas) + 1, len(personas) + 6)]
    tabla = Table(filas, colWidths=[1.2 * cm, 7 * cm, 4.5 * cm, 5.5 * cm], repeatRows=1, rowHeights=0.9 * cm)
    tabla.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    partes = [Paragraph(_t(f"Oficina Municipal de la Mujer de {municipio}"), e["centro"]),
              Paragraph("Hoja de asistencia", e["titulo_grande"])]
    partes += [Paragraph(x, e["normal"]) for x in datos]
    partes += [Spacer(1, 0.5 * cm), tabla]
    doc.build(partes)
    return salida.getvalue()
