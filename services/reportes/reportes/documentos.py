"""El informe en PDF (reportlab, con sus gráficos) y en .xlsx (openpyxl), de los mismos datos que el JSON."""
import base64
import io

from openpyxl import Workbook
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import cm
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from omm_common.documentos import COLORES, MESES, estilos, fila_de_texto, tabla_pdf
from omm_common.documentos import texto_pdf as _t

from .dominio import NOMBRES_INDICADOR, NOMBRES_TRIMESTRE_POA, fecha_en_letras, nombre_de_mes

ANCHO = 17 * cm
_fecha = fecha_en_letras


def _mes_corto(mes):
    """'2026-03' -> 'mar. 2026' (eje de un gráfico)."""
    a, m = mes.split("-")
    return f"{MESES[int(m) - 1][:3]}. {a}"


def _imagen(contenido, ancho_max, alto_max):
    """Una imagen de reportlab que cabe en la caja, con su proporción; None si no se puede leer."""
    try:
        from reportlab.lib.utils import ImageReader
        lector = ImageReader(io.BytesIO(contenido))
        ancho, alto = lector.getSize()
    except Exception:  # noqa: BLE001 - una imagen dañada no impide el informe
        return None
    escala = min(ancho_max / ancho, alto_max / alto)
    return Image(io.BytesIO(contenido), width=ancho * escala, height=alto * escala)


def _fotos(fotos, e, municipios=None):
    """Las fotos como en el informe de Lejamaní: en cuadrícula de dos, cada una con su leyenda debajo.

    `municipios` {código: nombre} en el consolidado: cada pie dice de qué municipio es."""
    celdas = []
    for f in fotos:
        try:
            contenido = base64.b64decode(f.get("contenido_base64") or "")
        except ValueError:
            continue
        imagen = _imagen(contenido, 7.8 * cm, 6 * cm) if contenido else None
        if imagen is None:
            continue
        leyenda = f.get("leyenda") or f.get("titulo") or ""
        lugar = f" ({municipios.get(f.get('municipio'), f.get('municipio'))})" if municipios else ""
        pie = (f"{_t(leyenda)}<br/><font color='grey'>{_t(f.get('titulo') or '')}{_t(lugar)}, "
               f"{_t(_fecha(f.get('fecha')))}</font>")
        celdas.append([imagen, Paragraph(pie, e["celda"])])
    if not celdas:
        return []
    filas = [celdas[n:n + 2] for n in range(0, len(celdas), 2)]
    datos = [[c for c in fila] + [""] * (2 - len(fila)) for fila in filas]
    tabla = Table(datos, colWidths=[ANCHO / 2] * 2)
    tabla.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
    return [tabla]


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


def _participantes(actividad):
    """«35 (30 mujeres, 5 hombres)» cuando la charla se contó por sexo, como las cuenta la oficina."""
    conteo = actividad.get("conteo") or {}
    if not conteo:
        return actividad["participantes"]
    partes = [f"{conteo.get('mujeres', 0)} mujeres"] + (
        [f"{conteo['hombres']} hombres"] if conteo.get("hombres") else [])
    return f"{actividad['participantes']} ({', '.join(partes)})"


def _total_casos(casos):
    """La oficina ve el total de lo que atendió; la mancomunidad, solo los casos con consentimiento."""
    if "atendidos" in casos:
        return "Total de casos atendidos", casos["atendidos"]["total"]
    return "Casos con consentimiento para estadísticas", casos["casos"]["total"]


def _linea_total_casos(casos):
    etiqueta, total = _total_casos(casos)
    return f"{etiqueta}: {total}"


def _completitud_pdf(inf, e):
    """Qué registró cada oficina cada mes del periodo; los meses vacíos dicen «Sin registros»."""
    c = inf.get("completitud") or {}
    if not c.get("meses"):
        return []
    region = inf["ambito"]["tipo"] == "mancomunidad"
    filas = []
    for municipio, meses in c["por_municipio"].items():
        nombre = c.get("nombres_municipios", {}).get(municipio, municipio)
        for mes in c["meses"]:
            x = meses[mes]
            filas.append(([nombre] if region else []) + [
                nombre_de_mes(mes), x["casos"], x["entregas"], x["actividades"],
                "Sin registros" if x["sin_registros"] else ""])
    encabezado = (["Municipio"] if region else []) + ["Mes", "Casos", "Entregas de ayuda", "Actividades", ""]
    return [Paragraph("Registros por mes", e["h1"]), tabla_pdf(encabezado, filas)]


def pdf(inf):
    salida = io.BytesIO()
    doc = SimpleDocTemplate(salida, pagesize=LETTER, title=inf["titulo"], author="Sistema de las OMM",
                            leftMargin=2.2 * cm, rightMargin=2.2 * cm, topMargin=2 * cm, bottomMargin=2 * cm)
    e = estilos()
    p = inf["periodo"]
    logo = _imagen(inf["imagen_logo"], 3.5 * cm, 2.5 * cm) if inf.get("imagen_logo") else None
    h = [logo] if logo is not None else []
    h += [Paragraph(_t(inf["titulo"]), e["titulo"]),
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
                  a["institucion"], a["sesiones"], _participantes(a)] for a in inf["actividades"]]
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
        h.append(_barras_verticales("Entregas de ayuda por mes", [_mes_corto(m) for m in meses],
                                    [[ay["por_mes"][m].get(c, 0) for m in meses] for c in categorias],
                                    [c["nombre"] for c in ay["por_categoria"]]))
    else:
        h.append(Paragraph("No se entregó ayuda en el periodo.", e["normal"]))

    casos = inf["casos"]
    h.append(Paragraph("Casos atendidos (en agregado)", e["h1"]))
    h.append(Paragraph(_t(_linea_total_casos(casos)), e["normal"]))
    for dim, nombre in casos["titulos"].items():
        tabla = casos[dim]
        if tabla["total_columna"]:
            h.append(Paragraph(nombre, e["h2"]))
            h.append(tabla_pdf([tabla["nombres"].get(v, v) for v in tabla["total_columna"]],
                               [list(tabla["total_columna"].values())]))
    h.append(Paragraph(_t(casos["nota"]), e["nota"]))

    h += _completitud_pdf(inf, e)

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
                        [[a["nombre"] + (f" ({plan['municipio_nombre']})" if region else ""),
                          NOMBRES_INDICADOR.get(a["indicador"], a["indicador"]),
                          _numero(a["meta_anual"]), _numero(a["logrado_anual"]),
                          "—" if a["porcentaje_anual"] is None else f"{a['porcentaje_anual']:.0f} %"]
                         for plan, a in lineas]))
        h.append(Spacer(1, 0.3 * cm))
        h.append(_barras_horizontales("Avance del POA (% de la meta anual)", [a["nombre"] for _, a in lineas],
                                      [min(a["porcentaje_anual"] or 0, 150) for _, a in lineas], maximo=150))
    else:
        h.append(Paragraph("No hay un POA registrado para este año.", e["normal"]))

    if inf.get("imagenes"):
        h.append(Paragraph("Memoria fotográfica", e["h1"]))
        region = inf["ambito"]["tipo"] == "mancomunidad"
        h += _fotos(inf["imagenes"], e, (inf.get("completitud") or {}).get("nombres_municipios") if region else None)

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
        ["Título", inf["titulo"]], ["Desde", _fecha(p["desde"])], ["Hasta", _fecha(p["hasta"])],
        ["Introducción", inf["introduccion"]], ["Objetivo general", inf["objetivo_general"]],
        *[["Objetivo específico", x] for x in inf["objetivos_especificos"]],
        ["Desafíos", inf["desafios"]], *[["Línea de acción", x] for x in inf["lineas_accion"]],
        ["Generado el", _fecha(inf["generado_el"])],
    ])
    hoja("Actividades", ["Desde", "Hasta", "Municipio", "Actividad", "Tipo", "Institución", "Lugar",
                         "Sesiones o entregas", "Participantes", "Mujeres (conteo)", "Hombres (conteo)"],
         [[_fecha(a["desde"]), _fecha(a["hasta"]), a["municipio_nombre"], a["titulo"], a["tipo_nombre"],
           a["institucion"], a["lugar"], a["sesiones"], a["participantes"],
           (a.get("conteo") or {}).get("mujeres"), (a.get("conteo") or {}).get("hombres")]
          for a in inf["actividades"]])
    ay = inf["ayudas"]
    hoja("Ayudas", ["Ayuda", "Entregas", "Personas", "Unidades", "Monto (L)"],
         [[c["nombre"], c["entregas"], c["personas"], c["unidades"], c["monto"]] for c in ay["por_categoria"]]
         + [["Total", ay["total"]["entregas"], ay["total"]["personas"], ay["total"]["unidades"],
             ay["total"]["monto"]]])
    casos = inf["casos"]
    etiqueta, total = _total_casos(casos)
    filas_casos = [[etiqueta, "", total]]
    for dim, nombre in casos["titulos"].items():
        filas_casos += [[nombre, casos[dim]["nombres"].get(valor, valor), n]
                        for valor, n in casos[dim]["total_columna"].items()]
    hoja("Casos", ["Dimensión", "Valor", "Casos"], filas_casos + [["Nota", casos["nota"], ""]])
    hoja("Capacitaciones", ["Tipo", "Actividades", "Sesiones realizadas", "Participantes", "Asistencias"],
         [[c["nombre"], c["actividades"], c["sesiones_realizadas"], c["participantes"], c["asistencias"]]
          for c in inf["capacitaciones"]["por_tipo"]])
    c = inf.get("completitud") or {"meses": [], "por_municipio": {}}
    hoja("Registros por mes", ["Municipio", "Mes", "Casos", "Entregas de ayuda", "Actividades", "Estado"],
         [[c.get("nombres_municipios", {}).get(m, m), nombre_de_mes(mes), x[mes]["casos"], x[mes]["entregas"],
           x[mes]["actividades"], "Sin registros" if x[mes]["sin_registros"] else "Con registros"]
          for m, x in c["por_municipio"].items() for mes in c["meses"]])
    if inf.get("fotos"):
        hoja("Fotos", ["Actividad", "Tipo", "Fecha", "Leyenda"],
             [[f["titulo"], f["tipo_nombre"], _fecha(f["fecha"]), f["leyenda"]] for f in inf["fotos"]])
    hoja("POA", ["Municipio", "Actividad", "Indicador", "Trimestre", "Meta", "Logrado", "Avance %"],
         [[plan["municipio_nombre"], a["nombre"], NOMBRES_INDICADOR.get(a["indicador"], a["indicador"]),
           NOMBRES_TRIMESTRE_POA.get(t, t), a["trimestres"][t]["meta"], a["trimestres"][t]["logrado"],
           a["trimestres"][t]["porcentaje"]]
          for plan in inf["poa"] for a in plan["actividades"] for t in a["trimestres"]]
         + [[plan["municipio_nombre"], a["nombre"], NOMBRES_INDICADOR.get(a["indicador"], a["indicador"]), "Año",
             a["meta_anual"], a["logrado_anual"], a["porcentaje_anual"]]
            for plan in inf["poa"] for a in plan["actividades"]])
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()
