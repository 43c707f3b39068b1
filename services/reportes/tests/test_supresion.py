import itertools

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
