"""Cifras de la mancomunidad: las compone el servicio reportes (solo sus municipios; los casos de una tabla fija
por mes, trimestre y año con supresión complementaria, ver reportes.proteccion); aquí se valida la consulta y se
pasa. Reportes responde 400 a un periodo que no es de meses completos."""
from nameko.rpc import RpcProxy
from werkzeug.wrappers import Response

from omm_common.esquemas import cargar
from reportes.contrato import FiltroRegion, RegionSalida

from ..http import TIEMPO_RPC, ruta


class RutasRegion:
    reportes = RpcProxy("reportes", expiration=TIEMPO_RPC)

    @ruta("GET", "/api/v1/region/estadisticas", "Cifras agregadas de los municipios de la mancomunidad, con lo "
          "registrado por municipio y mes (completitud.por_mes); ?clasificacion=gbvims da los tipos del GBVIMS. "
          "Periodos de meses completos; los casos menores que 5, y los que una resta despejaría, salen «<5»",
          ("mancomunidad",), consulta=FiltroRegion, respuesta=RegionSalida, etiqueta="region")
    def estadisticas_region(self, p):
        f = cargar(FiltroRegion(), p.consulta)
        # Ya viene en JSON: pasa tal cual, sin decodificar y volver a codificar megabytes.
        return Response(self.llamar("reportes", "region_json", p.consulta.get("desde"), p.consulta.get("hasta"),
                                    f["clasificacion"]), status=200, mimetype="application/json")
