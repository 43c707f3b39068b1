"""Control de divulgación de las cifras de casos que ve la mancomunidad.

La revisión restó dos respuestas (enero–diciembre menos enero–noviembre) y sacó el «<5» de diciembre;
biseccionando `hasta` encontró el día, y los totales por tipo dieron los tipos. Suprimir dentro de cada
respuesta no basta cuando se puede pedir cualquier par de periodos.

Método: SUPRESIÓN DE CELDAS PRIMARIA Y COMPLEMENTARIA SOBRE UNA JERARQUÍA FIJA DE PERIODOS DE CALENDARIO
(mes ⊂ trimestre ⊂ año), AUDITADA CON MOVIMIENTOS BÁSICOS DE TABLAS DE CONTINGENCIA.

- Una sola tabla por mancomunidad y año, decidida con las cifras del año entero; de ella sale toda respuesta
  a la mancomunidad (la región, el informe consolidado, el de un municipio miembro). Sus celdas:
  por municipio y de la región, los casos con consentimiento para estadísticas de cada mes, trimestre y año;
  por municipio y de la región, cada categoría del año en tipo de violencia (ley), GBVIMS, nivel de riesgo
  y contexto, con la suma por fila de los tipos (un caso puede tener varios); los avisos al CIS (enviados,
  confirmados, fallidos) de cada municipio por mes, trimestre y año.
- Un periodo pedido va por meses completos: su cifra es la suma de las piezas de la jerarquía que lo cubren
  (años, trimestres, meses; lo que se sabe cero —meses por venir, años sin ningún registro, meses cuyo
  «sin registros» se publica— cuenta cero) y sale oculta si alguna pieza lo está. Así todo lo publicado,
  en cualquier secuencia de pedidos, son sumas de celdas de esa tabla: no queda nada nuevo que restar.
  El desglose por categoría existe solo por año calendario: un periodo que no es de años completos lo da oculto.
- Supresión primaria: toda celda de 0 a 4 sale «<5».
- Supresión complementaria, auditada: cada celda de 1 a 4 (publicada o que una suma publicada daría) lleva un
  TESTIGO, otro registro posible que deja igual cada cifra publicada y le da otro valor: casos movidos de mes
  o de municipio, cambiados de categoría, o uno más o uno menos (copia de uno real). El testigo respeta lo que
  quien ataca sabe: ningún conteo negativo; los meses cuyo «sin registros» se publica siguen con o sin casos;
  las reglas de casos entre tipos de la ley y GBVIMS (AnioCasos._reglas_de). Si con lo ya oculto no hay testigo, se
  ocultan las celdas del que menos cuesta. Con un testigo, el sistema de ecuaciones de lo publicado admite al
  menos dos valores para la celda: ninguna resta la despeja. Los movimientos son los básicos de las tablas de
  contingencia (intercambios 2×2 que conservan todas las sumas, Diaconis y Sturmfels, 1998), el criterio de
  protección de la supresión de celdas de τ-ARGUS.

Lo que no cubre: comparar la misma cifra en días distintos mientras se registran casos (o al mover un municipio
de mancomunidad) es otra tabla cada vez; ver «Cifras de casos de la mancomunidad» en el README.
"""
import calendar
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from casos.contrato import NOMBRES_CONTEXTO, NOMBRES_GBVIMS, NOMBRES_NIVEL_RIESGO, NOMBRES_TIPO_VIOLENCIA
from omm_common.errores import Prohibido

from . import dominio

MINIMO = 5
OCULTO = "<5"
REGION = "*"
TOTAL = "*"  # la columna «total» de una fila de categorías
DIMENSIONES = ("tipo_violencia", "gbvims", "nivel_riesgo", "contexto")
MULTIPLE = "tipo_violencia"  # un caso puede tener varios tipos: su fila suma tipos, no casos
SIN_CLASIFICAR = "sin_clasificar"
CATEGORIAS = {"tipo_violencia": tuple(NOMBRES_TIPO_VIOLENCIA), "gbvims": (*NOMBRES_GBVIMS, SIN_CLASIFICAR),
              "nivel_riesgo": tuple(NOMBRES_NIVEL_RIESGO), "contexto": tuple(NOMBRES_CONTEXTO)}
MAX_TIPOS = len(NOMBRES_TIPO_VIOLENCIA)
SEXUALES = ("violacion", "agresion_sexual")
# Avisos al CIS: cada uno está en un estado; «enviadas» cuenta también los confirmados.
ESTADOS_AVISO = {"pendiente": ("enviadas",), "confirmada": ("enviadas", "confirmadas"), "fallida": ("fallidas",)}
SERIES_AVISO = ("enviadas", "confirmadas", "fallidas")
SOCIOS = 24  # municipios que se prueban como pareja de un intercambio cuando ninguno sale gratis


# --- la jerarquía de periodos ---

def meses_del_anio(anio):
    return [f"{int(anio):04d}-{m:02d}" for m in range(1, 13)]


@lru_cache(maxsize=None)
def trimestre(mes):
    return f"{mes[:4]}-T{(int(mes[5:7]) - 1) // 3 + 1}"


@lru_cache(maxsize=None)
def meses_de(periodo):
    """'2026' -> sus 12 meses; '2026-T2' -> abril a junio; '2026-05' -> él mismo."""
    if len(periodo) == 4:
        return tuple(meses_del_anio(periodo))
    if "-T" in periodo:
        a, t = periodo.split("-T")
        return tuple(f"{a}-{m:02d}" for m in range(3 * int(t) - 2, 3 * int(t) + 1))
    return (periodo,)


@lru_cache(maxsize=None)
def ancestros(mes):
    return (mes, trimestre(mes), mes[:4])


def _siguiente(mes, n=1):
    a, m = int(mes[:4]), int(mes[5:7]) - 1 + n
    return f"{a + m // 12:04d}-{m % 12 + 1:02d}"


def mes_de(fecha):
    return fecha.isoformat()[:7] if isinstance(fecha, date) else str(fecha)[:7]


def piezas(desde_mes, hasta_mes, mes_actual):
    """Las piezas de la jerarquía que cubren los meses [desde_mes, hasta_mes], las mayores primero.

    Una pieza puede pasar de `hasta_mes` si lo que sobra es por venir (después de `mes_actual`): esos meses son
    cero, así «el año hasta hoy» es el año y «el trimestre hasta hoy», el trimestre.
    """
    def cabe(fin):
        return fin <= hasta_mes or hasta_mes >= mes_actual

    salida, mes = [], desde_mes
    while mes <= hasta_mes:
        m = int(mes[5:7])
        if m == 1 and cabe(f"{mes[:4]}-12"):
            salida.append(mes[:4])
            mes = _siguiente(mes, 12)
        elif m % 3 == 1 and cabe(_siguiente(mes, 2)):
            salida.append(trimestre(mes))
            mes = _siguiente(mes, 3)
        else:
            salida.append(mes)
            mes = _siguiente(mes)
    return salida


# --- una tabla de un año ---

@dataclass
class Testigo:
    """Otro registro posible: `delta` lo que cambia en cada celda; `extra` celdas que cambian según qué caso real
    se mueva (deben estar ocultas); `cambia` las de `extra` que cambian seguro; `reglas` si hay que revisar las
    reglas de casos (un cambio de categoría; mover o copiar un caso real ya las cumple)."""
    delta: dict
    extra: frozenset = frozenset()
    cambia: frozenset = frozenset()
    reglas: bool = False

    def toca(self):
        return set(self.delta) | self.extra


def _juntar(*deltas):
    total = {}
    for d in deltas:
        if d is None:
            return None
        for k, v in d.items():
            total[k] = total.get(k, 0) + v
    return {k: v for k, v in total.items() if v}


@dataclass
class _Anio:
    """Las celdas de un año de una mancomunidad y su supresión. `conteos` {(estado, municipio, mes): registros}."""
    anio: int
    municipios: list
    conteos: dict
    revelados: frozenset = frozenset()  # (municipio, mes) de los que se sabe si hubo registros o no
    V: dict = field(default_factory=dict)
    H: set = field(default_factory=set)
    testigos: dict = field(default_factory=dict)
    todo_oculto: bool = False

    ESTADOS = {None: ("casos",)}
    PUBLICA_REGION = True

    def __post_init__(self):
        self.a = f"{self.anio:04d}"
        self.meses = meses_del_anio(self.anio)
        self.N = {k: v for k, v in self.conteos.items() if v}
        self._memo = {}
        self._llenar()
        self.H = {k for k, v in self.V.items() if v < MINIMO}
        if not self.PUBLICA_REGION:
            self.H |= {k for k in self.V if k[-2] == REGION}
        self._rev = {self.clave(s, m, t) for m, t in self.revelados for s in self.series()}

    # -- celdas --

    def series(self):
        return sorted({s for ss in self.ESTADOS.values() for s in ss})

    def clave(self, serie, m, periodo):
        return ("casos", m, periodo)

    def registros(self, estado, m, periodos):
        return sum(self.N.get((estado, m, t), 0) for p in periodos for t in meses_de(p))

    def _llenar(self):
        periodos = self.meses + [trimestre(t) for t in self.meses[::3]] + [self.a]
        for s in self.series():
            estados = [e for e, ss in self.ESTADOS.items() if s in ss]
            for p in periodos:
                por_m = {m: sum(self.registros(e, m, [p]) for e in estados) for m in self.municipios}
                for m, n in por_m.items():
                    self.V[self.clave(s, m, p)] = n
                self.V[self.clave(s, REGION, p)] = sum(por_m.values())

    def valor(self, k):
        """La cifra publicada de una celda: su valor, u OCULTO."""
        if self.todo_oculto or k in self.H:
            return OCULTO
        return self.V.get(k, 0)

    def cero_sabido(self, k):
        """Una celda oculta que quien mira sabe cero: la de un municipio (o la región) en meses que se sabe vacíos."""
        if self.V.get(k, 0) or k[0] == "cat":
            return False
        filas = self.municipios if k[-2] == REGION else [k[-2]]
        return all((m, t) in self.revelados for m in filas for t in meses_de(k[-1]))

    # -- movimientos elementales (cada uno conserva todas las sumas) --

    def _extra_mover(self, m1, m2):
        return frozenset(), frozenset()

    def _extra_sumar(self, m):
        return frozenset(), frozenset()

    def mover(self, estado, m1, t1, m2, t2):
        """Un registro real de (m1, t1) pasa a (m2, t2), con todo lo suyo."""
        clave = ("mover", estado, m1, t1, m2, t2)
        if clave not in self._memo:
            self._memo[clave] = self._mover(estado, m1, t1, m2, t2)
        return self._memo[clave]

    def _mover(self, estado, m1, t1, m2, t2):
        if self.N.get((estado, m1, t1), 0) < 1:
            return None
        delta = {}
        for s in self.ESTADOS[estado]:
            for m, t, signo in ((m1, t1, -1), (m2, t2, 1)):
                for p in ancestros(t):
                    for x in (m, REGION):
                        k = self.clave(s, x, p)
                        delta[k] = delta.get(k, 0) + signo
        extra, cambia = self._extra_mover(m1, m2) if m1 != m2 else (frozenset(), frozenset())
        return Testigo({k: v for k, v in delta.items() if v}, extra, cambia)

    def sumar(self, estado, m, t, signo):
        """Un registro menos en (m, t), o uno más: la copia de uno real del municipio en el año."""
        clave = ("sumar", estado, m, t, signo)
        if clave not in self._memo:
            self._memo[clave] = self._sumar(estado, m, t, signo)
        return self._memo[clave]

    def _sumar(self, estado, m, t, signo):
        if signo < 0 and self.N.get((estado, m, t), 0) < 1:
            return None
        if signo > 0 and not any(self.N.get((estado, m, x), 0) for x in self.meses):
            return None
        delta = {self.clave(s, x, p): signo for s in self.ESTADOS[estado] for p in ancestros(t) for x in (m, REGION)}
        extra, cambia = self._extra_sumar(m)
        return Testigo(delta, extra, cambia)

    @staticmethod
    def _con(base, *otros):
        if base is None or any(o is None for o in otros):
            return None
        return Testigo(_juntar(base.delta, *[o.delta for o in otros]),
                       base.extra.union(*[o.extra for o in otros]), base.cambia.union(*[o.cambia for o in otros]),
                       base.reglas or any(o.reglas for o in otros))

    # -- candidatos a testigo de una celda de una serie --

    def _socios(self, m, celdas):
        """Los municipios que se prueban como pareja: primero los que ya tienen ocultas las celdas que tocarían."""
        otros = [x for x in self.municipios if x != m]
        if len(otros) <= SOCIOS:
            return otros
        orden = sorted(otros, key=lambda x: (-sum(k in self.H for k in celdas(x)), sum(self.V[k] for k in celdas(x)), x))
        return orden[:SOCIOS]

    def _candidatos_serie(self, k):
        serie, m, p = k[-3] if len(k) == 4 else "casos", k[-2], k[-1]
        estados = [e for e, ss in self.ESTADOS.items() if serie in ss]
        dentro = meses_de(p)
        fuera = [t for t in self.meses if t not in dentro]
        nivel_anio = p == self.a
        filas = [m] if m != REGION else self.municipios
        for e in estados:
            for x in filas:
                if not nivel_anio:
                    # Cambiar el mes de un registro (y, para no tocar el total de la región, el de otro municipio al revés).
                    for t in dentro:
                        for t2 in fuera:
                            for a, b in ((t, t2), (t2, t)):  # quitarle uno a la celda, o darle uno
                                base = self.mover(e, x, a, x, b)
                                if base is None:
                                    continue
                                yield base
                                if m == REGION:
                                    continue
                                celdas = (lambda y, a=a, b=b: [self.clave(s, y, q) for s in self.ESTADOS[e]
                                                               for q in (a, b, trimestre(a), trimestre(b))])
                                for y in self._socios(x, celdas):
                                    yield self._con(base, self.mover(e, y, b, y, a))
                # Un registro de otro municipio, o uno menos o uno más.
                for t in dentro:
                    yield self.sumar(e, x, t, -1)
                    yield self.sumar(e, x, t, 1)
                    if m != REGION:
                        celdas = (lambda y, t=t: [self.clave(s, y, q) for s in self.ESTADOS[e] for q in ancestros(t)])
                        for y in self._socios(x, celdas):
                            yield self.mover(e, x, t, y, t)
                            yield self.mover(e, y, t, x, t)

    def candidatos(self, k):
        yield from self._candidatos_serie(k)

    def cambia(self, testigo, k):
        return testigo.delta.get(k, 0) != 0 or k in testigo.cambia

    # -- validez y costo --

    def valido(self, testigo):
        for k, d in testigo.delta.items():
            v = self.V.get(k, 0) + d
            if v < 0:
                return False
            if k in self._rev and (v > 0) != (self.V[k] > 0):
                return False
        return not testigo.reglas or self._reglas_ok(testigo.delta)

    def _reglas_ok(self, delta):
        return True

    def peso(self, k):
        if k[0] == "cat":
            return 6 if k[2] == REGION else (2 if k[3] == TOTAL else 1)
        p = k[-1]
        nivel = 4 if len(p) == 4 else (2 if "-T" in p else 1)
        return nivel * (4 if k[-2] == REGION else 1)

    def costo(self, testigo):
        nuevas = [x for x in testigo.toca() if x not in self.H]
        return sum(self.peso(x) * 1000 + self.V.get(x, 0) for x in nuevas), nuevas

    def _orden(self, k):
        region = k[-2] == REGION if k[0] != "cat" else k[2] == REGION
        if k[0] == "cat":
            return (1, not region, k)
        p = k[-1]
        return (0 if len(p) == 4 else (2 if "-T" in p else 3), not region, k)

    def sensibles(self):
        return sorted((k for k, v in self.V.items() if 1 <= v < MINIMO), key=self._orden)

    def proteger(self):
        """Supresión complementaria: un testigo para cada celda de 1 a 4, ocultando lo que el más barato toque."""
        for k in self.sensibles():
            mejor = None
            for t in self.candidatos(k):
                if t is None or not self.cambia(t, k):
                    continue
                costo, nuevas = self.costo(t)
                if (mejor is None or costo < mejor[0]) and self.valido(t):
                    mejor = (costo, nuevas, t)
                    if costo == 0:
                        break
            if mejor is None:
                # No debería pasar (copiar un caso real siempre es posible); si pasa, nada de este año sale.
                self.todo_oculto = True
                return self
            self.H.update(mejor[1])
            self.testigos[k] = mejor[2]
        return self


@dataclass
class AnioCasos(_Anio):
    """Los casos con consentimiento para estadísticas de un año: por mes (series) y por categoría (el año).

    `categorias` {dimension: {(municipio, categoria): casos del año}}.
    """
    categorias: dict = field(default_factory=dict)

    def __post_init__(self):
        self.cats = {}
        for d in DIMENSIONES:
            vistas = {c for (_, c) in self.categorias.get(d, {})}
            self.cats[d] = list(CATEGORIAS[d]) + sorted(vistas - set(CATEGORIAS[d]))
        super().__post_init__()
        self._reales = {m: self._reglas_de(m, {}) for m in self.municipios}

    def _llenar(self):
        super()._llenar()
        for d in DIMENSIONES:
            tabla = self.categorias.get(d, {})
            for c in self.cats[d]:
                por_m = {m: tabla.get((m, c), 0) for m in self.municipios}
                for m, n in por_m.items():
                    self.V[("cat", d, m, c)] = n
                self.V[("cat", d, REGION, c)] = sum(por_m.values())
        for x in self.municipios + [REGION]:
            self.V[("cat", MULTIPLE, x, TOTAL)] = sum(self.V[("cat", MULTIPLE, x, c)] for c in self.cats[MULTIPLE])

    def clave_cat(self, d, m, c):
        """La fila total de una clasificación de un solo valor por caso es el total de casos del año."""
        if c == TOTAL and d != MULTIPLE:
            return ("casos", m, self.a)
        return ("cat", d, m, c)

    def total(self, m):
        return self.V[("casos", m, self.a)]

    def soporte(self, m):
        if ("soporte", m) not in self._memo:
            self._memo[("soporte", m)] = [("cat", d, m, c) for d in DIMENSIONES for c in self.cats[d]
                                          if self.V[("cat", d, m, c)]]
        return self._memo[("soporte", m)]

    def _todos_con(self, m):
        """Las categorías que tiene cada caso del municipio: copiar o mover cualquiera de ellos las cambia."""
        return frozenset(k for k in self.soporte(m) if self.V[k] == self.total(m))

    def _extra_mover(self, m1, m2):
        sop = self.soporte(m1)
        extra = {k for k in sop} | {("cat", d, m2, c) for (_, d, _, c) in sop}
        extra |= {("cat", MULTIPLE, m1, TOTAL), ("cat", MULTIPLE, m2, TOTAL)}
        cambia = set(self._todos_con(m1)) | {("cat", d, m2, c) for (_, d, _, c) in self._todos_con(m1)}
        return frozenset(extra), frozenset(cambia | {("cat", MULTIPLE, m1, TOTAL), ("cat", MULTIPLE, m2, TOTAL)})

    def _extra_sumar(self, m):
        sop = self.soporte(m)
        extra = set(sop) | {("cat", d, REGION, c) for (_, d, _, c) in sop}
        extra |= {("cat", MULTIPLE, m, TOTAL), ("cat", MULTIPLE, REGION, TOTAL)}
        todos = self._todos_con(m)
        cambia = set(todos) | {("cat", d, REGION, c) for (_, d, _, c) in todos}
        return frozenset(extra), frozenset(cambia | {("cat", MULTIPLE, m, TOTAL), ("cat", MULTIPLE, REGION, TOTAL)})

    # -- cambios de categoría --

    def reetiquetar(self, d, m, c1, c2):
        """Un caso de `m` pasa de la categoría c1 a c2 (en tipos: pierde c1 y gana c2)."""
        if self.V[("cat", d, m, c1)] < 1:
            return None
        return Testigo({("cat", d, m, c1): -1, ("cat", d, m, c2): 1, ("cat", d, REGION, c1): -1,
                        ("cat", d, REGION, c2): 1}, reglas=True)

    def tipo(self, m, f, signo):
        """Un caso de `m` gana (o pierde) el tipo f."""
        if signo < 0 and self.V[("cat", MULTIPLE, m, f)] < 1:
            return None
        return Testigo({("cat", MULTIPLE, x, c): signo for x in (m, REGION) for c in (f, TOTAL)}, reglas=True)

    def _gbvims_a_sin_clasificar(self, m):
        """Acompañantes de un cambio de tipos: un caso de m deja su tipo GBVIMS «sin clasificar» (siempre válido)."""
        yield Testigo({})
        for g in self.cats["gbvims"]:
            if g != SIN_CLASIFICAR:
                t = self.reetiquetar("gbvims", m, g, SIN_CLASIFICAR)
                if t is not None:
                    yield t

    def _con_pareja(self, x, m, base, tipos, celdas, inverso):
        """`base` (un cambio en el municipio x) sola, con lo que la región absorbe, o con otro municipio que hace lo
        inverso; si cambia tipos, también con cada acompañante GBVIMS que la hace válida."""
        if base is None:
            return
        for acompana in (self._gbvims_a_sin_clasificar(x) if tipos else [Testigo({})]):
            b = self._con(base, acompana)
            yield b
            if m != REGION:
                for y in self._socios(x, celdas):
                    yield self._con(b, inverso(y))

    def candidatos(self, k):
        if k[0] != "cat":
            yield from self._candidatos_serie(k)
            return
        _, d, m, c = k
        filas = [m] if m != REGION else self.municipios
        for x in filas:
            if c != TOTAL:
                for c2 in self.cats[d]:
                    if c2 == c:
                        continue
                    celdas = (lambda y, c2=c2: [("cat", d, y, c), ("cat", d, y, c2)])
                    for base, inverso in ((self.reetiquetar(d, x, c, c2), lambda y, c2=c2: self.reetiquetar(d, y, c2, c)),
                                          (self.reetiquetar(d, x, c2, c), lambda y, c2=c2: self.reetiquetar(d, y, c, c2))):
                        yield from self._con_pareja(x, m, base, d == MULTIPLE, celdas, inverso)
            if d == MULTIPLE:
                for f in ([c] if c != TOTAL else self.cats[d]):
                    celdas = (lambda y, f=f: [("cat", d, y, f), ("cat", d, y, TOTAL)])
                    for signo in (-1, 1):
                        yield from self._con_pareja(x, m, self.tipo(x, f, signo), True, celdas,
                                                    lambda y, f=f, signo=signo: self.tipo(y, f, -signo))
            # Un caso de más o de menos, o movido a otro municipio (cambia la celda si todos sus casos la tienen).
            for t in self.meses:
                yield self.sumar(None, x, t, -1)
                yield self.sumar(None, x, t, 1)
                if m != REGION:
                    celdas = (lambda y, t=t: [("casos", y, q) for q in ancestros(t)])
                    for y in self._socios(x, celdas):
                        yield self.mover(None, x, t, y, t)

    # -- lo que quien ataca sabe de casos --

    def _reglas_de(self, m, delta):
        """Qué reglas de casos cumple la fila de `m` con `delta` aplicado (casos.dominio.validar_gbvims, en conteos)."""
        def v(k):
            return self.V.get(k, 0) + delta.get(k, 0)
        n = v(("casos", m, self.a))
        tipos = {f: v(("cat", MULTIPLE, m, f)) for f in self.cats[MULTIPLE]}
        g = {x: v(("cat", "gbvims", m, x)) for x in self.cats["gbvims"]}
        s = sum(g.get(x, 0) for x in SEXUALES)
        sexual, fisica = tipos.get("sexual", 0), tipos.get("fisica", 0)
        sc, af = g.get(SIN_CLASIFICAR, 0), g.get("agresion_fisica", 0)
        return {
            "cada_tipo_a_lo_sumo_los_casos": all(x <= n for x in tipos.values()),
            "cada_caso_de_1_a_5_tipos": n <= sum(tipos.values()) <= MAX_TIPOS * n,
            "gbvims_sexual_con_tipo_sexual": s <= sexual,
            "tipo_sexual_es_gbvims_sexual_o_sin_clasificar": sexual <= s + sc,
            "agresion_fisica_con_tipo_fisico": af <= fisica,
            "tipo_fisico_es_agresion_fisica_sexual_o_sin_clasificar": fisica <= af + s + sc,
        }

    def _reglas_ok(self, delta):
        tocados = {k[2] for k in delta if k[0] == "cat" and k[2] != REGION}
        for m in tocados:
            ahora = self._reglas_de(m, delta)
            # Solo las que el registro verdadero cumple (datos anteriores a una regla no la contradicen aquí).
            if any(self._reales[m][r] and not ok for r, ok in ahora.items()):
                return False
        return True


@dataclass
class AnioAvisos(_Anio):
    """Los avisos al CIS de un año por municipio y mes; la región no se publica."""
    ESTADOS = ESTADOS_AVISO
    PUBLICA_REGION = False

    def clave(self, serie, m, periodo):
        return ("aviso", serie, m, periodo)


# --- lo publicado de varios años ---

NOTA_MANCOMUNIDAD = (
    "Solo casos con consentimiento para estadísticas, de meses completos. Las cifras menores que 5, y las que "
    "permitirían despejarlas restando otras publicadas (de cualquier periodo, municipio o clasificación), se "
    "muestran como «<5». El desglose por tipo, riesgo y contexto se publica por año calendario completo.")


class Publicacion:
    """Las tablas protegidas de los años de una mancomunidad y, de ellas, las cifras de cualquier periodo de meses
    completos con la forma de las respuestas (la región y la sección de casos del informe).

    `casos` y `avisos`: {anio: AnioCasos | AnioAvisos}; un año que no está no tuvo ningún registro (cero sabido).
    """

    def __init__(self, municipios, casos, avisos, mes_actual):
        self.municipios = sorted(municipios)
        self.por_anio = {"casos": casos, "avisos": avisos}
        self.mes_actual = mes_actual

    # -- cifras de un periodo --

    def _suma(self, poblacion, clave, desde_mes, hasta_mes, solo_anios=False):
        tablas, total = self.por_anio[poblacion], 0
        for p in piezas(desde_mes, hasta_mes, self.mes_actual):
            tabla = tablas.get(int(p[:4]))
            if tabla is None:
                continue
            if solo_anios and len(p) != 4:
                return OCULTO
            k = clave(tabla, p)
            v = tabla.valor(k)
            if v == OCULTO and not tabla.cero_sabido(k):
                return OCULTO
            total += 0 if v == OCULTO else v
        # Una suma de piezas publicadas es 0 (todas se saben vacías) o de 5 en adelante; el 0 también sale «<5».
        return total if total >= MINIMO else OCULTO

    def casos(self, m, desde_mes, hasta_mes):
        """Casos con consentimiento de `m` (o REGION) en los meses dados, u OCULTO."""
        return self._suma("casos", lambda t, p: ("casos", m, p), desde_mes, hasta_mes)

    def celda_mes(self, m, mes):
        """La celda de un mes tal como se publica (un 0, aunque se sepa, sale «<5»)."""
        tabla = self.por_anio["casos"].get(int(mes[:4]))
        return tabla.valor(("casos", m, mes)) if tabla else OCULTO

    def categoria(self, d, m, c, desde_mes, hasta_mes):
        """Una celda de categoría (c = TOTAL: el total de su fila) en un periodo; el desglose, solo por años."""
        if c == TOTAL and d != MULTIPLE:
            return self.casos(m, desde_mes, hasta_mes)
        return self._suma("casos", lambda t, p: t.clave_cat(d, m, c), desde_mes, hasta_mes, solo_anios=True)

    def avisos(self, serie, m, desde_mes, hasta_mes):
        return self._suma("avisos", lambda t, p: ("aviso", serie, m, p), desde_mes, hasta_mes)

    def categorias(self, d, desde_mes, hasta_mes):
        """Las columnas de una clasificación: las del contrato y las que casos agregó en esos años."""
        vistas = [c for a in range(int(desde_mes[:4]), int(hasta_mes[:4]) + 1)
                  for c in getattr(self.por_anio["casos"].get(a), "cats", {}).get(d, [])]
        return list(dict.fromkeys(list(CATEGORIAS[d]) + vistas))

    def rango(self, desde, hasta):
        """(primer mes, último mes) de un pedido; sin fechas, del primer año con registros hasta hoy."""
        anios = sorted(set(self.por_anio["casos"]) | set(self.por_anio["avisos"]))
        desde_mes = mes_de(desde) if desde else (f"{anios[0]:04d}-01" if anios else self.mes_actual)
        ultimo = max((t for tablas in self.por_anio.values() for a in tablas.values() for (_, _, t) in a.N),
                     default=self.mes_actual)
        hasta_mes = mes_de(hasta) if hasta else max(self.mes_actual, ultimo)
        return desde_mes, hasta_mes

    # -- las respuestas --

    def exactos(self, municipios, desde, hasta):
        """{municipio: {mes: casos}} verdaderos del periodo, de los meses con casos: deciden «sin registros» y la
        última actividad de la completitud, que se publican y la auditoría ya tiene en cuenta (AnioCasos.revelados)."""
        d, h = self.rango(desde, hasta)
        salida = {m: {} for m in municipios}
        for tabla in self.por_anio["casos"].values():
            for (_, m, t), n in tabla.N.items():
                if m in salida and d <= t <= h:
                    salida[m][t] = n
        return salida

    def visibles(self, municipios, meses):
        return {m: {mes: self.celda_mes(m, mes) for mes in meses} for m in municipios}

    def tablas(self, municipios, desde, hasta, meses, clasificacion):
        """Las tablas de casos (la forma de dominio.tablas_de_casos) de los municipios pedidos: todos los de la
        mancomunidad (con la región como total) o uno (su fila es su total)."""
        d, h = self.rango(desde, hasta)
        total = REGION if sorted(municipios) == self.municipios else municipios[0]

        def tabla(celdas, fila, columnas):
            return {"celdas": {m: {c: celdas(m, c) for c in columnas} for m in municipios},
                    "total_fila": {m: fila(m) for m in municipios},
                    "total_columna": {c: celdas(total, c) for c in columnas}, "total": fila(total)}
        salida = {"casos": tabla(lambda m, c: self.casos(m, d, h), lambda m: self.casos(m, d, h), ["casos"])}
        for dim in dominio.dimensiones_de(clasificacion):
            salida[dim] = dominio._con_nombres(dim, tabla(lambda m, c, dim=dim: self.categoria(dim, m, c, d, h),
                                                          lambda m, dim=dim: self.categoria(dim, m, TOTAL, d, h),
                                                          self.categorias(dim, d, h)))
        salida["por_mes"] = tabla(lambda m, mes: self.celda_mes(m, mes), lambda m: self.casos(m, d, h), meses)
        return salida

    def seccion(self, municipios, desde, hasta, meses, clasificacion):
        """(sección de casos del informe, casos verdaderos por mes, cifras por mes publicadas) para la mancomunidad."""
        tablas = self.tablas(municipios, desde, hasta, meses, clasificacion)
        seccion = {"nota": NOTA_MANCOMUNIDAD, "clasificacion": clasificacion,
                   "titulos": {x: dominio.TITULOS_DIMENSION[x] for x in dominio.dimensiones_de(clasificacion)},
                   **{x: tablas[x] for x in ("casos",) + dominio.dimensiones_de(clasificacion)}}
        return seccion, self.exactos(municipios, desde, hasta), self.visibles(municipios, meses)

    def notificaciones(self, municipios, desde, hasta, del_periodo):
        """Avisos al CIS de cada municipio: enviados, confirmados y fallidos protegidos; la mediana de minutos hasta
        el acuse (de `del_periodo`, lo que notificaciones dio para esas fechas) solo con los confirmados a la vista."""
        d, h = self.rango(desde, hasta)
        salida = {}
        for m in municipios:
            x = {s: self.avisos(s, m, d, h) for s in SERIES_AVISO}
            x["mediana_minutos_acuse"] = (None if x["confirmadas"] == OCULTO
                                          else (del_periodo.get(m) or {}).get("mediana_minutos_acuse"))
            salida[m] = x
        return salida


def _anios(meses):
    return sorted({int(m[:4]) for m in meses})


def anios_con_registros(casos_por_mes, avisos_por_mes):
    """Los años con algún caso o aviso: `casos_por_mes` filas de casos.agregados (con mes), `avisos_por_mes`
    {(estado, municipio, mes): n}."""
    return _anios([f["mes"] for f in casos_por_mes if f.get("mes") and f["dimension"] == "total" and f["casos"]]
                  + [t for (_, _, t), n in avisos_por_mes.items() if n])


def avisos_por_mes(notificaciones):
    """{(estado, municipio, mes): avisos} de lo que da notificaciones.agregados (con `por_mes`)."""
    salida = {}
    for m, x in (notificaciones or {}).items():
        for mes, c in (x.get("por_mes") or {}).items():
            confirmadas = c.get("confirmadas", 0)
            for estado, n in (("pendiente", c.get("enviadas", 0) - confirmadas), ("confirmada", confirmadas),
                              ("fallida", c.get("fallidas", 0))):
                if n > 0:
                    salida[(estado, m, mes)] = n
    return salida


def registros_por_mes(ayudas, capacitaciones):
    """{(municipio, mes)} con alguna entrega o actividad (en los demás, la completitud dice si hubo casos)."""
    salida = {(m, mes) for m, meses in ayudas.get("por_mes", {}).items() for mes, c in meses.items()
              if any(x.get("entregas") for x in c.values())}
    salida |= {(m, mes) for m, x in capacitaciones.get("por_municipio", {}).items()
               for mes, y in x.get("por_mes", {}).items() if y.get("actividades")}
    return salida


def publicar(municipios, casos_por_anio, registros, avisos, hoy):
    """La Publicacion de una mancomunidad desde los agregados de los servicios (sin red: se mide sola).

    - `casos_por_anio` {anio: filas de casos.agregados del 1 de enero al 31 de diciembre}, de cada año con casos.
    - `registros` {(municipio, "AAAA-MM")} con alguna entrega o actividad (registros_por_mes): en los demás meses
      la completitud dice si hubo casos o no, y la auditoría lo sabe. Los meses por venir también se saben.
    - `avisos` {(estado, municipio, "AAAA-MM"): avisos} (avisos_por_mes).
    """
    mes_actual = mes_de(hoy)
    municipios = sorted(municipios)
    casos = {}
    for anio, filas in casos_por_anio.items():
        conteos, categorias = {}, {d: {} for d in DIMENSIONES}
        for f in filas:
            if f["municipio"] not in municipios:
                continue
            if f["mes"] and f["dimension"] == "total":
                k = (None, f["municipio"], f["mes"])
                conteos[k] = conteos.get(k, 0) + f["casos"]
            elif not f["mes"] and f["dimension"] in categorias:
                k = (f["municipio"], f["valor"])
                categorias[f["dimension"]][k] = categorias[f["dimension"]].get(k, 0) + f["casos"]
        if not any(conteos.values()):
            continue
        revelados = frozenset((m, t) for m in municipios for t in meses_del_anio(anio)
                              if t > mes_actual or (m, t) not in registros)
        casos[anio] = AnioCasos(anio, municipios, conteos, revelados, categorias=categorias).proteger()
    por_anio = {}
    for (estado, m, t), n in avisos.items():
        if n and m in municipios:
            por_anio.setdefault(int(t[:4]), {})[(estado, m, t)] = n
    # Los meses por venir se saben vacíos («hasta hoy» es el año entero): ningún testigo pone avisos en ellos.
    avisos_ = {anio: AnioAvisos(anio, municipios, conteos, frozenset(
        (m, t) for m in municipios for t in meses_del_anio(anio) if t > mes_actual)).proteger()
        for anio, conteos in por_anio.items()}
    return Publicacion(municipios, casos, avisos_, mes_actual)


# --- el periodo que pide la mancomunidad ---

def validar_periodo(desde, hasta, hoy):
    """Meses completos: `desde` el primer día de un mes; `hasta` el último, o hoy o después (lo que falta del mes
    aún no existe). Un periodo por días dejaría restar un día de otro. La respuesta es 403 con el campo: la
    coordinadora sí pide esas fechas en el mismo informe; es el rol el que no puede (el documento OpenAPI no
    puede atar un patrón a un rol)."""
    if desde and desde.day != 1:
        raise _solo_meses("desde", "Para la mancomunidad los periodos van por meses completos: «desde» debe "
                                   f"ser el primer día de un mes (p. ej. {desde.replace(day=1).isoformat()}).")
    if hasta and hasta < hoy and hasta.day != calendar.monthrange(hasta.year, hasta.month)[1]:
        fin = hasta.replace(day=calendar.monthrange(hasta.year, hasta.month)[1])
        raise _solo_meses("hasta", "Para la mancomunidad los periodos van por meses completos: «hasta» debe "
                                   f"ser el último día de un mes (p. ej. {fin.isoformat()}) o la fecha de hoy.")


def _solo_meses(campo, mensaje):
    return Prohibido(mensaje, {campo: [mensaje]})
