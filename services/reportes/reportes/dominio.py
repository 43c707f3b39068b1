"""Reglas de reportes en Python puro, sin RPC ni base: las pruebas las llaman directamente.

- Supresión de celdas pequeñas en cifras de casos (ninguna cifra menor que 5 sale, ni directa ni por resta).
- Ámbito: qué municipios puede ver quien pide (el suyo, o los de su mancomunidad).
- POA: metas por trimestre y su avance, calculado de los agregados que ya dan los servicios.
- El informe de actividades (con la forma del de la OMM de Lejamaní) y las cifras de la región.

Todo recibe los agregados de los servicios y devuelve datos: sin nombres de personas.
"""
import calendar
from datetime import date

from ayudas.contrato import CATEGORIAS, NOMBRES_CATEGORIA
from capacitaciones.contrato import NOMBRES_TIPO, TIPOS
from omm_common.errores import NoEncontrado, Prohibido, error_de_campo

# --- supresión de celdas pequeñas ---
#
# Una tabla es {fila: {columna: conteo}} (p. ej. municipio x tipo de violencia); se publican las celdas,
# los totales por fila, por columna y el total general. Cada total es una ecuación: si en una línea queda
# una sola celda oculta y su total visible, la resta la revela; entonces se oculta otra celda de esa línea
# (la menor), o el total si no queda otra.

MINIMO = 5
OCULTO = "<5"


def suprimir(tabla, minimo=MINIMO):
    filas = sorted(tabla)
    columnas = sorted({c for f in filas for c in tabla[f]})
    valor = {(f, c): int(tabla[f].get(c, 0)) for f in filas for c in columnas}
    tot_fila = {f: sum(valor[f, c] for c in columnas) for f in filas}
    tot_col = {c: sum(valor[f, c] for f in filas) for c in columnas}
    total = sum(tot_fila.values())

    oculta = {k for k, v in valor.items() if v < minimo}
    fila_oculta = {f for f in filas if tot_fila[f] < minimo}
    col_oculta = {c for c in columnas if tot_col[c] < minimo}
    total_oculto = total < minimo

    cambio = True
    while cambio:
        cambio = False
        # Líneas: cada fila con su total, cada columna con su total, y los totales con el general.
        lineas = [([(f, c) for c in columnas], ("fila", f)) for f in filas]
        lineas += [([(f, c) for f in filas], ("col", c)) for c in columnas]
        for celdas, (tipo, clave) in lineas:
            total_visible = clave not in (fila_oculta if tipo == "fila" else col_oculta)
            ocultas = [k for k in celdas if k in oculta]
            if total_visible and len(ocultas) == 1:
                visibles = sorted((valor[k], k) for k in celdas if k not in oculta)
                if visibles:
                    oculta.add(visibles[0][1])
                else:
                    (fila_oculta if tipo == "fila" else col_oculta).add(clave)
                cambio = True
        for marginales, ocultos in ((tot_fila, fila_oculta), (tot_col, col_oculta)):
            if not total_oculto and len(ocultos) == 1:
                visibles = sorted((v, k) for k, v in marginales.items() if k not in ocultos)
                if visibles:
                    ocultos.add(visibles[0][1])
                else:
                    total_oculto = True
                cambio = True

    def ver(v, escondido):
        return OCULTO if escondido else v

    return {
        "celdas": {f: {c: ver(valor[f, c], (f, c) in oculta) for c in columnas} for f in filas},
        "total_fila": {f: ver(tot_fila[f], f in fila_oculta) for f in filas},
        "total_columna": {c: ver(tot_col[c], c in col_oculta) for c in columnas},
        "total": ver(total, total_oculto),
    }


DIMENSIONES_CASOS = ("tipo_violencia", "nivel_riesgo", "contexto")


def tablas_de_casos(filas, municipios):
    """{dimension: {municipio: {valor: n}}} con todos los municipios, y cada tabla suprimida."""
    salida = {}
    for dimension in DIMENSIONES_CASOS + ("total",):
        tabla = {m: {} for m in municipios}
        for f in filas:
            if f["dimension"] == dimension:
                celda = tabla[f["municipio"]]
                celda[f["valor"]] = celda.get(f["valor"], 0) + f["casos"]
        salida["casos" if dimension == "total" else dimension] = suprimir(tabla)
    meses = {m: {} for m in municipios}
    for f in filas:
        if f["dimension"] == "total":
            meses[f["municipio"]][f["mes"]] = meses[f["municipio"]].get(f["mes"], 0) + f["casos"]
    salida["por_mes"] = suprimir(meses)
    return salida


# --- ámbito: qué municipios puede ver quien pide ---

def municipios_de_la_mancomunidad(yo, territorio):
    """Códigos de los municipios miembros; `territorio` es lo que el gateway dice de la mancomunidad de `yo`."""
    if territorio["mancomunidad"] is None:
        raise Prohibido("Su usuaria no pertenece a una mancomunidad registrada.")
    return [m["codigo"] for m in territorio["municipios"]]


def ambito(yo, municipio, territorio):
    """(ámbito del informe o del POA, {codigo: nombre} de sus municipios).

    Una coordinadora ve solo su municipio; la mancomunidad, el consolidado de sus miembros o uno de ellos.
    Un municipio ajeno es 404: no se revela que existe. `territorio` viene del gateway, dueño de los
    municipios: la mancomunidad de `yo` con sus miembros, o el municipio de `yo`.
    """
    todos = {m["codigo"]: m["nombre"] for m in territorio["municipios"]}
    if yo.rol == "mancomunidad":
        miembros = municipios_de_la_mancomunidad(yo, territorio)
        if municipio and municipio not in miembros:
            raise NoEncontrado("No se encontró ese municipio en su mancomunidad.", {"municipio": municipio})
        if not municipio:
            m = territorio["mancomunidad"]
            return ({"tipo": "mancomunidad", "codigo": m["codigo"], "nombre": m["nombre"], "municipios": miembros},
                    todos)
        codigo = municipio
    else:
        if municipio and municipio != yo.municipio:
            raise NoEncontrado("No se encontró ese municipio.", {"municipio": municipio})
        codigo = yo.municipio
        if codigo not in todos:
            raise NoEncontrado("No se encontró su municipio.", {"municipio": codigo})
    return ({"tipo": "municipio", "codigo": codigo, "nombre": f"Oficina Municipal de la Mujer de {todos[codigo]}",
             "municipios": [codigo]}, {codigo: todos[codigo]})


# --- POA ---
#
# Una meta mide una sola cosa de una sola fuente, para que el avance salga de los registros y nadie tenga
# que teclearlo.

# indicador -> (servicio que lo registra, campo de sus agregados)
INDICADORES = {
    "actividades": ("capacitaciones", "actividades"),
    "sesiones": ("capacitaciones", "sesiones_realizadas"),
    "participantes": ("capacitaciones", "participantes"),
    "asistencias": ("capacitaciones", "asistencias"),
    "entregas": ("ayudas", "entregas"),
    "personas": ("ayudas", "personas"),
    "unidades": ("ayudas", "unidades"),
    "monto": ("ayudas", "monto"),
}
TRIMESTRES = ("t1", "t2", "t3", "t4")


def anio(valor):
    """El año de la ruta (/poa/2026), validado: llega como texto."""
    texto = str(valor)
    if not (texto.isdigit() and 2000 <= int(texto) <= 2100):
        raise error_de_campo("anio", "Indique un año entre 2000 y 2100.")
    return int(texto)


def periodos(anio_):
    """Los cuatro trimestres y el año: personas distintas del año no son la suma de las de cada trimestre."""
    limites = [(date(anio_, m, 1), date(anio_, m + 2, 31 if m + 2 in (3, 12) else 30)) for m in (1, 4, 7, 10)]
    return dict(zip(TRIMESTRES + ("anio",), limites + [(date(anio_, 1, 1), date(anio_, 12, 31))]))


def validar_plan(actividades):
    """Errores por campo ({"actividades.2.tipo_capacitacion": [...]}); vacío si el plan es coherente."""
    errores = {}
    vistos = set()
    for n, a in enumerate(actividades):
        fuente = INDICADORES[a["indicador"]][0]
        campo, valores = (("tipo_capacitacion", TIPOS) if fuente == "capacitaciones"
                          else ("categoria_ayuda", CATEGORIAS))
        otro = "categoria_ayuda" if campo == "tipo_capacitacion" else "tipo_capacitacion"
        if not a.get(campo):
            errores[f"actividades.{n}.{campo}"] = [
                f"El indicador «{a['indicador']}» se mide en {fuente}: indique {campo} ({', '.join(valores)})."]
        if a.get(otro):
            errores[f"actividades.{n}.{otro}"] = [f"No corresponde al indicador «{a['indicador']}»."]
        clave = a["nombre"].strip().lower()
        if clave in vistos:
            errores[f"actividades.{n}.nombre"] = ["Ya hay otra actividad del plan con ese nombre."]
        vistos.add(clave)
    return errores


def logrado(actividad, agregados_capacitaciones, agregados_ayudas, municipio):
    """Lo registrado para una línea del plan en un periodo, de los agregados de ese periodo."""
    fuente, campo = INDICADORES[actividad["indicador"]]
    if fuente == "capacitaciones":
        por_tipo = agregados_capacitaciones["por_municipio"].get(municipio, {}).get("por_tipo", {})
        return por_tipo.get(actividad["tipo_capacitacion"], {}).get(campo, 0)
    return agregados_ayudas["por_municipio"].get(municipio, {}).get(actividad["categoria_ayuda"], {}).get(campo, 0)


def _porcentaje(hecho, meta):
    return round(100 * float(hecho) / float(meta), 1) if meta else None


def avance(actividades, agregados_por_periodo, municipio):
    """Cada línea con meta, logrado y porcentaje por trimestre y en el año.

    `agregados_por_periodo`: {"t1"..."t4", "anio": (agregados de capacitaciones, agregados de ayudas)}.
    """
    salida = []
    for a in actividades:
        hecho = {p: logrado(a, *agregados_por_periodo[p], municipio) for p in agregados_por_periodo}
        metas = {t: float(a["metas"][t]) for t in TRIMESTRES}
        meta_anual = sum(metas.values())
        trimestres = {t: {"meta": metas[t], "logrado": hecho[t], "porcentaje": _porcentaje(hecho[t], metas[t])}
                      for t in TRIMESTRES}
        salida.append({**a, "metas": metas, "trimestres": trimestres, "meta_anual": meta_anual,
                       "logrado_anual": hecho["anio"], "porcentaje_anual": _porcentaje(hecho["anio"], meta_anual)})
    return salida


def poa_de(municipio, nombre, anio_, planes, agregados_por_periodo, hoy):
    """El POA de un municipio como lo ve la oficina: su plan con el avance, o vacío si no tiene."""
    return {"municipio": municipio, "municipio_nombre": nombre, "anio": anio_, "calculado_hasta": hoy.isoformat(),
            "actividades": avance(planes.get(municipio, []), agregados_por_periodo, municipio)}


# --- informe de actividades ---

def periodo(desde, hasta, hoy):
    """Sin fechas, el informe va del 1 de enero al día de hoy en Honduras (`hoy`); la noche del 31 de
    diciembre en Tegucigalpa todavía es ese año aunque en UTC ya sea el siguiente."""
    hasta = hasta or hoy
    desde = desde or date(hasta.year, 1, 1)
    if desde > hasta:
        raise error_de_campo("hasta", "La fecha final no puede ser anterior a la inicial.")
    return desde, hasta


INTRODUCCION = (
    "La Oficina Municipal de la Mujer de {lugar} es la instancia del gobierno local que permite interactuar "
    "con las mujeres organizadas y no organizadas, para capacitarlas, afianzar sus conocimientos e "
    "involucrarlas en el desarrollo económico local; brinda atención a los problemas que la mujer atraviesa "
    "en su diario vivir y contribuye a mejorar su calidad de vida y la de su familia. El presente documento "
    "recoge las actividades registradas entre el {desde} y el {hasta}: el acompañamiento a mujeres en "
    "situación de vulnerabilidad, la ayuda social entregada, las actividades de sensibilización, las "
    "articulaciones interinstitucionales y las capacitaciones para el empoderamiento de las mujeres."
)
OBJETIVO_GENERAL = (
    "Contribuir a la prevención de todas las formas de violencia contra las mujeres y a la promoción de sus "
    "derechos humanos: promover la igualdad de género, fortalecer los derechos de las mujeres y contribuir a "
    "políticas públicas que garanticen una vida libre de violencias y discriminación."
)
OBJETIVOS_ESPECIFICOS = [
    "Realizar las actividades coordinadas por la oficina y dar atención y apoyo a toda mujer que lo requiera.",
    "Recibir capacitaciones para que la oficina esté al servicio de la comunidad con calidad.",
]
SIN_DESAFIOS = "La oficina aún no ha escrito los desafíos y las líneas de acción de este periodo."
CAMPOS_TEXTO = ("introduccion", "objetivo_general", "objetivos_especificos", "desafios", "lineas_accion")
DIMENSIONES = {"tipo_violencia": "Tipo de violencia", "nivel_riesgo": "Nivel de riesgo", "contexto": "Contexto"}
CAMPOS_AYUDA = ("entregas", "personas", "unidades", "monto")


def textos(propios, lugar, desde, hasta):
    """Los textos de la oficina, o los de siempre; `propios` es un dict (vacío si no escribió nada)."""
    return {
        "introduccion": propios.get("introduccion") or INTRODUCCION.format(lugar=lugar, desde=desde, hasta=hasta),
        "objetivo_general": propios.get("objetivo_general") or OBJETIVO_GENERAL,
        "objetivos_especificos": propios.get("objetivos_especificos") or OBJETIVOS_ESPECIFICOS,
        "desafios": propios.get("desafios") or SIN_DESAFIOS,
        "lineas_accion": propios.get("lineas_accion") or [],
    }


def textos_de_region(por_municipio, nombres, lugar, desde, hasta):
    """Consolidado: presentación común y los desafíos de cada oficina con su nombre."""
    base = textos({}, lugar, desde, hasta)
    desafios = [f"{nombres[m]}: {t['desafios']}" for m, t in sorted(por_municipio.items()) if t.get("desafios")]
    lineas = [f"{nombres[m]}: {x}" for m, t in sorted(por_municipio.items()) for x in (t.get("lineas_accion") or [])]
    return {**base, "desafios": "\n".join(desafios) or SIN_DESAFIOS, "lineas_accion": lineas}


def textos_del_ambito(ambito_, propios, nombres, desde, hasta):
    if ambito_["tipo"] == "municipio":
        return textos(propios.get(ambito_["codigo"], {}), nombres[ambito_["codigo"]], desde, hasta)
    return textos_de_region(propios, nombres, ambito_["nombre"], desde, hasta)


def ayudas_por_categoria(agregados):
    """Entregas, personas, unidades y montos por categoría (y por mes) de todos los municipios pedidos."""
    por_categoria, por_mes = {}, {}
    for categorias in agregados["por_municipio"].values():
        for categoria, x in categorias.items():
            c = por_categoria.setdefault(categoria, dict.fromkeys(CAMPOS_AYUDA, 0))
            for k in CAMPOS_AYUDA:
                c[k] += x[k]
    for meses in agregados["por_mes"].values():
        for mes, categorias in meses.items():
            suma = por_mes.setdefault(mes, {})
            for categoria, x in categorias.items():
                suma[categoria] = suma.get(categoria, 0) + x["entregas"]
    filas = [{"categoria": c, "nombre": NOMBRES_CATEGORIA.get(c, c), **v, "monto": round(v["monto"], 2)}
             for c, v in sorted(por_categoria.items())]
    total = {k: round(sum(f[k] for f in filas), 2) for k in CAMPOS_AYUDA}
    return {"por_categoria": filas, "por_mes": dict(sorted(por_mes.items())), "total": total}


def _fin_de_mes(mes):
    """'2026-02' -> '2026-02-28'."""
    a, m = (int(x) for x in mes.split("-"))
    return date(a, m, calendar.monthrange(a, m)[1]).isoformat()


def actividades_del_periodo(actividades, agregados_ayudas, nombres, periodo_):
    """Lo hecho en el periodo, como en el informe: cada actividad con fecha, tipo, institución y participantes.

    Las entregas de ayuda también son actividades de la oficina: una línea por categoría y municipio,
    del primer al último mes con entregas (dentro del periodo).
    """
    filas = [{"desde": a["desde"], "hasta": a["hasta"], "tipo": a["tipo"],
              "tipo_nombre": NOMBRES_TIPO.get(a["tipo"], a["tipo"]), "titulo": a["titulo"],
              "institucion": a["institucion"] or "OMM", "lugar": a["lugar"], "municipio": a["municipio"],
              "municipio_nombre": nombres.get(a["municipio"], a["municipio"]),
              "sesiones": a["sesiones_realizadas"], "participantes": a["participantes"]}
             for a in actividades]
    for municipio, categorias in agregados_ayudas["por_municipio"].items():
        meses = agregados_ayudas["por_mes"].get(municipio, {})
        for categoria, x in categorias.items():
            m = sorted(mes for mes, c in meses.items() if categoria in c)
            desde = max(f"{m[0]}-01", periodo_["desde"]) if m else None
            hasta = min(_fin_de_mes(m[-1]), periodo_["hasta"]) if m else None
            filas.append({"desde": desde, "hasta": hasta,
                          "tipo": f"ayuda_{categoria}", "tipo_nombre": NOMBRES_CATEGORIA.get(categoria),
                          "titulo": NOMBRES_CATEGORIA.get(categoria, categoria), "institucion": "OMM",
                          "lugar": "Oficina Municipal de la Mujer", "municipio": municipio,
                          "municipio_nombre": nombres.get(municipio, municipio),
                          "sesiones": x["entregas"], "participantes": x["personas"]})
    return sorted(filas, key=lambda x: (x["desde"] or "", x["municipio"], x["titulo"]))


def capacitaciones_por_tipo(agregados):
    total = agregados["total"]
    return {"por_tipo": [{"tipo": t, "nombre": NOMBRES_TIPO.get(t, t), **v}
                         for t, v in sorted(total.get("por_tipo", {}).items())],
            "total": {k: total.get(k, 0) for k in ("actividades", "sesiones_realizadas", "participantes",
                                                    "asistencias")}}


def componer(ambito_, periodo_, textos_, agregados, actividades, poa, nombres, hoy):
    """El informe entero como datos: lo mismo sale en JSON, en .xlsx y en PDF."""
    casos = tablas_de_casos(agregados["casos"], ambito_["municipios"])
    return {
        "titulo": f"Informe de actividades — {ambito_['nombre']}",
        "ambito": ambito_,
        "periodo": periodo_,
        **textos_,
        "actividades": actividades_del_periodo(actividades, agregados["ayudas"], nombres, periodo_),
        "ayudas": ayudas_por_categoria(agregados["ayudas"]),
        "casos": {"nota": "Solo casos con consentimiento para estadísticas; las cifras menores que 5 se "
                          "muestran como «<5», también cuando una resta las revelaría.",
                  **{d: casos[d] for d in ("casos",) + tuple(DIMENSIONES)}},
        "capacitaciones": capacitaciones_por_tipo(agregados["capacitaciones"]),
        "poa": poa,
        "generado_el": hoy.isoformat(),
    }


def nombre_de_archivo(informe, formato):
    p = informe["periodo"]
    return f"informe-omm-{informe['ambito']['codigo'].lower()}-{p['desde']}-{p['hasta']}.{formato}"


# --- cifras de la región ---

def cifras_de_region(mancomunidad, municipios, desde, hasta, casos, ayudas, capacitaciones, notificaciones):
    """La respuesta de /region/estadisticas desde los agregados de cada servicio (sin red: se mide sola)."""
    entregas = {m: ayudas["por_municipio"].get(m, {}) for m in municipios}
    totales_ayudas = {m: {k: x[k] for k in ("entregas", "monto", "personas")} for m, x in ayudas["totales"].items()}
    por_mes = {m: ayudas["por_mes"].get(m, {}) for m in municipios}
    region = ayudas_por_categoria(ayudas)
    ultima = {}
    for m in municipios:
        fechas = [x for x in (ayudas["ultima_fecha"].get(m),
                              capacitaciones["por_municipio"].get(m, {}).get("ultima_fecha")) if x]
        ultima[m] = max(fechas) if fechas else None
    return {
        "mancomunidad": mancomunidad, "municipios": municipios, "desde": desde, "hasta": hasta,
        "casos": tablas_de_casos(casos, municipios),
        "ayudas": {"por_municipio": entregas, "totales": totales_ayudas, "por_mes": por_mes,
                   "region": {"por_categoria": region["por_categoria"], "total": region["total"]}},
        "capacitaciones": {"por_municipio": capacitaciones["por_municipio"], "total": capacitaciones["total"]},
        "notificaciones_cis": notificaciones,
        "completitud": {"ultima_actividad": ultima,
                        "sin_registros": [m for m in municipios if ultima[m] is None]},
    }
