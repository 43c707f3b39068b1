"""Cifras de la mancomunidad: solo agregados de sus municipios, con las celdas de casos < 5 suprimidas."""
import sqlalchemy as sa
from marshmallow import fields

from omm_common.contexto import token_de_servicio
from omm_common.esquemas import Esquema, cargar

from .. import informe
from ..http import ruta
from ..models import Municipio
from ..supresion import tablas_de_casos


class FiltroRegion(Esquema):
    desde = fields.Date()
    hasta = fields.Date()


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
        casos, ayudas, capacitaciones, notificaciones = self.en_paralelo(
            (s, "agregados", desde, hasta, municipios) for s in ("casos", "ayudas", "capacitaciones", "notificaciones"))
        return 200, cifras_de_region(p.yo.mancomunidad, municipios, desde, hasta, casos, ayudas, capacitaciones,
                                     notificaciones)


def cifras_de_region(mancomunidad, municipios, desde, hasta, casos, ayudas, capacitaciones, notificaciones):
    """La respuesta de /region/estadisticas desde los agregados de cada servicio (sin red: se mide sola)."""
    entregas = {m: ayudas["por_municipio"].get(m, {}) for m in municipios}
    totales_ayudas = {m: {k: x[k] for k in ("entregas", "monto", "personas")} for m, x in ayudas["totales"].items()}
    por_mes = {m: ayudas["por_mes"].get(m, {}) for m in municipios}
    region = informe.ayudas_por_categoria(ayudas)
    ultima = {}
    for m in municipios:
        fechas = [x for x in (ayudas["ultima_fecha"].get(m),
                              capacitaciones["por_municipio"].get(m, {}).get("ultima_fecha")) if x]
        ultima[m] = max(fechas) if fechas else None
    return {
        "mancomunidad": mancomunidad, "municipios": municipios, "desde": desde, "hasta": hasta,
        "casos": tablas_de_casos(casos, municipios),
        "ayudas": {"por_municipio": entregas, "totales": totales_ayudas, "por_mes": por_mes,
                   "region": {"por_categoria": region["por_categoria"], "total": region["total"]}},
        "capacitaciones": {"por_municipio": capacitaciones["por_municipio"], "total": capacitaciones["total"]},
        "notificaciones_cis": notificaciones,
        "completitud": {"ultima_actividad": ultima,
                        "sin_registros": [m for m in municipios if ultima[m] is None]},
    }
