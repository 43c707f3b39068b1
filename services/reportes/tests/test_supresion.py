import itertools

from reportes import dominio
from reportes.dominio import OCULTO, suprimir


def _recuperables(resultado, tabla):
    """Intenta la resta: en cada línea con total visible y una sola incógnita, la despeja."""
    celdas = {(f, c): v for f, fila in resultado["celdas"].items() for c, v in fila.items()}
    conocidas = {k: v for k, v in celdas.items() if v != OCULTO}
    filas = list(resultado["celdas"])
    columnas = list(resultado["total_columna"])
    hallado = True
    while hallado:
        hallado = False
        lineas = [([(f, c) for c in columnas], resultado["total_fila"][f]) for f in filas]
        lineas += [([(f, c) for f in filas], resultado["total_columna"][c]) for c in columnas]
        for claves, total in lineas:
            faltan = [k for k in claves if k not in conocidas]
            if total != OCULTO and len(faltan) == 1:
                conocidas[faltan[0]] = total - sum(conocidas[k] for k in claves if k in conocidas)
                hallado = True
    return {k: v for k, v in conocidas.items() if celdas[k] == OCULTO}


def test_celdas_menores_que_5_se_ocultan_y_la_resta_no_las_revela():
    tabla = {"0309": {"fisica": 12, "sexual": 2, "psicologica": 9},
             "0302": {"fisica": 7, "sexual": 6, "psicologica": 8},
             "0306": {"fisica": 10, "sexual": 11, "psicologica": 3}}
    r = suprimir(tabla)
    assert r["celdas"]["0309"]["sexual"] == OCULTO
    assert r["celdas"]["0306"]["psicologica"] == OCULTO
    assert _recuperables(r, tabla) == {}
    valores = [v for fila in r["celdas"].values() for v in fila.values()]
    assert all(v == OCULTO or v >= 5 for v in valores)
    assert all(v == OCULTO or v >= 5 for v in r["total_fila"].values())


def test_una_fila_con_una_sola_celda_oculta_oculta_otra():
    r = suprimir({"0309": {"a": 3, "b": 20, "c": 30}, "0302": {"a": 10, "b": 10, "c": 10}})
    fila = r["celdas"]["0309"]
    assert sum(v == OCULTO for v in fila.values()) >= 2 or r["total_fila"]["0309"] == OCULTO
    assert _recuperables(r, None) == {}


def test_total_pequeno_se_oculta():
    r = suprimir({"0309": {"a": 1, "b": 1}})
    assert r["total"] == OCULTO and r["total_fila"]["0309"] == OCULTO


def test_ningun_patron_pequeno_es_recuperable():
    # Todas las tablas 2x2 con valores 0..7: ninguna celda oculta se deja despejar.
    for valores in itertools.product([0, 1, 4, 5, 7], repeat=4):
        a, b, c, d = valores
        tabla = {"m1": {"x": a, "y": b}, "m2": {"x": c, "y": d}}
        r = suprimir(tabla)
        assert _recuperables(r, tabla) == {}, (tabla, r)
        for fila in r["celdas"].values():
            assert all(v == OCULTO or v >= 5 for v in fila.values())


# --- lo que quien lee ya sabe: los ceros que la completitud deja ver ---

def _resolver(resultado, sabidas):
    """Quien ataca con todas las ecuaciones publicadas (cada fila, cada columna y los totales) y con lo que ya
    sabe por otra vía (`sabidas` {(fila, columna): valor}): lo que despeja de lo que se mostró «<5»."""
    filas, columnas = list(resultado["celdas"]), list(resultado["total_columna"])
    valores = {("c", f, c): v for f in filas for c, v in resultado["celdas"][f].items()}
    valores.update({("f", f): v for f, v in resultado["total_fila"].items()})
    valores.update({("k", c): v for c, v in resultado["total_columna"].items()})
    valores[("t",)] = resultado["total"]
    sabido = {k: v for k, v in valores.items() if v != OCULTO}
    sabido.update({("c", f, c): v for (f, c), v in sabidas.items()})
    ecuaciones = [([("c", f, c) for c in columnas], ("f", f)) for f in filas]
    ecuaciones += [([("c", f, c) for f in filas], ("k", c)) for c in columnas]
    ecuaciones += [([("f", f) for f in filas], ("t",)), ([("k", c) for c in columnas], ("t",))]
    hallado = True
    while hallado:
        hallado = False
        for partes, total in ecuaciones:
            faltan = [k for k in partes + [total] if k not in sabido]
            if len(faltan) != 1:
                continue
            k = faltan[0]
            if k == total:
                sabido[k] = sum(sabido[p] for p in partes)
            else:
                sabido[k] = sabido[total] - sum(sabido[p] for p in partes if p != k)
            hallado = True
    return {k: v for k, v in sabido.items() if valores[k] == OCULTO and k[0] != "c" or (
        k[0] == "c" and valores[k] == OCULTO and (k[1], k[2]) not in sabidas)}


def _pequenas(despejadas):
    return {k: v for k, v in despejadas.items() if 0 < v < 5}


def test_un_cero_que_se_sabe_no_sirve_para_ocultar_otra_celda():
    # Diciembre: 8 en A, 0 en B (su mes dice «sin registros») y 3 en C. Ocultar el 3 solo junto al 0 de B no lo
    # protege: el total del mes menos 8 menos 0 es 3.
    tabla = {"A": {"nov": 6, "dic": 8}, "B": {"nov": 7, "dic": 0}, "C": {"nov": 6, "dic": 3}}
    sabidas = {("B", "dic"): 0}
    assert _pequenas(_resolver(suprimir(tabla), sabidas)), "sin saber del cero, la resta lo revelaba"
    r = suprimir(tabla, conocidas=sabidas)
    assert r["celdas"]["C"]["dic"] == OCULTO and r["celdas"]["B"]["dic"] == OCULTO
    assert not _pequenas(_resolver(r, sabidas)), r
    # Un municipio sin ningún registro: su fila entera se sabe (ceros).
    tabla = {"A": {"x": 8, "y": 6}, "B": {"x": 0, "y": 0}, "C": {"x": 3, "y": 7}}
    r = suprimir(tabla, filas_conocidas={"B"})
    assert not _pequenas(_resolver(r, {("B", "x"): 0, ("B", "y"): 0})), r


def test_ningun_patron_pequeno_es_recuperable_sabiendo_sus_ceros():
    # Tablas 3x2 con valores 0..8; quien ataca usa también los totales entre sí y, luego, sabe cada cero (como
    # los meses «sin registros»).
    for valores in itertools.product([0, 2, 5, 8], repeat=6):
        tabla = {f: {"x": valores[2 * i], "y": valores[2 * i + 1]} for i, f in enumerate(("m1", "m2", "m3"))}
        ceros = {(f, c): 0 for f, fila in tabla.items() for c, v in fila.items() if v == 0}
        for sabidas in ({}, ceros):  # sin saber nada, los totales entre sí tampoco dejan despejar
            r = suprimir(tabla, conocidas=sabidas)
            assert not _pequenas(_resolver(r, sabidas)), (tabla, sabidas, r)
            for fila in r["celdas"].values():
                assert all(v == OCULTO or v >= 5 for v in fila.values())


def test_la_completitud_de_la_region_no_deja_despejar_una_cifra_pequena():
    """Un mes «sin registros» dice que tuvo 0 casos: la supresión de las cifras por mes y de las tablas de casos
    no puede apoyarse en ese 0 para esconder otra cifra pequeña (la resta la revelaría)."""
    casos = []
    for municipio, mes, n in (("0302", "2026-11", 6), ("0302", "2026-12", 8), ("0306", "2026-11", 7),
                              ("0309", "2026-11", 6), ("0309", "2026-12", 3)):
        casos += [{"dimension": d, "valor": v, "municipio": municipio, "mes": mes, "casos": n}
                  for d, v in (("total", "total"), ("tipo_violencia", "fisica"), ("nivel_riesgo", "medio"),
                               ("contexto", "pareja"))]
    vacio = {"por_municipio": {}, "por_mes": {}, "totales": {}, "ultima_fecha": {}}
    r = dominio.cifras_de_region("MAMCOPAZ", ["0302", "0306", "0309"], "2026-11-01", "2026-12-31", casos, vacio,
                                 {"por_municipio": {}, "total": {}}, {})
    completitud = r["completitud"]["por_mes"]
    assert completitud["0306"]["2026-12"]["sin_registros"] is True  # La Libertad: 0 en diciembre, se sabe
    sabidas = {(m, mes): 0 for m, filas in completitud.items() for mes, x in filas.items() if x["sin_registros"]}
    por_mes = r["casos"]["por_mes"]
    assert por_mes["celdas"]["0309"]["2026-12"] == "<5"
    assert not _pequenas(_resolver(por_mes, sabidas)), por_mes
    # Un municipio sin ningún registro en el periodo: sus ceros se saben en cada tabla de casos.
    r = dominio.cifras_de_region("MAMCOPAZ", ["0302", "0306", "0309"], "2026-12-01", "2026-12-31",
                                 [c for c in casos if c["mes"] == "2026-12"], vacio,
                                 {"por_municipio": {}, "total": {}}, {})
    assert r["completitud"]["sin_registros"] == ["0306"]
    for dimension in ("casos", "tipo_violencia", "por_mes"):
        tabla = r["casos"][dimension]
        sabidas = {("0306", c): 0 for c in tabla["total_columna"]}
        assert not _pequenas(_resolver(tabla, sabidas)), (dimension, tabla)
