"""El informe en PDF (reportlab, con sus gráficos) y en .xlsx (openpyxl), de los mismos datos que el JSON."""
import io
from datetime import date

from openpyxl import Workbook
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from omm_common.documentos import COLORES, estilos, fecha_larga, fila_de_texto, tabla_pdf
from omm_common.documentos import texto_pdf as _t

from .dominio import DIMENSIONES

ANCHO = 17 * cm


def _fecha(iso):
    return fecha_larga(date.fromisoformat(iso)) if iso and len(iso) == 10 else (iso or "")


def _barras_verticales(titulo, categorias, series, nombres_series):
    d = Drawing(ANCHO, 7 * cm)
    d.add(String(0, 6.5 * cm, titulo, fontName="Helvetica-Bold", fontSize=10))
    g = VerticalBarChart()
    g.x, g.y, g.width, g.height = 1.2 * cm, 1.2 * cm, 11 * cm, 4.8 * cm
    g.data = series
    g.categoryAxis.categoryNames = categorias
    g.categoryAxis.labels.fontSize = 6
    g.categoryAxis.labels.angle = 30
    g.categoryAxis.labels.dy = -6
    g.valueAxis.valueMin = 0
    g.valueAxis.labels.fontSize = 7
    g.categoryAxis.style = "stacked"
    for n in range(len(series)):
        g.bars[n].fillColor = COLORES[n % len(COLORES)]
    d.add(g)
    leyenda = Legend()
    leyenda.x, leyenda.y = 13 * cm, 5.5 * cm
    leyenda.fontSize = 7
    leyenda.colorNamePairs = [(COLORES[n % len(COLORES)], nombres_series[n]) for n in range(len(series))]
    d.add(leyenda)
    return d


def _barras_horizontales(titulo, etiquetas, valores, maximo=None):
    alto = max(3.5, 0.6 * len(etiquetas) + 1.8) * cm
    d = Drawing(ANCHO, alto)
    d.add(String(0, alto - 0.5 * cm, titulo, fontName="Helvetica-Bold", fontSize=10))
    g = HorizontalBarChart()
    g.x, g.y, g.width, g.height = 6.5 * cm, 0.6 * cm, 9.5 * cm, alto - 1.6 * cm
    g.data = [valores]
    g.categoryAxis.categoryNames = [x[:38] for x in etiquetas]
    g.categoryAxis.labels.fontSize = 7
    g.valueAxis.valueMin = 0
    if maximo:
        g.valueAxis.valueMax = maximo
    g.valueAxis.labels.fontSize = 7
    g.bars[0].fillColor = COLORES[2]
    g.barLabelFormat = "%.0f"
    g.barLabels.fontSize = 6
    g.barLabels.nudge = 8
    d.add(g)
    return d


def _numero(v):
    return f"{v:,.2f}" if isinstance(v, float) and not v.is_integer() else (f"{int(v):,}" if isinstance(
        v, (int, float)) else str(v))


def pdf(inf):
    salida = io.BytesIO()
    doc = SimpleDocTemplate(salida, pagesize=LETTER, title=inf["titulo"], author="Sistema de las OMM",
                            leftMargin=2.2 * cm, rightMargin=2.2 * cm, topMargin=2 * cm, bottomMargin=2 * cm)
    e = estilos()
    p = inf["periodo"]
    h = [Paragraph(_t(inf["titulo"]), e["titulo"]),
         Paragraph(f"Periodo: del {_t(_fecha(p['desde']))} al {_t(_fecha(p['hasta']))}", e["normal"]),
         Spacer(1, 0.3 * cm),
         Paragraph("Introducción", e["h1"]), Paragraph(_t(inf["introduccion"]), e["normal"]),
         Paragraph("Objetivo general", e["h1"]), Paragraph(_t(inf["objetivo_general"]), e["normal"]),
         Paragraph("Objetivos específicos", e["h1"])]
    h += [Paragraph(f"• {_t(x)}", e["normal"]) for x in inf["objetivos_especificos"]]

    h.append(Paragraph("Actividades realizadas", e["h1"]))
    if inf["actividades"]:
        region = inf["ambito"]["tipo"] == "mancomunidad"
        enc = ["Fecha", "Actividad", "Tipo", "Institución", "Sesiones o entregas", "Participantes"]
        filas = [[_fecha(a["desde"]) + ("" if a["hasta"] in (None, a["desde"]) else f" – {_fecha(a['hasta'])}"),
                  a["titulo"] + (f" ({a['municipio_nombre']})" if region else ""), a["tipo_nombre"],
                  a["institucion"], a["sesiones"], a["participantes"]] for a in inf["actividades"]]
        h.append(tabla_pdf(enc, filas, [3.2 * cm, 4.2 * cm, 2.6 * cm, 2.4 * cm, 2.2 * cm, 2.4 * cm]))
    else:
        h.append(Paragraph("No se registraron actividades en el periodo.", e["normal"]))

    ay = inf["ayudas"]
    h.append(Paragraph("Ayuda social entregada", e["h1"]))
    if ay["por_categoria"]:
        h.append(tabla_pdf(["Ayuda", "Entregas", "Personas", "Unidades", "Monto (L)"],
                        [[c["nombre"], c["entregas"], c["personas"], c["unidades"], _numero(c["monto"])]
                         for c in ay["por_categoria"]]
                        + [["Total", ay["total"]["entregas"], ay["total"]["personas"], ay["total"]["unidades"],
                            _numero(ay["total"]["monto"])]]))
        categorias = [c["categoria"] for c in ay["por_categoria"]]
        meses = list(ay["por_mes"])
        h.append(Spacer(1, 0.3 * cm))
        h.append(_barras_verticales("Entregas de ayuda por mes", meses,
                                    [[ay["por_mes"][m].get(c, 0) for m in meses] for c in categorias],
                                    [c["nombre"] for c in ay["por_categoria"]]))
    else:
        h.append(Paragraph("No se entregó ayuda en el periodo.", e["normal"]))

    casos = inf["casos"]
    h.append(Paragraph("Casos atendidos (en agregado)", e["h1"]))
    h.append(Paragraph(f"Total de casos: {_t(casos['casos']['total'])}", e["normal"]))
    for dim, nombre in DIMENSIONES.items():
        tabla = casos[dim]
        if tabla["total_columna"]:
            h.append(Paragraph(nombre, e["h2"]))
            h.append(tabla_pdf(list(tabla["total_columna"]), [list(tabla["total_columna"].values())]))
    h.append(Paragraph(_t(casos["nota"]), e["nota"]))

    cap = inf["capacitaciones"]
    h.append(Paragraph("Capacitaciones y asistencia", e["h1"]))
    if cap["por_tipo"]:
        h.append(tabla_pdf(["Tipo", "Actividades", "Sesiones realizadas", "Participantes", "Asistencias"],
                        [[c["nombre"], c["actividades"], c["sesiones_realizadas"], c["participantes"],
                          c["asistencias"]] for c in cap["por_tipo"]]))
        h.append(Spacer(1, 0.3 * cm))
        h.append(_barras_horizontales("Participantes por tipo de actividad", [c["nombre"] for c in cap["por_tipo"]],
                                      [c["participantes"] for c in cap["por_tipo"]]))
    else:
        h.append(Paragraph("No hubo sesiones realizadas en el periodo.", e["normal"]))

    h.append(Paragraph("Avance del plan operativo anual (POA)", e["h1"]))
    lineas = [(plan, a) for plan in inf["poa"] for a in plan["actividades"]]
    if lineas:
        region = inf["ambito"]["tipo"] == "mancomunidad"
        h.append(tabla_pdf(["Actividad del POA", "Indicador", "Meta anual", "Logrado", "Avance"],
                        [[a["nombre"] + (f" ({plan['municipio_nombre']})" if region else ""), a["indicador"],
                          _numero(a["meta_anual"]), _numero(a["logrado_anual"]),
                          "—" if a["porcentaje_anual"] is None else f"{a['porcentaje_anual']:.0f} %"]
                         for plan, a in lineas]))
        h.append(Spacer(1, 0.3 * cm))
        h.append(_barras_horizontales("Avance del POA (% de la meta anual)", [a["nombre"] for _, a in lineas],
                                      [min(a["porcentaje_anual"] or 0, 150) for _, a in lineas], maximo=150))
    else:
        h.append(Paragraph("No hay un POA registrado para este año.", e["normal"]))

    bloque = [Paragraph("Desafíos y líneas de acción", e["h1"])]
    bloque += [Paragraph(_t(x), e["normal"]) for x in inf["desafios"].split("\n")]
    bloque += [Paragraph(f"• {_t(x)}", e["normal"]) for x in inf["lineas_accion"]]
    h.append(KeepTogether(bloque))
    h.append(Spacer(1, 0.5 * cm))
    h.append(Paragraph(f"Generado por el sistema de las OMM el {_t(_fecha(inf['generado_el']))}. "
                       "Este informe no contiene nombres ni datos de contacto de ninguna persona atendida.", e["nota"]))
    doc.build(h)
    return salida.getvalue()


def xlsx(inf):
    libro = Workbook(write_only=True)

    def hoja(nombre, encabezado, filas):
        h = libro.create_sheet(nombre)
        h.append(encabezado)
        for fila in filas:
            h.append(fila_de_texto(h, fila))

    p = inf["periodo"]
    hoja("Informe", ["Sección", "Contenido"], [
        ["Título", inf["titulo"]], ["Desde", p["desde"]], ["Hasta", p["hasta"]],
        ["Introducción", inf["introduccion"]], ["Objetivo general", inf["objetivo_general"]],
        *[["Objetivo específico", x] for x in inf["objetivos_especificos"]],
        ["Desafíos", inf["desafios"]], *[["Línea de acción", x] for x in inf["lineas_accion"]],
    ])
    hoja("Actividades", ["Desde", "Hasta", "Municipio", "Actividad", "Tipo", "Institución", "Lugar",
                         "Sesiones o entregas", "Participantes"],
         [[a["desde"], a["hasta"], a["municipio_nombre"], a["titulo"], a["tipo_nombre"], a["institucion"],
           a["lugar"], a["sesiones"], a["participantes"]] for a in inf["actividades"]])
    ay = inf["ayudas"]
    hoja("Ayudas", ["Ayuda", "Entregas", "Personas", "Unidades", "Monto (L)"],
         [[c["nombre"], c["entregas"], c["personas"], c["unidades"], c["monto"]] for c in ay["por_categoria"]]
         + [["Total", ay["total"]["entregas"], ay["total"]["personas"], ay["total"]["unidades"],
             ay["total"]["monto"]]])
    filas_casos = [["Total", "", inf["casos"]["casos"]["total"]]]
    for dim, nombre in DIMENSIONES.items():
        filas_casos += [[nombre, valor, n] for valor, n in inf["casos"][dim]["total_columna"].items()]
    hoja("Casos", ["Dimensión", "Valor", "Casos"], filas_casos + [["Nota", inf["casos"]["nota"], ""]])
    hoja("Capacitaciones", ["Tipo", "Actividades", "Sesiones realizadas", "Participantes", "Asistencias"],
         [[c["nombre"], c["actividades"], c["sesiones_realizadas"], c["participantes"], c["asistencias"]]
          for c in inf["capacitaciones"]["por_tipo"]])
    hoja("POA", ["Municipio", "Actividad", "Indicador", "Trimestre", "Meta", "Logrado", "Avance %"],
         [[plan["municipio_nombre"], a["nombre"], a["indicador"], t, a["trimestres"][t]["meta"],
           a["trimestres"][t]["logrado"], a["trimestres"][t]["porcentaje"]]
          for plan in inf["poa"] for a in plan["actividades"] for t in a["trimestres"]]
         + [[plan["municipio_nombre"], a["nombre"], a["indicador"], "año", a["meta_anual"], a["logrado_anual"],
             a["porcentaje_anual"]] for plan in inf["poa"] for a in plan["actividades"]])
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()
