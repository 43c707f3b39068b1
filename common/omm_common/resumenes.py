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

Todo eso está aquí una sola vez: cada servicio describe solo lo suyo en un `Resumen` (qué filas, qué
celdas, qué tabla de resumen, qué respuesta) y su clase nameko hereda `ConResumen`, que da la RPC
`agregados` y el temporizador.
"""
import argparse
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib.metadata import entry_points
from typing import Callable

import sqlalchemy as sa
from marshmallow import fields, validate
from nameko.timer import timer
from sqlalchemy.dialects import postgresql, sqlite

from .contexto import ROL_SERVICIO
from .db import crear_motor, es_postgres, unidad_de_trabajo
from .errores import error_de_campo
from .esquemas import Esquema, cargar
from .rpc import rpc
from .tablas import resumen_pendiente as pendientes
from .tablas import resumen_tramos as tramos
from .tiempo import hoy_honduras

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


class _Filtro(Esquema):
    desde = fields.Date(allow_none=True)
    hasta = fields.Date(allow_none=True)
    municipios = fields.List(fields.String(validate=validate.Length(equal=4)), required=True)


def filtro(desde, hasta, municipios):
    """La única validación de lo que se pide: [] es válido (ninguna cifra); sin lista no se sabe qué
    contar, y nunca se toma por «todos»."""
    if municipios is None:
        raise error_de_campo("municipios", "Indique los municipios de la consulta: una lista, vacía si no hay ninguno.")
    return cargar(_Filtro(), {"desde": desde, "hasta": hasta, "municipios": municipios})


@dataclass(frozen=True)
class Lectura:
    """Lo que cada servicio compone en su respuesta, sin consultar la base."""
    desde: date | None  # el periodo contado
    hasta: date | None
    pedido: dict  # desde, hasta y municipios como se pidieron, ya validados
    cerrado: object = None  # lo que `leer_resumen` leyó de los meses cerrados; None: ninguno
    vivas: list = field(default_factory=list)  # celdas de las filas: bordes y mes en curso
    distintas: dict = field(default_factory=dict)  # {clase: {(municipio, grupo): n}} de los tramos


@dataclass(frozen=True)
class Resumen:
    """El resumen de un servicio: solo lo suyo; validar, poner al día, partir el periodo, contar lo
    distinto y responder vacío es igual para los tres y está aquí.

    - tabla: la del resumen (con `municipio` y `mes`); filas y fecha: la tabla y la columna que lo
      alimentan (para marcar cada mes tras una carga masiva).
    - celdas(s, municipios, desde, hasta): dicts con las columnas de `tabla`, contados en la base desde
      las filas (municipios None: todos). Rehacen el resumen y, si no hay `vivas`, dan lo vivo.
    - leer_resumen(s, rango): lo de los meses cerrados, de `tabla` con las condiciones `rango`.
    - responder(lectura): la respuesta del servicio.
    - tramos: {clase: (consulta(municipio), hay_fila(tramo, desde, hasta))}, ver rehacer_tramos y
      contar_en_periodo.
    - vivas(s, municipios, desde, hasta, hoy): las celdas de lo vivo, si no son las de `celdas`.
    - hasta_hoy: el periodo termina hoy (una sesión programada aún no se realizó).
    """
    tabla: sa.Table
    filas: str
    fecha: str
    celdas: Callable
    leer_resumen: Callable
    responder: Callable
    tramos: dict = field(default_factory=dict)
    vivas: Callable | None = None
    hasta_hoy: bool = False

    def reconstruir(self, sesion, municipio, desde, hasta):
        """Los meses [desde, hasta] y los tramos del municipio (o de todos), de las filas."""
        reemplazar_celdas(sesion, self.tabla, municipio, desde, hasta,
                          self.celdas(sesion, None if municipio is None else [municipio], desde, hasta))
        for clase, (consulta, _) in self.tramos.items():
            rehacer_tramos(sesion, clase, consulta(municipio), municipio)

    def rehacer(self, sesion, todo=False):
        """al_dia de todo lo marcado; con `todo`, antes marca cada mes con filas (tras una carga masiva)."""
        if todo:
            marcar_todo(sesion, self.filas, self.fecha)
        return al_dia(sesion, self.reconstruir)

    def poner_al_dia(self, fabrica_uow, municipios=None, esperar=True):
        return poner_al_dia(fabrica_uow, self.reconstruir, municipios, esperar)

    def agregados(self, fabrica_uow, desde, hasta, municipios, hoy=None):
        """La RPC `agregados`: pone al día lo marcado de esos municipios y lee (municipios [] responde
        vacío, sin tocar la base). Fechas AAAA-MM-DD; `hoy` solo para las pruebas."""
        pedido = filtro(desde, hasta, municipios)
        hoy = hoy or hoy_honduras()
        desde, hasta = pedido["desde"], pedido["hasta"]
        if self.hasta_hoy:
            hasta = min(hasta or hoy, hoy)
        if not pedido["municipios"]:
            return self.responder(Lectura(desde, hasta, pedido, distintas={c: {} for c in self.tramos}))
        self.poner_al_dia(fabrica_uow, pedido["municipios"])
        with fabrica_uow() as uow:
            return self.responder(self._leer(uow.sesion, desde, hasta, pedido, hoy))

    def _leer(self, s, desde, hasta, pedido, hoy):
        """Los meses cerrados del resumen; los bordes y el mes en curso de las filas; lo distinto de los tramos."""
        municipios = pedido["municipios"]
        resumen, vivos = partir(desde, hasta, hoy)
        cerrado = None
        if resumen:
            t = self.tabla.c
            rango = [t.municipio.in_(municipios), t.mes <= resumen[1]] + ([t.mes >= resumen[0]] if resumen[0] else [])
            cerrado = self.leer_resumen(s, rango)
        vivas = [c for d, h in vivos for c in (
            self.vivas(s, municipios, d, h, hoy) if self.vivas else self.celdas(s, municipios, d, h))]
        distintas = {clase: contar_en_periodo(s, clase, municipios, desde, hasta, hay)
                     for clase, (_, hay) in self.tramos.items()}
        return Lectura(desde, hasta, pedido, cerrado, vivas, distintas)


class ConResumen:
    """Mezcla de la clase nameko de casos, ayudas y capacitaciones (necesita `uow`, `llamante` y
    `resumen`): la RPC de la región y el temporizador que adelanta lo marcado."""

    @rpc
    def agregados(self, desde=None, hasta=None, municipios=None):
        # Solo por servicio: quien llama (reportes) ya decidió qué municipios puede ver la mancomunidad.
        self.llamante.exigir(ROL_SERVICIO)
        return self.resumen.agregados(self.uow, desde, hasta, municipios)

    @timer(interval=INTERVALO)
    def resumir(self):
        self.resumen.poner_al_dia(self.uow, esperar=False)


def main(argv=None):
    p = argparse.ArgumentParser(description="Rehace los resúmenes de la región de cada servicio")
    p.add_argument("servicios", nargs="+", help="casos, ayudas, capacitaciones")
    p.add_argument("--todo", action="store_true", help="marca cada mes con filas (tras una carga masiva)")
    a = p.parse_args(argv)
    # Cada servicio declara su Resumen como punto de entrada («omm.resumenes» en su pyproject.toml):
    # omm_common no importa ningún servicio.
    declarados = {e.name: e for e in entry_points(group="omm.resumenes")}
    for servicio in a.servicios:
        if servicio not in declarados:
            p.error(f"{servicio} no declara resúmenes (hay: {', '.join(sorted(declarados)) or 'ninguno'})")
    for servicio in a.servicios:
        resumen = declarados[servicio].load()
        motor = crear_motor(os.environ[f"{servicio.upper()}_DB_URL"])
        t0 = time.perf_counter()
        with unidad_de_trabajo(motor) as uow:
            n = resumen.rehacer(uow.sesion, a.todo)
        motor.dispose()
        print(f"{servicio}: {n} meses rehechos en {time.perf_counter() - t0:.1f} s", flush=True)
