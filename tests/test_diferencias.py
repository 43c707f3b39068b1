"""El ataque de diferencias del issue 16, por el sistema real, jugado como la atacante.

En 0408 y 0409, en una mancomunidad de prueba creada por la administración, se siembran casos con conteos
pequeños por mes y tipo (el año pasado entero; en 0408 uno solo en diciembre, como Lejamaní). Luego
`mancomunidad.mandif` pide lo que puede: la región en cada ventana de meses (deslizantes, solapadas), por día (y
biseccionando `hasta`), en las dos clasificaciones; el informe consolidado y el de cada municipio; y junta cada
cifra publicada en un modelo de programación lineal entera (omm_pruebas.atacante) con todo lo que se sabe sin
preguntar (sumas por municipio, por categoría y por periodo, totales menos marginales, las reglas de casos, la
completitud). Ninguna celda verdadera de 1 a 4 (municipio o región × mes, trimestre o año × categoría) queda fijada.
La coordinadora de 0408 sigue viendo sus cifras exactas.
"""
import calendar
from datetime import date

import pytest

from omm_pruebas import CONTRASENA_PRUEBAS
from omm_pruebas.atacante import REGION, TOTAL, Atacante, meses_de
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

MANC = "MANDIF"
A, B = "0408", "0409"
HOY = hoy_honduras()
Y = HOY.year - 1  # un año ya cerrado
ATACANTE = f"mancomunidad.{MANC.lower()}"
UNICOS = ("fisica", "psicologica", "sexual", "patrimonial", "economica")
DIMENSIONES = {"tipo_violencia": list(UNICOS),
               "gbvims": ["violacion", "agresion_sexual", "agresion_fisica", "matrimonio_forzado",
                          "negacion_de_recursos", "abuso_psicologico_emocional", "sin_clasificar"],
               "nivel_riesgo": ["bajo", "medio", "alto", "extremo"],
               "contexto": ["pareja", "expareja", "familiar", "comunitaria", "laboral", "institucional", "otro"]}
# Casos por mes (enero a diciembre): pequeños, y 0408 con uno solo en diciembre.
POR_MES = {A: (1, 0, 2, 1, 0, 3, 1, 1, 0, 2, 1, 1), B: (2, 3, 1, 4, 2, 0, 1, 3, 2, 1, 2, 5)}
# (tipos de la ley, GBVIMS, riesgo, contexto), en ronda.
PERFILES = ((["fisica"], "agresion_fisica", "alto", "pareja"),
            (["psicologica"], "abuso_psicologico_emocional", "medio", "pareja"),
            (["sexual", "fisica"], "violacion", "extremo", "expareja"),
            (["economica", "psicologica"], "negacion_de_recursos", "bajo", "familiar"),
            (["psicologica"], None, "medio", "expareja"),
            (["sexual"], "agresion_sexual", "alto", "otro"))


def _crear(api, ruta, cuerpo, usuaria="admin", clave=None):
    r = api.post(ruta, usuaria, json=cuerpo, cabeceras={"Idempotency-Key": clave} if clave else None)
    assert r.status_code == 201, f"{ruta}: {r.status_code} {r.text}"
    return r.json()


@pytest.fixture(scope="module")
def region(sistema):
    """La mancomunidad de prueba con sus usuarias y los casos sembrados; devuelve la verdad {(municipio, mes): n} y
    {(dimension, municipio, categoria): n} del año."""
    api = sistema.api
    _crear(api, "/api/v1/mancomunidades", {"codigo": MANC, "nombre": "Mancomunidad de prueba de diferencias"},
           clave="manc-dif")
    for m in (A, B):
        r = api.put(f"/api/v1/municipios/{m}", "admin", json={"mancomunidad": MANC})
        assert r.status_code == 200, r.text
        for rol in ("tecnica", "coordinadora"):
            _crear(api, "/api/v1/usuarios", {"usuario": f"{rol}.dif{m}", "nombre": f"{rol.capitalize()} {m}",
                                             "contrasena": CONTRASENA_PRUEBAS, "rol": rol, "municipio": m})
    _crear(api, "/api/v1/usuarios", {"usuario": ATACANTE, "nombre": "Técnica de la mancomunidad de prueba",
                                     "contrasena": CONTRASENA_PRUEBAS, "rol": "mancomunidad", "mancomunidad": MANC})
    por_mes, categorias, i = {}, {}, 0
    for m, conteos in POR_MES.items():
        for mes, n in enumerate(conteos, start=1):
            for k in range(n):
                tipos, gbvims, riesgo, contexto = PERFILES[i % len(PERFILES)]
                dia = 1 + (7 * k + 3 * i) % calendar.monthrange(Y, mes)[1]
                i += 1
                caso = _crear(api, "/api/v1/casos", {
                    "fecha_atencion": date(Y, mes, dia).isoformat(),
                    "sobreviviente": {"nombres": "Diferencia", "apellidos": f"Prueba{i}", "dni": f"{m}-1985-{i:05d}",
                                      "comunidad": "Centro", "telefono": "+504 9000-1111"},
                    "tipos_violencia": tipos, "tipo_gbvims": gbvims, "contexto": contexto, "nivel_riesgo": riesgo,
                    "relato": "relato de prueba de diferencias",
                    "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}},
                    f"tecnica.dif{m}", f"dif-{i}")
                por_mes[(m, f"{Y}-{mes:02d}")] = por_mes.get((m, f"{Y}-{mes:02d}"), 0) + 1
                for d, valores in (("tipo_violencia", tipos), ("gbvims", [gbvims or "sin_clasificar"]),
                                   ("nivel_riesgo", [riesgo]), ("contexto", [contexto])):
                    for v in valores:
                        categorias[(d, m, v)] = categorias.get((d, m, v), 0) + 1
                if m == A and mes == 12:  # la del único caso de diciembre va al CIS: un aviso, hoy
                    _crear(api, f"/api/v1/casos/{caso['id']}/derivaciones",
                           {"destino": "cis", "motivo": "Atención médica", "urgente": False}, f"tecnica.dif{m}")
    # Uno sin consentimiento para estadísticas: la oficina lo cuenta, la mancomunidad no.
    _crear(api, "/api/v1/casos", {
        "fecha_atencion": date(Y, 12, 20).isoformat(),
        "sobreviviente": {"nombres": "Diferencia", "apellidos": "SinConsentimiento", "dni": f"{A}-1990-00001",
                          "comunidad": "Centro"},
        "tipos_violencia": ["psicologica"], "contexto": "pareja", "nivel_riesgo": "bajo", "relato": "relato",
        "consentimiento": {"servicios": True, "derivacion": False, "estadisticas": False}}, f"tecnica.dif{A}")
    return api, por_mes, categorias


def _fin(mes):
    a, m = int(mes[:4]), int(mes[5:])
    return date(a, m, calendar.monthrange(a, m)[1]).isoformat()


def _region(api, desde, hasta, clasificacion="ley"):
    r = api.get("/api/v1/region/estadisticas", ATACANTE,
                params={"desde": desde, "hasta": hasta, "clasificacion": clasificacion})
    assert r.status_code == 200, r.text
    return r.json()


def _informe(api, desde, hasta, municipio=None, clasificacion="ley"):
    params = {"desde": desde, "hasta": hasta, "clasificacion": clasificacion, **({"municipio": municipio} if municipio
                                                                                  else {})}
    r = api.get("/api/v1/reportes/informe", ATACANTE, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _leer_tablas(at, casos, rango, anios, filas):
    """Cada cifra de las tablas de casos de una respuesta, como ecuación."""
    completos = rango == [t for a in anios for t in meses_de(str(a))]
    total = REGION if len(filas) > 1 else filas[0]
    at.publicado(at.casos(total, rango), casos["casos"]["total"])
    for m in filas:
        at.publicado(at.casos(m, rango), casos["casos"]["celdas"][m]["casos"])
    for d in DIMENSIONES:
        if d not in casos:
            continue
        tabla = casos[d]
        numeros = [v for fila in tabla["celdas"].values() for v in fila.values() if v != "<5"]
        assert completos or not numeros, (d, rango)  # el desglose solo sale por años completos
        for m in filas:
            at.publicado(at.cat(d, m, TOTAL, anios) if d == "tipo_violencia" else at.casos(m, rango),
                         tabla["total_fila"][m])
            for c, v in tabla["celdas"][m].items():
                if completos:
                    at.publicado(at.cat(d, m, c, anios), v)
        if completos:
            for c, v in tabla["total_columna"].items():
                at.publicado(at.cat(d, total, c, anios), v)
            at.publicado(at.cat(d, total, TOTAL, anios), tabla["total"])


def _leer_completitud(at, por_municipio):
    for m, meses in por_municipio.items():
        for mes, x in meses.items():
            at.publicado(at.casos(m, [mes]), x["casos"])
            at.sin_registros(m, mes, x["sin_registros"], x["entregas"], x["actividades"])


def _leer_region(at, datos, rango, anios):
    _leer_tablas(at, datos["casos"], rango, anios, datos["municipios"])
    por_mes = datos["casos"]["por_mes"]
    for mes, v in por_mes["total_columna"].items():
        at.publicado(at.casos(REGION, [mes]), v)
    for m, fila in por_mes["celdas"].items():
        for mes, v in fila.items():
            at.publicado(at.casos(m, [mes]), v)
    _leer_completitud(at, datos["completitud"]["por_mes"])
    for m, x in datos["notificaciones_cis"].items():
        for serie in ("enviadas", "confirmadas", "fallidas"):
            at.publicado(at.avisos(serie, m, rango), x[serie])


def test_ninguna_secuencia_de_pedidos_despeja_una_cifra_pequena(region):
    api, por_mes, categorias = region
    meses = list(meses_de(str(Y)))
    at = Atacante([A, B], [Y, Y + 1], DIMENSIONES)
    at.por_venir(HOY.strftime("%Y-%m"))

    # Ventanas deslizantes y solapadas de meses completos: todas las del año, en la clasificación de la ley.
    for i in range(12):
        for j in range(i, 12):
            rango = meses[i:j + 1]
            anios = sorted({int(t[:4]) for t in rango})
            _leer_region(at, _region(api, f"{rango[0]}-01", _fin(rango[-1])), rango, anios)
    # La otra clasificación, el informe consolidado y el de cada municipio (subconjuntos), en ventanas que se pisan.
    for desde, hasta in ((meses[0], meses[-1]), (meses[0], meses[10]), (meses[1], meses[-1]), (meses[9], meses[11]),
                         (meses[11], meses[11]), (meses[3], meses[5])):
        rango = meses[meses.index(desde):meses.index(hasta) + 1]
        _leer_region(at, _region(api, f"{desde}-01", _fin(hasta), "gbvims"), rango, [Y])
        for municipio in (None, A, B):
            for clasificacion in ("ley", "gbvims"):
                inf = _informe(api, f"{desde}-01", _fin(hasta), municipio, clasificacion)
                assert "atendidos" not in inf["casos"]
                _leer_tablas(at, inf["casos"], rango, [Y], [municipio] if municipio else [A, B])
                _leer_completitud(at, inf["completitud"]["por_municipio"])
    # Sin fechas (todo, hasta hoy) y hasta hoy.
    todo = meses + list(meses_de(str(Y + 1)))
    _leer_region(at, api.get("/api/v1/region/estadisticas", ATACANTE).json(), todo, [Y, Y + 1])
    _leer_region(at, _region(api, f"{Y}-01-01", HOY.isoformat()), todo, [Y, Y + 1])

    # La verdad: cada celda de la jerarquía, de cada municipio y de la región.
    verdad = {}
    for p in [str(Y)] + [f"{Y}-T{q}" for q in range(1, 5)] + meses:
        for m in (A, B, REGION):
            n = sum(por_mes.get((x, t), 0) for x in ((A, B) if m == REGION else (m,)) for t in meses_de(p))
            verdad[("casos", m, p)] = (at.casos(m, meses_de(p)), n)
    for d, cats in DIMENSIONES.items():
        for m in (A, B, REGION):
            for c in cats:
                n = sum(categorias.get((d, x, c), 0) for x in ((A, B) if m == REGION else (m,)))
                verdad[("cat", d, m, c)] = (at.cat(d, m, c, [Y]), n)
            n = sum(categorias.get(("tipo_violencia", x, c), 0) for x in ((A, B) if m == REGION else (m,))
                    for c in UNICOS)
            verdad[("cat", "tipo_violencia", m, TOTAL)] = (at.cat("tipo_violencia", m, TOTAL, [Y]), n)
    pequenas = [k for k, (_, v) in verdad.items() if 1 <= v <= 4]
    assert len(pequenas) > 40 and at.publicadas > 100
    assert at.despejadas(verdad) == {}

    # La prueba puede fallar: si a la atacante le llegaran las cifras exactas por mes de 0408 (las que solo su
    # coordinadora ve), con lo publicado despejaría celdas pequeñas.
    for mes in meses:
        at.publicado(at.casos(A, [mes]), por_mes.get((A, mes), 0))
    assert at.despejadas(verdad), "la atacante no sabe despejar: la prueba no probaría nada"


def test_el_ataque_de_la_revision_ya_no_da_diciembre_ni_el_dia(region):
    api, por_mes, _ = region
    anio = _region(api, f"{Y}-01-01", f"{Y}-12-31")["casos"]["casos"]["celdas"][A]["casos"]
    hasta_noviembre = _region(api, f"{Y}-01-01", f"{Y}-11-30")["casos"]["casos"]["celdas"][A]["casos"]
    diciembre = _region(api, f"{Y}-12-01", f"{Y}-12-31")["casos"]["casos"]["celdas"][A]["casos"]
    assert por_mes[(A, f"{Y}-12")] == 1 and diciembre == "<5"
    assert "<5" in (anio, hasta_noviembre), (anio, hasta_noviembre)  # nunca las dos: la resta daría diciembre
    # Biseccionar `hasta` por días: cada día que no cierra un mes es un 403 (el rol no puede; la coordinadora sí)
    # que dice por qué, nunca una cifra.
    for dia in (1, 8, 15, 16, 23, 30):
        r = api.get("/api/v1/region/estadisticas", ATACANTE, params={"desde": f"{Y}-01-01", "hasta": f"{Y}-12-{dia:02d}"})
        assert r.status_code == 403, r.text
        assert "hasta" in r.json()["detalles"] and "meses completos" in r.json()["detalles"]["hasta"][0]
    r = api.get("/api/v1/region/estadisticas", ATACANTE, params={"desde": f"{Y}-12-02", "hasta": f"{Y}-12-31"})
    assert r.status_code == 403 and "desde" in r.json()["detalles"], r.text
    r = api.get("/api/v1/reportes/informe", ATACANTE, params={"desde": f"{Y}-01-01", "hasta": f"{Y}-12-15"})
    assert r.status_code == 403 and "hasta" in r.json()["detalles"], r.text
    # Los tipos de violencia de diciembre tampoco: el desglose de un mes no se publica.
    tipos = _region(api, f"{Y}-12-01", f"{Y}-12-31")["casos"]["tipo_violencia"]
    assert set(tipos["celdas"][A].values()) == {"<5"} and set(tipos["total_columna"].values()) == {"<5"}
    # El aviso al CIS de esa derivación (este año): pequeño, oculto, en cualquier ventana que lo incluya.
    for desde in (f"{HOY.year}-01-01", f"{HOY.strftime('%Y-%m')}-01"):
        assert _region(api, desde, HOY.isoformat())["notificaciones_cis"][A]["enviadas"] == "<5"


def test_la_coordinadora_sigue_viendo_sus_cifras_exactas(region):
    api, por_mes, categorias = region
    inf = api.get("/api/v1/reportes/informe", f"coordinadora.dif{A}",
                  params={"desde": f"{Y}-12-01", "hasta": f"{Y}-12-20"})  # por días: es su oficina
    assert inf.status_code == 200, inf.text
    datos = inf.json()
    assert datos["casos"]["atendidos"]["total"] == 2  # el de diciembre y el sin consentimiento
    anio = api.get("/api/v1/reportes/informe", f"coordinadora.dif{A}",
                   params={"desde": f"{Y}-01-01", "hasta": f"{Y}-12-31"}).json()
    completitud = anio["completitud"]["por_municipio"][A]
    for mes in meses_de(str(Y)):
        esperado = por_mes.get((A, mes), 0) + (1 if mes == f"{Y}-12" else 0)
        assert completitud[mes]["casos"] == esperado, mes
    assert anio["casos"]["atendidos"]["total"] == sum(POR_MES[A]) + 1
