"""Supresión de celdas pequeñas en cifras de casos: ninguna cifra menor que 5 sale, ni directa ni
por resta (supresión complementaria). Reglas en Python puro; las pruebas intentan la resta.

Una tabla es {fila: {columna: conteo}} (p. ej. municipio x tipo de violencia); se publican las
celdas, los totales por fila, por columna y el total general. Cada total es una ecuación: si en una
línea queda una sola celda oculta y su total visible, la resta la revela; entonces se oculta otra
celda de esa línea (la menor), o el total si no queda otra.
"""
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
