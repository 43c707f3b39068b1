"""Cifras de la mancomunidad: solo agregados de sus municipios, con las celdas de casos < 5 suprimidas."""
import eventlet
import sqlalchemy as sa
from marshmallow import fields

from omm_common.contexto import token_de_servicio
from omm_common.esquemas import Esquema, cargar

from ..http import ruta
from ..models import Municipio
from ..supresion import suprimir

DIMENSIONES_CASOS = ("tipo_violencia", "nivel_riesgo", "contexto")


class FiltroRegion(Esquema):
    desde = fields.Date()
    hasta = fields.Date()


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


class RutasRegion:
    def _municipios_de(self, mancomunidad):
        with self.uow() as uow:
            return list(uow.sesion.scalars(sa.select(Municipio.codigo).where(
                Municipio.mancomunidad == mancomunidad).order_by(Municipio.codigo)).all())

    @ruta("GET", "/api/v1/region/estadisticas", "Cifras agregadas de los municipios de la mancomunidad",
          ("mancomunidad",), consulta=FiltroRegion, etiqueta="region")
    def estadisticas_region(self, p):
        f = cargar(FiltroRegion(), p.consulta)
        municipios = self._municipios_de(p.yo.mancomunidad)
        desde = f["desde"].isoformat() if f.get("desde") else None
        hasta = f["hasta"].isoformat() if f.get("hasta") else None
        # Los servicios dan agregados solo a otro servicio: la lista de municipios la decide el gateway.
        self.propagar_identidad(token_de_servicio("gateway"))
        pila = eventlet.GreenPile()
        for servicio in ("casos", "ayudas", "capacitaciones", "notificaciones"):
            pila.spawn(self.llamar, servicio, "agregados", desde, hasta, municipios)
        casos, ayudas, capacitaciones, notificaciones = list(pila)
        entregas = {m: {} for m in municipios}
        for fila in ayudas["filas"]:
            if fila["categoria"] and fila["mes"] is None:
                entregas[fila["municipio"]][fila["categoria"]] = {
                    k: fila[k] for k in ("entregas", "unidades", "monto", "personas")}
        totales_ayudas = {fila["municipio"]: {k: fila[k] for k in ("entregas", "monto", "personas")}
                          for fila in ayudas["filas"] if fila["categoria"] is None}
        ultima = {}
        for m in municipios:
            fechas = [x for x in (ayudas["ultima_fecha"].get(m),
                                  capacitaciones["por_municipio"].get(m, {}).get("ultima_fecha")) if x]
            ultima[m] = max(fechas) if fechas else None
        return 200, {
            "mancomunidad": p.yo.mancomunidad, "municipios": municipios, "desde": desde, "hasta": hasta,
            "casos": tablas_de_casos(casos, municipios),
            "ayudas": {"por_municipio": entregas, "totales": totales_ayudas},
            "capacitaciones": {"por_municipio": capacitaciones["por_municipio"], "total": capacitaciones["total"]},
            "notificaciones_cis": notificaciones,
            "completitud": {"ultima_actividad": ultima,
                            "sin_registros": [m for m in municipios if ultima[m] is None]},
        }
