"""Resúmenes por municipio y mes: las cifras de un país y una década sin recorrer millones de filas.

Toda escritura que cambia una cifra marca su (municipio, mes) en `resumen_pendiente`, en su misma
transacción. Antes de leer, quien pide agregados rehace desde las filas lo marcado de esos municipios
(con la misma consulta que cuenta lo vivo): lo leído es siempre exacto, sin depender de un horario. Un
temporizador de cada servicio hace lo mismo en segundo plano, para que la lectura casi nunca espere.

Un mes sale del resumen solo si está entero en el periodo y ya terminó; los bordes y el mes en curso se
cuentan vivos (pocas filas). Personas o actividades distintas en un periodo no se suman de los meses:
`resumen_tramos` guarda por clave y grupo su primera y última fecha. Si alguna de las dos cae en el
periodo, cuenta; si el periodo queda fuera del tramo, no; solo cuando el periodo cae entre las dos se
pregunta a las filas, con un EXISTS por índice.
"""
import argparse
import importlib
import os
import time
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .db import crear_motor, es_postgres, unidad_de_trabajo
from .tablas import resumen_pendiente as pendientes
from .tablas import resumen_tramos as tramos

INTERVALO = 30  # segundos entre pasadas del temporizador de cada servicio


def mes_de(fecha):
    return fecha.replace(day=1)


def fin_de_mes(fecha):
    return (fecha.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def marcar(sesion, municipio, fechas):
    """En la transacción de la escritura: el mes de cada fecha queda por rehacer en el municipio."""
    meses = sorted({mes_de(f) for f in fechas if f})
    if meses:
        insertar = postgresql.insert if es_postgres(sesion) else sqlite.insert
        sesion.execute(insertar(pendientes).on_conflict_do_nothing(),
                       [{"municipio": municipio, "mes": m} for m in meses])


def marcar_todo(sesion, tabla, columna_fecha):
    """Marca cada (municipio, mes) con filas en `tabla`: tras una migración o una carga masiva."""
    mes = "date_trunc('month', {c})::date" if es_postgres(sesion) else "strftime('%Y-%m-01', {c})"
    sesion.execute(sa.text(
        f"INSERT INTO resumen_pendiente (municipio, mes) SELECT DISTINCT municipio, {mes.format(c=columna_fecha)} "
        f"FROM {tabla} WHERE {columna_fecha} IS NOT NULL ON CONFLICT DO NOTHING"))


def partir(desde, hasta, hoy):
    """((primer_mes|None, último_mes) del resumen o None, [(desde, hasta)] que se cuentan vivos)."""
    inicio = desde if desde is None or desde.day == 1 else fin_de_mes(desde) + timedelta(days=1)
    fin = mes_de(hoy) - timedelta(days=1)
    if hasta is not None and hasta < fin:
        fin = hasta if hasta == fin_de_mes(hasta) else mes_de(hasta) - timedelta(days=1)
    if inicio is not None and inicio > fin:
        return None, [(desde, hasta)]
    vivos = []
    if desde is not None and desde < inicio:
        vivos.append((desde, inicio - timedelta(days=1)))
    if hasta is None or hasta > fin:
        vivos.append((fin + timedelta(days=1), hasta))
    return (inicio, mes_de(fin)), vivos


def al_dia(sesion, reconstruir, municipios=None, esperar=True):
    """Rehace lo marcado (de `municipios`, o todo) y borra sus marcas, en la transacción de `sesion`.

    `reconstruir(sesion, municipio, desde, hasta)` rehace los meses de ese rango y los tramos del
    municipio. Con `esperar`, una marca que otro está rehaciendo se espera (la lectura queda exacta);
    sin él (el temporizador) se salta.
    """
    q = sa.select(pendientes.c.municipio, pendientes.c.mes).order_by(pendientes.c.municipio, pendientes.c.mes)
    if municipios is not None:
        q = q.where(pendientes.c.municipio.in_(list(municipios)))
    if es_postgres(sesion):
        q = q.with_for_update(skip_locked=not esperar)
    meses = defaultdict(list)
    for municipio, mes in sesion.execute(q).all():
        meses[municipio].append(mes)
    for municipio, lista in meses.items():
        reconstruir(sesion, municipio, min(lista), fin_de_mes(max(lista)))
        sesion.execute(pendientes.delete().where(pendientes.c.municipio == municipio, pendientes.c.mes.in_(lista)))
    return sum(len(v) for v in meses.values())


def poner_al_dia(fabrica_uow, reconstruir, municipios=None, esperar=True):
    """al_dia en su propia unidad de trabajo: lo que se lea después ya ve lo rehecho."""
    with fabrica_uow() as uow:
        return al_dia(uow.sesion, reconstruir, municipios, esperar)


def reemplazar_celdas(sesion, tabla, municipio, desde, hasta, celdas):
    """Borra las celdas de `tabla` del municipio en [desde, hasta] y guarda las nuevas (dicts)."""
    borrar = tabla.delete()
    if municipio is not None:
        borrar = borrar.where(tabla.c.municipio == municipio)
    if desde is not None:
        borrar = borrar.where(tabla.c.mes >= desde)
    if hasta is not None:
        borrar = borrar.where(tabla.c.mes <= hasta)
    sesion.execute(borrar)
    celdas = list(celdas)
    for i in range(0, len(celdas), 5000):
        sesion.execute(tabla.insert(), celdas[i:i + 5000])


def rehacer_tramos(sesion, clase, consulta, municipio=None):
    """Los tramos de `clase` del municipio (o de todos) desde `consulta`: select de (municipio, grupo,
    clave, primera, ultima) de las filas, ya filtrado por municipio si se da uno."""
    borrar = tramos.delete().where(tramos.c.clase == clase)
    if municipio is not None:
        borrar = borrar.where(tramos.c.municipio == municipio)
    sesion.execute(borrar)
    c = consulta.subquery()
    sesion.execute(tramos.insert().from_select(
        ["municipio", "clase", "grupo", "clave", "primera", "ultima"],
        sa.select(c.c[0], sa.literal(clase), c.c[1], c.c[2], c.c[3], c.c[4])))


def contar_en_periodo(sesion, clase, municipios, desde, hasta, hay_fila):
    """{(municipio, grupo): claves distintas con alguna fecha en [desde, hasta]}.

    `hay_fila(tramo, desde, hasta)`: EXISTS correlacionado con las columnas de `resumen_tramos`, para
    el único caso dudoso (el periodo cae entre la primera y la última fecha).
    """
    t = tramos.c
    condiciones = [t.clase == clase] + ([t.municipio.in_(list(municipios))] if municipios is not None else [])
    if hasta is not None:
        condiciones.append(t.primera <= hasta)
    if desde is not None:
        condiciones.append(t.ultima >= desde)
    if desde is not None and hasta is not None:
        condiciones.append(sa.or_(t.primera >= desde, t.ultima <= hasta, hay_fila(t, desde, hasta)))
    q = sa.select(t.municipio, t.grupo, sa.func.count()).where(*condiciones).group_by(t.municipio, t.grupo)
    return {(m, g): n for m, g, n in sesion.execute(q).all()}


def main(argv=None):
    p = argparse.ArgumentParser(description="Rehace los resúmenes de la región de cada servicio")
    p.add_argument("servicios", nargs="+", help="casos, ayudas, capacitaciones")
    p.add_argument("--todo", action="store_true", help="marca cada mes con filas (tras una carga masiva)")
    a = p.parse_args(argv)
    for servicio in a.servicios:
        op = importlib.import_module(f"{servicio}.operaciones")
        motor = crear_motor(os.environ[f"{servicio.upper()}_DB_URL"])
        t0 = time.perf_counter()
        with unidad_de_trabajo(motor) as uow:
            if a.todo:
                op.marcar_resumen_completo(uow)
            n = al_dia(uow.sesion, op.reconstruir_resumen)
        motor.dispose()
        print(f"{servicio}: {n} meses rehechos en {time.perf_counter() - t0:.1f} s", flush=True)
