"""El control de divulgación de la mancomunidad sin infraestructura: la jerarquía fija de periodos, la supresión
complementaria con testigos y la atacante (programación lineal entera) que junta todo lo publicado."""
import random
from datetime import date

import pytest

from omm_common.errores import ErrorOMM
from omm_pruebas.atacante import Atacante, meses_de
from reportes import dominio, proteccion as P

TIPOS = ("fisica", "psicologica", "sexual", "patrimonial", "economica")


# --- datos de prueba: casos con sus categorías, como los da casos.agregados ---

def _caso(r):
    tipos = r.sample(TIPOS, r.choice([1, 1, 1, 2, 3]))
    if "sexual" in tipos:
        g = r.choice(["violacion", "agresion_sexual", "sin_clasificar"])
    elif "fisica" in tipos:
        g = r.choice(["agresion_fisica", "sin_clasificar"])
    else:
        g = r.choice(["abuso_psicologico_emocional", "negacion_de_recursos", "matrimonio_forzado", "sin_clasificar"])
    return tipos, g, r.choice(["bajo", "medio", "alto", "extremo"]), r.choice(["pareja", "expareja", "familiar"])


def _filas(municipio, mes, casos):
    """Las filas de casos.agregados de `casos` [(tipos, gbvims, riesgo, contexto)] de un municipio en un mes."""
    filas = [{"municipio": municipio, "mes": mes, "dimension": "total", "valor": "casos", "casos": len(casos)}]
    for tipos, g, riesgo, contexto in casos:
        filas += [{"municipio": municipio, "mes": None, "dimension": "tipo_violencia", "valor": t, "casos": 1}
                  for t in tipos]
        filas += [{"municipio": municipio, "mes": None, "dimension": d, "valor": v, "casos": 1}
                  for d, v in (("gbvims", g), ("nivel_riesgo", riesgo), ("contexto", contexto))]
    return filas


def _sembrar(semilla, municipios, anios, tasas, ultimo):
    r = random.Random(semilla)
    casos = {a: [] for a in anios}
    avisos, registros = {}, set()
    for a in anios:
        for m in municipios:
            for t in meses_de(str(a)):
                if t > ultimo:
                    continue
                n = r.choice(tasas[m])
                if n:
                    casos[a] += _filas(m, t, [_caso(r) for _ in range(n)])
                if r.random() < 0.6:
                    registros.add((m, t))
                for estado in ("pendiente", "confirmada", "fallida"):
                    k = r.choice([0, 0, 0, 1, 2, 6])
                    if k:
                        avisos[(estado, m, t)] = k
    return casos, registros, avisos


def _verdad(at, municipios, anios, casos, avisos):
    """Cada celda verdadera de la jerarquía con su expresión para la atacante."""
    por_mes, cat = {}, {}
    for a in anios:
        for f in casos[a]:
            if f["mes"]:
                por_mes[(f["municipio"], f["mes"])] = por_mes.get((f["municipio"], f["mes"]), 0) + f["casos"]
            else:
                for x in (f["municipio"], P.REGION):
                    k = (f["dimension"], x, f["valor"], a)
                    cat[k] = cat.get(k, 0) + f["casos"]
    verdad = {}
    for a in anios:
        for p in [str(a)] + [f"{a}-T{q}" for q in range(1, 5)] + list(meses_de(str(a))):
            for m in municipios + [P.REGION]:
                filas = municipios if m == P.REGION else [m]
                verdad[("casos", m, p)] = (at.casos(m, meses_de(p)),
                                           sum(por_mes.get((x, t), 0) for x in filas for t in meses_de(p)))
                for s in P.SERIES_AVISO:
                    estados = [e for e, ss in P.ESTADOS_AVISO.items() if s in ss]
                    verdad[("aviso", s, m, p)] = (at.avisos(s, m, meses_de(p)), sum(
                        avisos.get((e, x, t), 0) for e in estados for x in filas for t in meses_de(p)))
        for d in P.DIMENSIONES:
            for m in municipios + [P.REGION]:
                for c in P.CATEGORIAS[d]:
                    verdad[("cat", d, m, c, a)] = (at.cat(d, m, c, [a]), cat.get((d, m, c, a), 0))
                if d == P.MULTIPLE:
                    verdad[("cat", d, m, P.TOTAL, a)] = (at.cat(d, m, P.TOTAL, [a]), sum(
                        cat.get((d, m, c, a), 0) for c in P.CATEGORIAS[d]))
    return verdad


def _atacar(pub, municipios, anios, casos, registros, avisos, hoy):
    """Pide todo lo que la mancomunidad puede pedir (cada rango de meses completos, cada municipio y la región, cada
    clasificación y los avisos) y devuelve las celdas de 1 a 4 que la atacante despeja, y cuántas cifras leyó."""
    at = Atacante(municipios, anios, {d: list(P.CATEGORIAS[d]) for d in P.DIMENSIONES})
    meses = [t for a in anios for t in meses_de(str(a))]
    for i, desde in enumerate(meses):
        for j in range(i, len(meses)):
            rango, hasta = meses[i:j + 1], meses[j]
            anios_rango = sorted({int(t[:4]) for t in rango})
            for m in municipios + [P.REGION]:
                at.publicado(at.casos(m, rango), pub.casos(m, desde, hasta))
                for s in P.SERIES_AVISO:
                    if m != P.REGION:
                        at.publicado(at.avisos(s, m, rango), pub.avisos(s, m, desde, hasta))
                for d in P.DIMENSIONES:
                    for c in list(P.CATEGORIAS[d]) + [P.TOTAL]:
                        v = pub.categoria(d, m, c, desde, hasta)
                        if c == P.TOTAL and d != P.MULTIPLE:
                            at.publicado(at.casos(m, rango), v)
                        elif v != P.OCULTO:
                            assert rango == [t for a in anios_rango for t in meses_de(str(a))] or hasta >= P.mes_de(
                                hoy), (d, m, c, desde, hasta)  # el desglose solo sale por años completos
                            at.publicado(at.cat(d, m, c, anios_rango), v)
    for m in municipios:  # la completitud de cada mes
        for t in meses:
            exacto = sum(f["casos"] for a in anios for f in casos[a] if f["mes"] == t and f["municipio"] == m)
            at.sin_registros(m, t, exacto == 0 and (m, t) not in registros, (m, t) in registros, False)
    at.por_venir(P.mes_de(hoy))
    return at.despejadas(_verdad(at, municipios, anios, casos, avisos)), at.publicadas


ESCENARIOS = [
    # (municipios, años, hoy, casos posibles por mes de cada municipio)
    (["0408", "0409"], [2025], date(2026, 2, 10), {"0408": [0, 1, 1, 2, 3], "0409": [0, 2, 4, 6, 8]}),
    (["0408"], [2025], date(2026, 2, 10), {"0408": [0, 1, 2, 5]}),
    (["0408", "0409", "0410"], [2025], date(2025, 8, 20), {"0408": [0, 0, 1], "0409": [0, 1, 3, 6], "0410": [5, 9]}),
    (["0408", "0409"], [2024, 2025], date(2025, 5, 3), {"0408": [0, 0, 1, 2], "0409": [0, 2, 6, 9]}),
]


@pytest.mark.parametrize("escenario", range(len(ESCENARIOS)))
@pytest.mark.parametrize("semilla", range(2))
def test_ninguna_secuencia_de_pedidos_despeja_una_cifra_de_1_a_4(escenario, semilla):
    municipios, anios, hoy, tasas = ESCENARIOS[escenario]
    casos, registros, avisos = _sembrar(100 * escenario + semilla, municipios, anios, tasas, P.mes_de(hoy))
    pub = P.publicar(municipios, casos, registros, avisos, hoy)
    despejadas, leidas = _atacar(pub, municipios, anios, casos, registros, avisos, hoy)
    assert despejadas == {}
    assert leidas > 20  # y algo se publica


def test_la_atacante_si_despeja_con_solo_la_supresion_primaria(monkeypatch):
    """La prueba de arriba puede fallar: sin la complementaria, la misma atacante despeja cifras pequeñas."""
    municipios, anios, hoy, tasas = ESCENARIOS[0]
    casos, registros, avisos = _sembrar(0, municipios, anios, tasas, P.mes_de(hoy))
    monkeypatch.setattr(P._Anio, "proteger", lambda self: self)
    pub = P.publicar(municipios, casos, registros, avisos, hoy)
    despejadas, _ = _atacar(pub, municipios, anios, casos, registros, avisos, hoy)
    assert despejadas


def _lejamani():
    """El hallazgo: Lejamaní con 12 casos en 2026, uno en diciembre; dos municipios vecinos con más."""
    r = random.Random(7)
    filas = []
    for mes, n in zip(meses_de("2026"), (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)):
        filas += _filas("0309", mes, [_caso(r) for _ in range(n)])
    for m, base in (("0302", 6), ("0306", 9)):
        for i, mes in enumerate(meses_de("2026")):
            filas += _filas(m, mes, [_caso(r) for _ in range(base + i % 3)])
    registros = {(m, t) for m in ("0302", "0306", "0309") for t in meses_de("2026")}
    return P.publicar(["0302", "0306", "0309"], {2026: filas}, registros, {}, date(2027, 1, 20))


def test_el_ataque_de_la_revision_ya_no_da_diciembre():
    pub = _lejamani()
    anio, sin_diciembre = pub.casos("0309", "2026-01", "2026-12"), pub.casos("0309", "2026-01", "2026-11")
    assert anio == 12  # el año se sigue viendo
    assert sin_diciembre == P.OCULTO  # pero no enero a noviembre: la resta daría diciembre
    assert pub.casos("0309", "2026-12", "2026-12") == P.OCULTO
    # Ninguna ventana de meses termina en noviembre con cifra a la vista si la misma ventana hasta diciembre la tiene.
    meses = list(meses_de("2026"))
    for i in range(len(meses)):
        a, b = pub.casos("0309", meses[i], "2026-11"), pub.casos("0309", meses[i], "2026-12")
        assert P.OCULTO in (a, b), (meses[i], a, b)
    # Por días no se puede pedir: la bisección de `hasta` termina en un 400 que lo explica.
    with pytest.raises(ErrorOMM) as e:
        P.validar_periodo(date(2026, 1, 1), date(2026, 12, 15), date(2027, 1, 20))
    assert "hasta" in e.value.detalles and "meses completos" in e.value.detalles["hasta"][0]


def test_periodos_por_meses_completos():
    hoy = date(2026, 6, 17)
    P.validar_periodo(date(2026, 1, 1), date(2026, 3, 31), hoy)
    P.validar_periodo(date(2026, 1, 1), hoy, hoy)  # hasta hoy: lo que falta del mes aún no existe
    P.validar_periodo(None, None, hoy)
    P.validar_periodo(date(2024, 2, 1), date(2024, 2, 29), hoy)
    for desde, hasta, campo in ((date(2026, 1, 2), None, "desde"), (None, date(2026, 5, 30), "hasta"),
                                (date(2026, 3, 1), date(2026, 6, 16), "hasta")):
        with pytest.raises(ErrorOMM) as e:
            P.validar_periodo(desde, hasta, hoy)
        assert list(e.value.detalles) == [campo] and "mes" in e.value.detalles[campo][0]


def test_las_piezas_de_un_periodo_son_de_la_jerarquia():
    assert P.piezas("2026-01", "2026-12", "2027-02") == ["2026"]
    assert P.piezas("2026-01", "2026-11", "2027-02") == ["2026-T1", "2026-T2", "2026-T3", "2026-10", "2026-11"]
    assert P.piezas("2025-11", "2026-04", "2027-02") == ["2025-11", "2025-12", "2026-T1", "2026-04"]
    # Hasta hoy: el resto del periodo está por venir, así que cuenta la pieza entera.
    assert P.piezas("2026-01", "2026-06", "2026-06") == ["2026"]
    assert P.piezas("2026-04", "2026-05", "2026-05") == ["2026-T2"]
    assert P.piezas("0001-01", "0002-03", "2026-01") == ["0001", "0002-T1"]  # un año cualquiera, con sus 4 cifras


def test_cada_celda_pequena_tiene_un_testigo_que_no_cambia_nada_publicado():
    municipios, anios, hoy, tasas = ESCENARIOS[2]
    casos, registros, avisos = _sembrar(11, municipios, anios, tasas, P.mes_de(hoy))
    pub = P.publicar(municipios, casos, registros, avisos, hoy)
    for tabla in list(pub.por_anio["casos"].values()) + list(pub.por_anio["avisos"].values()):
        assert not tabla.todo_oculto
        for k in tabla.sensibles():
            testigo = tabla.testigos[k]
            assert tabla.cambia(testigo, k) and tabla.valido(testigo)
            assert testigo.toca() <= tabla.H  # todo lo que el otro registro cambia está oculto
        assert all(tabla.valor(k) == P.OCULTO for k, v in tabla.V.items() if v < P.MINIMO)


def test_la_misma_tabla_para_cualquier_pedido():
    """Decidida una vez por año con todos los municipios: el orden de los datos no la cambia, y el informe de un
    municipio da lo mismo que su fila del consolidado."""
    municipios, anios, hoy, tasas = ESCENARIOS[0]
    casos, registros, avisos = _sembrar(5, municipios, anios, tasas, P.mes_de(hoy))
    a = P.publicar(municipios, casos, registros, avisos, hoy)
    b = P.publicar(list(reversed(municipios)), {k: list(reversed(v)) for k, v in casos.items()}, registros,
                   dict(reversed(list(avisos.items()))), hoy)
    assert a.por_anio["casos"][2025].H == b.por_anio["casos"][2025].H
    meses = list(meses_de("2025"))
    consolidado = a.tablas(municipios, "2025-01-01", "2025-12-31", meses, "ley")
    for m in municipios:
        uno = a.tablas([m], "2025-01-01", "2025-12-31", meses, "ley")
        for d in ("casos", "tipo_violencia", "nivel_riesgo", "contexto", "por_mes"):
            assert uno[d]["celdas"][m] == consolidado[d]["celdas"][m]
            assert uno[d]["total_fila"][m] == consolidado[d]["total_fila"][m]


def test_la_region_y_el_informe_salen_de_la_publicacion():
    pub = _lejamani()
    vacio = {"por_municipio": {}, "por_mes": {}, "totales": {}, "ultima_fecha": {}}
    capacitaciones = {"por_municipio": {}, "total": {}}
    municipios = ["0302", "0306", "0309"]
    r = dominio.cifras_de_region("MAMCOPAZ", municipios, "2026-01-01", "2026-12-31", None, vacio, capacitaciones,
                                 {}, "gbvims", date(2027, 1, 20), publicacion=pub)
    assert r["casos"]["casos"]["total_fila"]["0309"] == 12
    assert r["casos"]["por_mes"]["celdas"]["0309"]["2026-12"] == "<5"
    assert r["completitud"]["por_mes"]["0309"]["2026-12"]["casos"] == "<5"
    assert r["completitud"]["por_mes"]["0309"]["2026-12"]["sin_registros"] is False
    # Todas las categorías del contrato, con o sin casos (que una columna falte diría que no hubo ninguno).
    assert set(r["casos"]["gbvims"]["total_columna"]) == set(P.CATEGORIAS["gbvims"])
    assert r["casos"]["gbvims"]["nombres"]["sin_clasificar"] == "Sin clasificar"
    # Los avisos al CIS, de cada municipio (también sin avisos: «<5»).
    assert r["notificaciones_cis"]["0309"] == {"enviadas": "<5", "confirmadas": "<5", "fallidas": "<5",
                                               "mediana_minutos_acuse": None}
    # Un trimestre: el total sí, el desglose por categoría no (solo por año calendario).
    t = pub.tablas(municipios, "2026-01-01", "2026-03-31", list(meses_de("2026-T1")), "ley")
    assert t["casos"]["total_fila"]["0306"] == 30
    assert set(t["nivel_riesgo"]["celdas"]["0306"].values()) == {P.OCULTO}
    assert t["nivel_riesgo"]["total_fila"]["0306"] == 30  # su fila es el total de casos, que ya se ve
    # El informe de la mancomunidad: la misma sección, con su nota.
    seccion, crudos, visibles = pub.seccion(["0309"], "2026-01-01", "2026-12-31", list(meses_de("2026")), "ley")
    assert seccion["nota"] == P.NOTA_MANCOMUNIDAD and "atendidos" not in seccion
    assert seccion["casos"]["total"] == 12 and crudos["0309"]["2026-12"] == 1 and visibles["0309"]["2026-12"] == "<5"
