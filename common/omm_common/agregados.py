"""Cifras de la región contadas en la base: a Python llega una fila por celda, nunca una por registro.

Con millones de entregas, casos o sesiones, traerlas a Python para contarlas no escala. Aquí queda lo
que cambia entre PostgreSQL y SQLite (el mes de una fecha, GROUPING SETS); las consultas de cada
servicio son las mismas en las dos bases.
"""
from datetime import date
from functools import lru_cache

import sqlalchemy as sa

from .db import es_postgres


def mes(sesion, fecha):
    """Expresión agrupable del mes de una columna de fecha; texto_mes() la vuelve "AAAA-MM" y
    fecha_mes() el día 1 de ese mes."""
    if es_postgres(sesion):
        # date_trunc de un timestamp sin zona: agrupa y ordena como número, no como texto.
        return sa.func.date_trunc(sa.literal_column("'month'"), sa.cast(fecha, sa.DateTime))
    return sa.func.strftime(sa.literal_column("'%Y-%m-01'"), fecha)


def distintos(sesion, columna):
    """COUNT(DISTINCT columna); en PostgreSQL compara bytes (COLLATE "C"): la misma igualdad, ordena más rápido."""
    return sa.func.count(sa.distinct(columna.collate("C") if es_postgres(sesion) else columna))


@lru_cache(maxsize=4096)  # una celda por fila, pero pocos meses distintos
def texto_mes(valor):
    if valor is None:
        return None
    return valor[:7] if isinstance(valor, str) else valor.strftime("%Y-%m")


@lru_cache(maxsize=4096)
def fecha_mes(valor):
    if valor is None or type(valor) is date:
        return valor
    if isinstance(valor, str):
        return date.fromisoformat(valor[:7] + "-01")
    return valor.date()  # datetime de date_trunc


def por_niveles(sesion, consulta, claves, niveles):
    """Las métricas de `consulta` agrupadas en cada nivel: [(nivel, (claves..., métricas...))].

    `consulta`: un select de solo las métricas, con su FROM y su WHERE; `claves`: {nombre: expresión};
    `niveles`: tuplas de nombres de `claves` (las que no están en el nivel vuelven None). PostgreSQL
    lee una sola vez con GROUPING SETS; SQLite no los tiene: una consulta por nivel. Las filas van por
    Core, sin el ORM: pueden ser cientos de miles.
    """
    nombres, expresiones = list(claves), list(claves.values())
    metricas = list(consulta.selected_columns)
    conexion = sesion.connection()
    if not es_postgres(sesion):
        for nivel in niveles:
            q = consulta.with_only_columns(*[claves[n] if n in nivel else sa.null() for n in nombres], *metricas)
            for fila in conexion.execute(q.group_by(*[claves[n] for n in nivel])).all():
                yield nivel, tuple(fila)
        return
    # Solo en esta transacción: compilar con JIT tarda más de lo que ahorra en estas consultas, y con el
    # work_mem por omisión (4 MB) las agregaciones de un país entero van a disco.
    conexion.exec_driver_sql("SET LOCAL jit = off")
    conexion.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    # GROUPING(a, b, c) marca con un bit cada clave que el nivel no agrupa: así se sabe de qué nivel es
    # cada fila aunque una clave agrupada valga NULL.
    nivel_de = {sum(1 << (len(nombres) - 1 - j) for j, n in enumerate(nombres) if n not in nivel): nivel
                for nivel in niveles}
    grupos = sa.func.grouping_sets(*[sa.tuple_(*[claves[n] for n in nivel]) for nivel in niveles])
    q = consulta.with_only_columns(*expresiones, *metricas, sa.func.grouping(*expresiones)).group_by(grupos)
    for fila in conexion.execute(q).all():
        yield nivel_de[fila[-1]], tuple(fila[:-1])
