"""La atacante de las cifras de la región: con todo lo que juntó, ¿qué cifra pequeña queda fijada?

Un modelo de programación lineal entera (HiGHS). Incógnitas: los conteos verdaderos de cada municipio por mes
(casos con consentimiento; avisos al CIS por estado) y, por año, por categoría de cada clasificación.
Ecuaciones: cada cifra publicada que juntó (una «<5» no dice nada: puede ser pequeña u oculta por otra), más lo
que se sabe sin preguntar: que no hay conteos negativos, que cada caso tiene un solo GBVIMS, un riesgo y un
contexto y de uno a cinco tipos, las reglas de casos entre tipos y GBVIMS (casos.dominio.validar_gbvims en
conteos), lo que dice la completitud de cada mes (sin registros: cero; con algo y sin entregas ni actividades:
al menos uno) y que los meses por venir están vacíos. Para cada celda verdadera de 1 a 4 busca el menor y el
mayor valor compatibles con todo eso: si coinciden, la celda quedó despejada.

No sabe cómo se protegieron las cifras: solo las lee, como quien ataca.
"""
from itertools import count

import highspy
import numpy as np

REGION = "*"
TOTAL = "*"
MULTIPLE = "tipo_violencia"
SEXUALES = ("violacion", "agresion_sexual")
ESTADOS = {"pendiente": ("enviadas",), "confirmada": ("enviadas", "confirmadas"), "fallida": ("fallidas",)}
INF = highspy.kHighsInf


def meses_de(periodo):
    if len(periodo) == 4:
        return [f"{periodo}-{m:02d}" for m in range(1, 13)]
    if "-T" in periodo:
        a, t = periodo.split("-T")
        return [f"{a}-{m:02d}" for m in range(3 * int(t) - 2, 3 * int(t) + 1)]
    return [periodo]


class Atacante:
    def __init__(self, municipios, anios, categorias):
        """`categorias` {dimension: [categorías]}; las de un solo valor por caso son todas menos MULTIPLE."""
        self.municipios, self.anios, self.categorias = list(municipios), list(anios), categorias
        self.meses = [t for a in self.anios for t in meses_de(str(a))]
        self._n = count()
        self.x = {(m, t): next(self._n) for m in self.municipios for t in self.meses}
        self.y = {(d, m, c, a): next(self._n) for d, cs in categorias.items() for m in self.municipios for c in cs
                  for a in self.anios}
        self.av = {(e, m, t): next(self._n) for e in ESTADOS for m in self.municipios for t in self.meses}
        self.filas = []  # (expr, menor, mayor)
        self._vistas = set()
        self.publicadas = 0
        for a in self.anios:
            for m in self.municipios:
                casos = self.casos(m, meses_de(str(a)))
                for d, cs in categorias.items():
                    fila = self._suma(*[self.cat(d, m, c, [a]) for c in cs])
                    if d == MULTIPLE:
                        self._cota(self._resta(fila, casos), 0, INF)  # cada caso tiene al menos un tipo
                        self._cota(self._resta(self._por(casos, 5), fila), 0, INF)  # y a lo sumo cinco
                        for c in cs:
                            self._cota(self._resta(casos, self.cat(d, m, c, [a])), 0, INF)
                    else:
                        self._cota(self._resta(fila, casos), 0, 0)
                self._reglas_gbvims(m, a)

    # -- expresiones lineales {variable: coeficiente} --

    @staticmethod
    def _suma(*exprs):
        total = {}
        for e in exprs:
            for k, v in e.items():
                total[k] = total.get(k, 0) + v
        return total

    @staticmethod
    def _por(e, f):
        return {k: v * f for k, v in e.items()}

    def _resta(self, a, b):
        return self._suma(a, self._por(b, -1))

    def casos(self, m, meses):
        filas = self.municipios if m == REGION else [m]
        return {self.x[(x, t)]: 1 for x in filas for t in meses}

    def cat(self, d, m, c, anios):
        filas = self.municipios if m == REGION else [m]
        if c == TOTAL:
            if d != MULTIPLE:
                return self.casos(m, [t for a in anios for t in meses_de(str(a))])
            return {self.y[(d, x, c2, a)]: 1 for x in filas for c2 in self.categorias[d] for a in anios}
        return {self.y[(d, x, c, a)]: 1 for x in filas for a in anios}

    def avisos(self, serie, m, meses):
        filas = self.municipios if m == REGION else [m]
        return {self.av[(e, x, t)]: 1 for e, ss in ESTADOS.items() if serie in ss for x in filas for t in meses}

    def _reglas_gbvims(self, m, a):
        cats = {d: set(cs) for d, cs in self.categorias.items()}
        if "gbvims" not in cats or MULTIPLE not in cats:
            return

        def g(*nombres):
            return self._suma(*[self.cat("gbvims", m, x, [a]) for x in nombres if x in cats["gbvims"]])
        sexual, fisica = self.cat(MULTIPLE, m, "sexual", [a]), self.cat(MULTIPLE, m, "fisica", [a])
        s, sc, af = g(*SEXUALES), g("sin_clasificar"), g("agresion_fisica")
        self._cota(self._resta(sexual, s), 0, INF)
        self._cota(self._resta(self._suma(s, sc), sexual), 0, INF)
        self._cota(self._resta(fisica, af), 0, INF)
        self._cota(self._resta(self._suma(af, s, sc), fisica), 0, INF)

    # -- lo que junta --

    def _cota(self, expr, menor, mayor):
        clave = (frozenset(expr.items()), menor, mayor)
        if clave not in self._vistas:  # la misma cifra leída de muchos pedidos es una sola ecuación
            self._vistas.add(clave)
            self.filas.append((expr, menor, mayor))

    def publicado(self, expr, valor):
        """Una cifra leída: un número fija su expresión; «<5» no dice nada."""
        if isinstance(valor, (int, float)) and not isinstance(valor, bool):
            self._cota(expr, valor, valor)
            self.publicadas += 1

    def sin_registros(self, m, mes, vacio, entregas, actividades):
        """La completitud de un mes: vacío es cero casos; con algo y sin entregas ni actividades, hubo casos."""
        if vacio:
            self._cota(self.casos(m, [mes]), 0, 0)
        elif not entregas and not actividades:
            self._cota(self.casos(m, [mes]), 1, INF)

    def por_venir(self, mes_actual):
        """Los meses después de `mes_actual` no tienen casos ni avisos."""
        for m in self.municipios:
            for t in self.meses:
                if t > mes_actual:
                    self._cota(self.casos(m, [t]), 0, 0)
                    self._cota({self.av[(e, m, t)]: 1 for e in ESTADOS}, 0, 0)

    # -- el ataque --

    def _modelo(self):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        n = next(self._n)
        self._n = count(n)  # no crear más variables
        h.addVars(n, np.zeros(n), np.full(n, INF))
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n))
        for expr, menor, mayor in self.filas:
            if expr:
                idx = np.array(list(expr), dtype=np.int32)
                h.addRow(menor, mayor, len(idx), idx, np.array([float(expr[i]) for i in idx]))
        h.run()
        estado = h.getModelStatus()
        assert estado == highspy.HighsModelStatus.kOptimal, (
            f"lo publicado no es compatible con el registro verdadero: {h.modelStatusToString(estado)}")
        return h, n

    def rango(self, h, n, expr):
        """(mínimo, máximo) de `expr` con todo lo que se sabe."""
        salida = []
        for sentido in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
            idx = np.array(list(expr), dtype=np.int32)
            h.changeColsCost(len(idx), idx, np.array([float(expr[i]) for i in idx]))
            h.changeObjectiveSense(sentido)
            h.run()
            estado = h.getModelStatus()
            if estado in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
                salida.append(INF)  # el modelo es factible (se comprobó al armarlo): sin cota
                continue
            assert estado == highspy.HighsModelStatus.kOptimal, h.modelStatusToString(estado)
            salida.append(round(h.getInfo().objective_function_value))
        return tuple(salida)

    def _factible(self, h, expr, menor, mayor):
        """¿Hay un registro entero compatible con todo lo sabido en el que `expr` cae en [menor, mayor]?"""
        idx = np.array(list(expr), dtype=np.int32)
        h.addRow(menor, mayor, len(idx), idx, np.array([float(expr[i]) for i in idx]))
        h.run()
        estado = h.getModelStatus()
        h.deleteRows(1, np.array([h.getNumRow() - 1], dtype=np.int32))
        return estado == highspy.HighsModelStatus.kOptimal

    def despejadas(self, verdad):
        """Las celdas de `verdad` {nombre: (expr, valor verdadero)} con valor de 1 a 4 que quedan fijadas: ningún
        registro compatible con lo sabido les da otro valor (uno menor o uno mayor)."""
        h, n = self._modelo()
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
        fijadas = {}
        for nombre, (expr, valor) in verdad.items():
            if 1 <= valor <= 4 and expr:
                if not (self._factible(h, expr, -INF, valor - 1) or self._factible(h, expr, valor + 1, INF)):
                    fijadas[nombre] = valor
        return fijadas
