"""Reglas de reportes en Python puro, sin RPC ni base: las pruebas las llaman directamente.

- Supresión de celdas pequeñas en cifras de casos (ninguna cifra menor que 5 sale, ni directa ni por resta).
- Ámbito: qué municipios puede ver quien pide (el suyo, o los de su mancomunidad).
- POA: metas por trimestre y su avance, calculado de los agregados que ya dan los servicios.
- El informe de actividades (con la forma del de la OMM de Lejamaní) y las cifras de la región.

Todo recibe los agregados de los servicios y devuelve datos: sin nombres de personas.
"""
import calendar
from collections import deque
from datetime import date

from ayudas.contrato import CATEGORIAS, NOMBRES_CATEGORIA
from capacitaciones.contrato import NOMBRES_TIPO, TIPOS
from casos.contrato import (
    NOMBRES_CONTEXTO, NOMBRES_GBVIMS, NOMBRES_NIVEL_RIESGO, NOMBRES_TIPO_VIOLENCIA,
)
from omm_common.textos import MESES, fecha_larga
from omm_common.errores import ErrorValidacion, NoEncontrado, Prohibido, error_de_campo, incoherentes

# --- supresión de celdas pequeñas ---
#
# Una tabla es {fila: {columna: conteo}} (p. ej. municipio x tipo de violencia); se publican las celdas,
# los totales por fila, por columna y el total general. Cada total es una ecuación: si en una línea queda
# una sola celda oculta y su total visible, la resta la revela; entonces se oculta otra celda de esa línea
# (la menor), o el total si no queda otra. Luego se prueba como atacaría quien lee: con todas las
# ecuaciones a la vez (también los totales entre sí) y con lo que ya sabe (los meses «sin registros» tienen
# 0 casos); mientras despeje una cifra pequeña, se oculta una más.

MINIMO = 5
OCULTO = "<5"


def suprimir(tabla, minimo=MINIMO, conocidas=(), filas_conocidas=()):
    """La tabla con sus celdas y totales pequeños ocultos («<5»), sin que una resta los revele.

    `conocidas`: celdas (fila, columna) cuyo valor quien lee ya sabe por otra vía (un mes que la completitud
    muestra «sin registros» tuvo 0 casos); `filas_conocidas`: filas enteras así (un municipio sin ningún
    registro en el periodo). Se muestran como las demás, pero en cada resta cuentan como visibles y nunca
    sirven de celda complementaria: ocultar al lado de un 0 que se sabe no protege nada.
    """
    filas = sorted(tabla)
    columnas = sorted({c for f in filas for c in tabla[f]})
    valor = {(f, c): int(tabla[f].get(c, 0)) for f in filas for c in columnas}
    tot_fila = {f: sum(valor[f, c] for c in columnas) for f in filas}
    tot_col = {c: sum(valor[f, c] for f in filas) for c in columnas}
    total = sum(tot_fila.values())
    sabida = {k for k in conocidas if k in valor} | {(f, c) for f in filas_conocidas if f in tabla for c in columnas}
    fila_sabida = {f for f in filas if f in filas_conocidas or (columnas and all((f, c) in sabida for c in columnas))}
    col_sabida = {c for c in columnas if filas and all((f, c) in sabida for f in filas)}

    oculta = {k for k, v in valor.items() if v < minimo and k not in sabida}
    fila_oculta = {f for f in filas if tot_fila[f] < minimo and f not in fila_sabida}
    col_oculta = {c for c in columnas if tot_col[c] < minimo and c not in col_sabida}
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
                visibles = sorted((valor[k], k) for k in celdas if k not in oculta and k not in sabida)
                if visibles:
                    oculta.add(visibles[0][1])
                else:
                    (fila_oculta if tipo == "fila" else col_oculta).add(clave)
                cambio = True
        for marginales, ocultos, sabidos in ((tot_fila, fila_oculta, fila_sabida), (tot_col, col_oculta, col_sabida)):
            if not total_oculto and len(ocultos) == 1:
                visibles = sorted((v, k) for k, v in marginales.items() if k not in ocultos and k not in sabidos)
                if visibles:
                    ocultos.add(visibles[0][1])
                else:
                    total_oculto = True
                cambio = True

    if oculta or fila_oculta or col_oculta or total_oculto:
        oculta, fila_oculta, col_oculta, total_oculto = _auditar(
            valor, filas, columnas, tot_fila, tot_col, total, minimo, sabida, oculta, fila_oculta, col_oculta,
            total_oculto)

    def ver(v, escondido):
        return OCULTO if escondido else v

    return {
        "celdas": {f: {c: ver(valor[f, c], (f, c) in oculta or valor[f, c] < minimo) for c in columnas}
                   for f in filas},
        "total_fila": {f: ver(tot_fila[f], f in fila_oculta or tot_fila[f] < minimo) for f in filas},
        "total_columna": {c: ver(tot_col[c], c in col_oculta or tot_col[c] < minimo) for c in columnas},
        "total": ver(total, total_oculto),
    }


def _auditar(valor, filas, columnas, tot_fila, tot_col, total, minimo, sabida, oculta, fila_oculta, col_oculta,
             total_oculto):
    """Quien ataca usa además los totales entre sí (las filas y las columnas suman el total general) y lo que
    sabe por otra vía. Si así despeja una cifra pequeña, se oculta una cifra más de la ecuación que la dio (la
    menor visible) y se vuelve a probar; cada vuelta oculta una más, así que termina."""
    real = {("c", f, c): v for (f, c), v in valor.items()}
    real.update({("f", f): v for f, v in tot_fila.items()})
    real.update({("k", c): v for c, v in tot_col.items()})
    real[("t",)] = total
    ecuaciones = [([("c", f, c) for c in columnas], ("f", f)) for f in filas]
    ecuaciones += [([("c", f, c) for f in filas], ("k", c)) for c in columnas]
    ecuaciones += [([("f", f) for f in filas], ("t",)), ([("k", c) for c in columnas], ("t",))]
    donde = _donde(ecuaciones)
    sabidos = {("c", f, c) for f, c in sabida}
    if sabidos:  # lo que se sabe sin mirar esta tabla no se protege aquí
        sabidos |= set(_despejar(sabidos, ecuaciones, donde))
    while True:
        visibles = {x for x, v in real.items() if v >= minimo and not (
            (x[0] == "c" and (x[1], x[2]) in oculta) or (x[0] == "f" and x[1] in fila_oculta)
            or (x[0] == "k" and x[1] in col_oculta) or (x[0] == "t" and total_oculto))}
        if len(visibles | sabidos) == len(real):  # nada oculto: nada que despejar
            break
        despejados = _despejar(visibles | sabidos, ecuaciones, donde)
        expuesto = next((x for x in despejados if real[x] < minimo), None)
        if expuesto is None:
            break
        partes, total_ecuacion = ecuaciones[despejados[expuesto]]
        candidatos = [x for x in partes + [total_ecuacion] if x in visibles] or sorted(visibles)
        if not candidatos:
            break
        tipo, *clave = min(candidatos, key=lambda x: (real[x], x))
        if tipo == "c":
            oculta.add(tuple(clave))
        elif tipo == "f":
            fila_oculta.add(clave[0])
        elif tipo == "k":
            col_oculta.add(clave[0])
        else:
            total_oculto = True

    return oculta, fila_oculta, col_oculta, total_oculto


def _despejar(sabido, ecuaciones, donde=None):
    """Lo que se despeja de `ecuaciones` [(partes, total)] sabiendo `sabido`: {incógnita: índice de la ecuación
    que la dio}, en el orden en que salen. Cada ecuación con una sola incógnita la da; se propaga. `donde`
    {incógnita: [índices de sus ecuaciones]} se puede pasar ya hecho."""
    if donde is None:
        donde = _donde(ecuaciones)
    faltan = [sum(x not in sabido for x in partes) + (total not in sabido) for partes, total in ecuaciones]
    cola = deque(i for i, n in enumerate(faltan) if n == 1)
    sabido = set(sabido)
    despejados = {}
    while cola:
        i = cola.popleft()
        if faltan[i] != 1:
            continue
        partes, total = ecuaciones[i]
        x = total if total not in sabido else next(y for y in partes if y not in sabido)
        sabido.add(x)
        despejados[x] = i
        for j in donde[x]:
            faltan[j] -= 1
            if faltan[j] == 1:
                cola.append(j)
    return despejados


def _donde(ecuaciones):
    donde = {}
    for i, (partes, total) in enumerate(ecuaciones):
        for x in partes:
            donde.setdefault(x, []).append(i)
        donde.setdefault(total, []).append(i)
    return donde


# Dos clasificaciones del tipo de violencia: la de la ley hondureña (la del contrato, por omisión) y los seis
# tipos centrales del GBVIMS, para comparar con otros países. Casos da las dos en sus agregados; la
# correspondencia (física -> agresión física, psicológica -> abuso psicológico o emocional, sexual ->
# agresión sexual o violación, patrimonial y económica -> negación de recursos) es de casos.
CLASIFICACIONES = {"ley": "tipo_violencia", "gbvims": "gbvims"}
SIN_CLASIFICAR = "sin_clasificar"
NOMBRES = {
    "tipo_violencia": NOMBRES_TIPO_VIOLENCIA,
    "gbvims": {**NOMBRES_GBVIMS, SIN_CLASIFICAR: "Sin clasificar"},
    "nivel_riesgo": NOMBRES_NIVEL_RIESGO,
    "contexto": NOMBRES_CONTEXTO,
}
TITULOS_DIMENSION = {"tipo_violencia": "Tipo de violencia (ley hondureña)",
                     "gbvims": "Tipo de violencia (clasificación GBVIMS)",
                     "nivel_riesgo": "Nivel de riesgo", "contexto": "Contexto"}
DIMENSIONES_CASOS = ("tipo_violencia", "nivel_riesgo", "contexto")


def dimensiones_de(clasificacion):
    return (CLASIFICACIONES[clasificacion], "nivel_riesgo", "contexto")


def nombre_de(dimension, valor):
    """La etiqueta con tildes que una persona lee; el código si casos agregó uno que reportes no conoce."""
    return NOMBRES.get(dimension, {}).get(valor, str(valor).replace("_", " ").capitalize())


def _con_nombres(dimension, tabla):
    return {**tabla, "nombres": {v: nombre_de(dimension, v) for v in tabla["total_columna"]}}


def tablas_de_casos(filas, municipios, clasificacion="ley", ceros=None):
    """{dimension: {municipio: {valor: n}}} con todos los municipios, y cada tabla suprimida.

    Solo casos con consentimiento para estadísticas (las filas de dimensión «total» y las de cada
    dimensión). Cada tabla lleva además `nombres` {código: etiqueta}. Con `clasificacion` «gbvims» la tabla
    de tipos es la de los seis tipos del GBVIMS (clave `gbvims`) en lugar de `tipo_violencia`. `ceros`
    ({(municipio, mes)}, {municipio}) es lo que la completitud ya deja saber que es 0 (ver ceros_conocidos):
    la supresión no se apoya en esas celdas.
    """
    celdas_cero, municipios_cero = ceros or (set(), set())
    salida = {}
    for dimension in dimensiones_de(clasificacion) + ("total",):
        tabla = {m: {} for m in municipios}
        for f in filas:
            if f["dimension"] == dimension and f["municipio"] in tabla:
                celda = tabla[f["municipio"]]
                celda[f["valor"]] = celda.get(f["valor"], 0) + f["casos"]
        if dimension == "total":
            salida["casos"] = suprimir(tabla, filas_conocidas=municipios_cero)
        else:
            salida[dimension] = _con_nombres(dimension, suprimir(tabla, filas_conocidas=municipios_cero))
    meses = {m: {} for m in municipios}
    for f in filas:
        if f["dimension"] == "total" and f["municipio"] in meses:
            meses[f["municipio"]][f["mes"]] = meses[f["municipio"]].get(f["mes"], 0) + f["casos"]
    salida["por_mes"] = suprimir(meses, conocidas=celdas_cero, filas_conocidas=municipios_cero)
    return salida


def atendidos(filas, municipios):
    """Todos los casos que la oficina atendió (con o sin consentimiento para estadísticas), por mes.

    Es la cifra de la oficina sobre su propio trabajo: sale entera solo en su informe, nunca a la
    mancomunidad (que recibe solo los casos con consentimiento, suprimidos). Casos la da como dimensión
    «atendidos»; si aún no la da, se cuentan los del total con consentimiento y `completo` es False.
    """
    dimension = "atendidos" if any(f["dimension"] == "atendidos" for f in filas) else "total"
    por_municipio, por_mes = dict.fromkeys(municipios, 0), {}
    for f in filas:
        if f["dimension"] == dimension and f["municipio"] in por_municipio and f["mes"]:
            por_municipio[f["municipio"]] += f["casos"]
            por_mes[f["mes"]] = por_mes.get(f["mes"], 0) + f["casos"]
    return {"total": sum(por_municipio.values()), "por_municipio": por_municipio,
            "por_mes": dict(sorted(por_mes.items())), "completo": dimension == "atendidos"}


# --- completitud: qué registró cada oficina cada mes ---

def meses_del_periodo(desde, hasta):
    """['2026-01', ..., '2026-12'] de `desde` a `hasta` (textos AAAA-MM-DD o fechas)."""
    d, h = (x if isinstance(x, date) else date.fromisoformat(x) for x in (desde, hasta))
    meses, a, m = [], d.year, d.month
    while (a, m) <= (h.year, h.month):
        meses.append(f"{a:04d}-{m:02d}")
        a, m = (a + 1, 1) if m == 12 else (a, m + 1)
    return meses


def nombre_de_mes(mes):
    """'2026-03' -> 'marzo de 2026'."""
    a, m = mes.split("-")
    return f"{MESES[int(m) - 1]} de {a}"


def completitud_por_mes(municipios, meses, casos_por_mes, ayudas, capacitaciones, casos_visibles=None):
    """{municipio: {mes: {casos, entregas, actividades, sin_registros}}} con todos los meses del periodo.

    `casos_por_mes` {municipio: {mes: n}} son las cifras enteras; `casos_visibles` lo que puede ver quien pide
    (las suprimidas, para la mancomunidad). `sin_registros` se decide con las enteras: un mes sin nada
    registrado se ve como tal.
    """
    salida = {}
    for m in municipios:
        entregas = {mes: sum(x["entregas"] for x in c.values())
                    for mes, c in ayudas.get("por_mes", {}).get(m, {}).items()}
        actividades = {mes: x.get("actividades", 0) for mes, x in capacitaciones.get("por_municipio", {}).get(
            m, {}).get("por_mes", {}).items()}
        filas = {}
        for mes in meses:
            c = casos_por_mes.get(m, {}).get(mes, 0)
            visible = c if casos_visibles is None else casos_visibles.get(m, {}).get(mes, OCULTO)
            fila = {"casos": visible, "entregas": entregas.get(mes, 0), "actividades": actividades.get(mes, 0)}
            fila["sin_registros"] = not c and not fila["entregas"] and not fila["actividades"]
            filas[mes] = fila
        salida[m] = filas
    return salida


def ultima_actividad(municipio, ayudas, capacitaciones, casos_por_mes):
    """La última fecha con algo registrado: entregas, sesiones realizadas o casos (de estos se sabe el mes:
    cuenta su primer día, lo seguro)."""
    fechas = [x for x in (ayudas.get("ultima_fecha", {}).get(municipio),
                          capacitaciones.get("por_municipio", {}).get(municipio, {}).get("ultima_fecha")) if x]
    meses_con_casos = [mes for mes, n in casos_por_mes.get(municipio, {}).items() if n]
    if meses_con_casos:
        fechas.append(f"{max(meses_con_casos)}-01")
    return max(fechas) if fechas else None


def ceros_conocidos(municipios, meses, casos_por_mes, ayudas, capacitaciones):
    """Lo que quien lee sabe que es 0 aunque se muestre «<5»: ({(municipio, mes)}, {municipio}).

    Un mes que la completitud muestra «sin registros» tuvo 0 casos, y un municipio sin ningún registro en el
    periodo (sin última actividad, o con todos sus meses sin registros) tuvo 0 en cada tabla de casos. Si la
    supresión escondiera una cifra pequeña solo al lado de uno de esos ceros, la resta la revelaría.
    """
    completitud = completitud_por_mes(municipios, meses, casos_por_mes, ayudas, capacitaciones)
    celdas = {(m, mes) for m, filas in completitud.items() for mes, x in filas.items() if x["sin_registros"]}
    vacios = {m for m in municipios if ultima_actividad(m, ayudas, capacitaciones, casos_por_mes) is None
              or (completitud[m] and all(x["sin_registros"] for x in completitud[m].values()))}
    return celdas, vacios


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
NOMBRES_INDICADOR = {
    "actividades": "Actividades realizadas", "sesiones": "Sesiones realizadas", "participantes": "Participantes",
    "asistencias": "Asistencias", "entregas": "Entregas de ayuda", "personas": "Personas con ayuda",
    "unidades": "Unidades entregadas", "monto": "Monto entregado (L)",
}
TRIMESTRES = ("t1", "t2", "t3", "t4")
NOMBRES_TRIMESTRE_POA = {"t1": "Primer trimestre", "t2": "Segundo trimestre", "t3": "Tercer trimestre",
                         "t4": "Cuarto trimestre"}


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
    """Errores por campo ({"actividades.2.tipo_capacitacion": [...]}) si el plan no es coherente: un 400 por lo
    que el documento OpenAPI dice de cada actividad (indicador y su campo), si no un 409 DATOS_INCOHERENTES por
    nombres repetidos (JSON Schema no compara elementos de una lista por un campo)."""
    errores, repetidos = {}, {}
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
            repetidos[f"actividades.{n}.nombre"] = ["Ya hay otra actividad del plan con ese nombre."]
        vistos.add(clave)
    if errores:
        raise ErrorValidacion("Hay datos inválidos en el plan.", {**errores, **repetidos})
    if repetidos:
        raise incoherentes(repetidos, "Hay actividades del plan con el mismo nombre.")


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
        salida.append({**a, "indicador_nombre": NOMBRES_INDICADOR.get(a["indicador"], a["indicador"]),
                       "metas": metas, "trimestres": trimestres, "meta_anual": meta_anual,
                       "logrado_anual": hecho["anio"], "porcentaje_anual": _porcentaje(hecho["anio"], meta_anual)})
    return salida


def poa_de(municipio, nombre, anio_, planes, agregados_por_periodo, hoy):
    """El POA de un municipio como lo ve la oficina: su plan con el avance, o vacío si no tiene."""
    return {"municipio": municipio, "municipio_nombre": nombre, "anio": anio_, "calculado_hasta": hoy.isoformat(),
            "actividades": avance(planes.get(municipio, []), agregados_por_periodo, municipio)}


# --- informe de actividades ---

def periodo(desde, hasta, hoy, ordenar=False):
    """Sin fechas, el informe va del 1 de enero al día de hoy en Honduras (`hoy`); la noche del 31 de
    diciembre en Tegucigalpa todavía es ese año aunque en UTC ya sea el siguiente. `ordenar`: dos fechas al
    revés son el mismo periodo (si no, 409 DATOS_INCOHERENTES)."""
    hasta = hasta or hoy
    desde = desde or date(hasta.year, 1, 1)
    if desde > hasta and ordenar:
        desde, hasta = hasta, desde
    if desde > hasta:  # cada fecha es válida; su orden no (409, con el campo)
        raise incoherentes({"hasta": ["La fecha final no puede ser anterior a la inicial."]})
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


def fecha_en_letras(iso):
    """'2026-12-03' -> '3 de diciembre de 2026' (lo que una persona lee; el JSON guarda la fecha ISO)."""
    return fecha_larga(date.fromisoformat(iso)) if iso and len(str(iso)) == 10 else (iso or "")


# --- textos por periodo ---
#
# Lo que la oficina escribe (desafíos, líneas de acción, presentación) vale para un periodo: un trimestre o
# el año. El informe de un periodo dentro de un trimestre lleva lo escrito para ese trimestre y, en lo que
# no escribió para él, lo escrito para el año; el de un periodo dentro de un año (p. ej. del 1 de enero a
# hoy), lo del año; el que abarca varios años, ninguno. Así el informe de otro trimestre o de otro año no
# muestra los desafíos de este.
NOMBRES_TRIMESTRE = {0: "Año", 1: "Primer trimestre", 2: "Segundo trimestre", 3: "Tercer trimestre",
                     4: "Cuarto trimestre"}


def trimestre_de(fecha):
    return (fecha.month - 1) // 3 + 1


def periodo_de_textos(desde, hasta):
    """(año, trimestre) de los textos de un informe; trimestre 0 es el año entero; None si abarca varios años."""
    if desde.year != hasta.year:
        return None
    t = trimestre_de(desde)
    return (desde.year, t if trimestre_de(hasta) == t else 0)


def textos_de_periodo(guardados, trimestre):
    """`guardados` {trimestre: textos} de un año (0 = el año): cada campo del trimestre, o si no del año."""
    del_trimestre = guardados.get(trimestre, {}) if trimestre else {}
    del_anio = guardados.get(0, {})
    return {c: del_trimestre.get(c) or del_anio.get(c) for c in CAMPOS_TEXTO}


def nombre_periodo_textos(anio_, trimestre):
    return f"Año {anio_}" if not trimestre else f"{NOMBRES_TRIMESTRE[trimestre]} de {anio_}"


def textos(propios, lugar, desde, hasta):
    """Los textos de la oficina, o los de siempre; `propios` es un dict (vacío si no escribió nada)."""
    return {
        "introduccion": propios.get("introduccion") or INTRODUCCION.format(
            lugar=lugar, desde=fecha_en_letras(desde), hasta=fecha_en_letras(hasta)),
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
              "sesiones": a["sesiones_realizadas"], "participantes": a["participantes"],
              "capacitacion_id": a.get("capacitacion_id"), "conteo": a.get("conteo")}
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
                          "sesiones": x["entregas"], "participantes": x["personas"],
                          "capacitacion_id": None, "conteo": None})
    return sorted(filas, key=lambda x: (x["desde"] or "", x["municipio"], x["titulo"]))


def capacitaciones_por_tipo(agregados):
    total = agregados["total"]
    return {"por_tipo": [{"tipo": t, "nombre": NOMBRES_TIPO.get(t, t), **v}
                         for t, v in sorted(total.get("por_tipo", {}).items())],
            "total": {k: total.get(k, 0) for k in ("actividades", "sesiones_realizadas", "participantes",
                                                    "asistencias")}}


NOTA_OFICINA = ("El total cuenta todos los casos que la oficina atendió en el periodo. Las cifras por tipo, "
                "riesgo y contexto incluyen solo los casos con consentimiento para estadísticas; las menores que 5 "
                "se muestran como «<5», también cuando una resta las revelaría.")
NOTA_REGION = ("Solo casos con consentimiento para estadísticas; las cifras menores que 5 se muestran como «<5», "
               "también cuando una resta las revelaría.")


def _por_municipio_y_mes(filas, dimension, municipios):
    salida = {m: {} for m in municipios}
    for f in filas:
        if f["dimension"] == dimension and f["municipio"] in salida and f["mes"]:
            salida[f["municipio"]][f["mes"]] = salida[f["municipio"]].get(f["mes"], 0) + f["casos"]
    return salida


def seccion_de_casos(filas, municipios, clasificacion, propio, ceros=None):
    """Los casos del informe: tablas suprimidas y, en el de la propia oficina, el total de atendidos."""
    tablas = tablas_de_casos(filas, municipios, clasificacion, ceros)
    seccion = {"nota": NOTA_OFICINA if propio else NOTA_REGION, "clasificacion": clasificacion,
               "titulos": {d: TITULOS_DIMENSION[d] for d in dimensiones_de(clasificacion)},
               **{d: tablas[d] for d in ("casos",) + dimensiones_de(clasificacion)}}
    if propio:
        seccion["atendidos"] = atendidos(filas, municipios)
        crudos = _por_municipio_y_mes(filas, "atendidos" if seccion["atendidos"]["completo"] else "total",
                                      municipios)
        return seccion, crudos, None
    return seccion, _por_municipio_y_mes(filas, "total", municipios), tablas["por_mes"]["celdas"]


def metadatos_de_fotos(fotos):
    """Las fotos en el JSON: de qué actividad, cuándo y la leyenda, nunca la imagen (va solo en el PDF; la
    pantalla la pide a capacitaciones con `capacitacion_id` y `foto_id`)."""
    return [{"capacitacion_id": f.get("capacitacion_id"), "foto_id": f.get("foto_id"),
             "municipio": f.get("municipio"), "titulo": f.get("titulo"), "tipo": f.get("tipo"),
             "tipo_nombre": NOMBRES_TIPO.get(f.get("tipo"), f.get("tipo")), "fecha": f.get("fecha"),
             "leyenda": f.get("leyenda") or "", "mime": f.get("mime")} for f in fotos or ()]


def componer(ambito_, periodo_, textos_, agregados, actividades, poa, nombres, hoy, clasificacion="ley",
             propio=None, fotos=(), hay_logo=False, periodo_textos=None, publicacion=None):
    """El informe entero como datos: lo mismo sale en JSON, en .xlsx y en PDF.

    `propio`: el informe es de la oficina que pide (su coordinadora): su total de casos es el de todos los
    que atendió. Por omisión, el de un municipio lo es; el consolidado de la mancomunidad nunca.
    `publicacion` (proteccion.Publicacion): las cifras de casos protegidas de la mancomunidad, de donde sale la
    sección de casos cuando el informe no es de la propia oficina.
    """
    propio = ambito_["tipo"] == "municipio" if propio is None else propio
    municipios = ambito_["municipios"]
    meses = meses_del_periodo(periodo_["desde"], periodo_["hasta"])
    if publicacion is not None and not propio:
        casos, crudos, visibles = publicacion.seccion(municipios, periodo_["desde"], periodo_["hasta"], meses,
                                                      clasificacion)
    else:
        # Fuera de la propia oficina, su completitud deja ver qué meses no tuvieron casos: la supresión lo sabe.
        ceros = None if propio else ceros_conocidos(
            municipios, meses, _por_municipio_y_mes(agregados["casos"], "total", municipios), agregados["ayudas"],
            agregados["capacitaciones"])
        casos, crudos, visibles = seccion_de_casos(agregados["casos"], municipios, clasificacion, propio, ceros)
    return {
        "titulo": f"Informe de actividades — {ambito_['nombre']}",
        "ambito": ambito_,
        "periodo": {**periodo_, "texto": f"del {fecha_en_letras(periodo_['desde'])} al "
                                         f"{fecha_en_letras(periodo_['hasta'])}"},
        "periodo_textos": periodo_textos,
        **textos_,
        "actividades": actividades_del_periodo(actividades, agregados["ayudas"], nombres, periodo_),
        "ayudas": ayudas_por_categoria(agregados["ayudas"]),
        "casos": casos,
        "capacitaciones": capacitaciones_por_tipo(agregados["capacitaciones"]),
        "completitud": {"meses": meses, "nombres_meses": {m: nombre_de_mes(m) for m in meses},
                        "nombres_municipios": {m: nombres.get(m, m) for m in municipios},
                        "por_municipio": completitud_por_mes(municipios, meses, crudos, agregados["ayudas"],
                                                             agregados["capacitaciones"], visibles)},
        "fotos": metadatos_de_fotos(fotos),
        "logo": hay_logo,
        "poa": poa,
        "generado_el": hoy.isoformat(),
    }


def nombre_de_archivo(informe, formato):
    p = informe["periodo"]
    return f"informe-omm-{informe['ambito']['codigo'].lower()}-{p['desde']}-{p['hasta']}.{formato}"


# --- cifras de la región ---

def cifras_de_region(mancomunidad, municipios, desde, hasta, casos, ayudas, capacitaciones, notificaciones,
                     clasificacion="ley", hoy=None, publicacion=None):
    """La respuesta de /region/estadisticas desde los agregados de cada servicio (sin red: se mide sola).

    Los casos, solo con consentimiento para estadísticas y suprimidos (la mancomunidad no recibe el total de
    atendidos de cada oficina: es la cifra de la oficina). `completitud.por_mes` da cada municipio y mes del
    periodo (sin fechas: del primer mes con registros de la región hasta `hoy`) con casos, entregas y
    actividades, y `sin_registros` en los meses vacíos. Con `publicacion` (proteccion.Publicacion) los casos y
    los avisos al CIS salen de las tablas protegidas de la mancomunidad, y `casos` no se usa.
    """
    entregas = {m: ayudas["por_municipio"].get(m, {}) for m in municipios}
    totales_ayudas = {m: {k: x[k] for k in ("entregas", "monto", "personas")} for m, x in ayudas["totales"].items()}
    por_mes = {m: ayudas["por_mes"].get(m, {}) for m in municipios}
    region = ayudas_por_categoria(ayudas)
    crudos = (_por_municipio_y_mes(casos, "total", municipios) if publicacion is None
              else publicacion.exactos(municipios, desde, hasta))
    ultima = {m: ultima_actividad(m, ayudas, capacitaciones, crudos) for m in municipios}
    meses = _meses_de_region(desde, hasta, hoy, crudos, ayudas, capacitaciones)
    if publicacion is None:
        tablas = tablas_de_casos(casos, municipios, clasificacion,
                                 ceros_conocidos(municipios, meses, crudos, ayudas, capacitaciones))
        visibles = tablas["por_mes"]["celdas"]
    else:
        tablas = publicacion.tablas(municipios, desde, hasta, meses, clasificacion)
        visibles = publicacion.visibles(municipios, meses)
        notificaciones = publicacion.notificaciones(municipios, desde, hasta, notificaciones)
    return {
        "mancomunidad": mancomunidad, "municipios": municipios, "desde": desde, "hasta": hasta,
        "clasificacion": clasificacion,
        "casos": tablas,
        "ayudas": {"por_municipio": entregas, "totales": totales_ayudas, "por_mes": por_mes,
                   "region": {"por_categoria": region["por_categoria"], "total": region["total"]}},
        "capacitaciones": {"por_municipio": capacitaciones["por_municipio"], "total": capacitaciones["total"]},
        "notificaciones_cis": notificaciones,
        "completitud": {"ultima_actividad": ultima,
                        "sin_registros": [m for m in municipios if ultima[m] is None],
                        "meses": meses,
                        "por_mes": completitud_por_mes(municipios, meses, crudos, ayudas, capacitaciones,
                                                       visibles)},
    }


def _meses_de_region(desde, hasta, hoy, crudos, ayudas, capacitaciones):
    """Los meses del periodo pedido; sin `desde`, desde el primer mes con algún registro."""
    vistos = [mes for x in crudos.values() for mes in x]
    vistos += [mes for x in ayudas.get("por_mes", {}).values() for mes in x]
    vistos += [mes for x in capacitaciones.get("por_municipio", {}).values() for mes in x.get("por_mes", {})]
    hasta = hasta or (hoy.isoformat() if hoy else (f"{max(vistos)}-01" if vistos else None))
    desde = desde or (f"{min(vistos)}-01" if vistos else hasta)
    return meses_del_periodo(desde, hasta) if desde and hasta and desde <= hasta else []
