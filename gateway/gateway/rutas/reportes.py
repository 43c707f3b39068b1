"""POA, textos e informe de actividades: los guarda y compone el servicio reportes; aquí se valida la
consulta, se llama y, para pdf y xlsx, se devuelve el archivo."""
import base64

from nameko.rpc import RpcProxy
from werkzeug.wrappers import Response

from omm_common.esquemas import cargar
from reportes.contrato import FiltroInforme, FiltroPoa, PoaEntrada, PoaSalida, TextosInforme

from ..http import TIEMPO_RPC, ruta

OFICINA = ("coordinadora", "tecnica")


class RutasReportes:
    reportes = RpcProxy("reportes", expiration=TIEMPO_RPC)

    @ruta("GET", "/api/v1/poa/<anio>", "Plan operativo anual del municipio, con su avance calculado de lo registrado",
          OFICINA + ("mancomunidad",), consulta=FiltroPoa, respuesta=PoaSalida, etiqueta="reportes")
    def obtener_poa(self, p, anio):
        cargar(FiltroPoa(), p.consulta)
        return 200, self.llamar("reportes", "obtener_poa", anio, p.consulta.get("municipio"))

    @ruta("PUT", "/api/v1/poa/<anio>", "Fija las metas del POA del año (reemplaza el plan entero)", ("coordinadora",),
          cuerpo=PoaEntrada, respuesta=PoaSalida, etiqueta="reportes")
    def fijar_poa(self, p, anio):
        return 200, self.llamar("reportes", "fijar_poa", anio, p.cuerpo)

    @ruta("GET", "/api/v1/reportes/textos", "Presentación, objetivos y desafíos que la oficina escribe para su informe",
          ("coordinadora",), respuesta=TextosInforme, etiqueta="reportes")
    def obtener_textos(self, p):
        return 200, self.llamar("reportes", "obtener_textos")

    @ruta("PUT", "/api/v1/reportes/textos", "Escribe los textos propios del informe (los ausentes vuelven al texto "
          "de siempre)", ("coordinadora",), cuerpo=TextosInforme, respuesta=TextosInforme, etiqueta="reportes")
    def fijar_textos(self, p):
        return 200, self.llamar("reportes", "fijar_textos", p.cuerpo)

    @ruta("GET", "/api/v1/reportes/informe", "Informe de actividades del periodo (json, pdf o xlsx)",
          ("coordinadora", "mancomunidad"), consulta=FiltroInforme, etiqueta="reportes",
          otros_estados={200: "El informe (JSON, o el archivo PDF o .xlsx según «formato»)"})
    def informe(self, p):
        f = cargar(FiltroInforme(), p.consulta)
        c = p.consulta
        resultado = self.llamar("reportes", "informe", c.get("desde"), c.get("hasta"), f["formato"], c.get("municipio"))
        if f["formato"] == "json":
            return 200, resultado
        # reportes manda el archivo en base64 (RPC es JSON); aquí vuelve a bytes.
        return Response(base64.b64decode(resultado["contenido_base64"]), mimetype=resultado["tipo"], headers={
            "Content-Disposition": f'attachment; filename="{resultado["nombre_archivo"]}"'})
