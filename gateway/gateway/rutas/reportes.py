"""POA, textos e informe de actividades: los guarda y compone el servicio reportes; aquí se valida la
consulta, se llama y, para pdf y xlsx, se devuelve el archivo."""
import base64

from nameko.rpc import RpcProxy

from omm_common.errores import error_de_campo
from omm_common.esquemas import cargar
from reportes.contrato import (
    FiltroInforme, FiltroPoa, FiltroTextos, InformeSalida, LogoSalida, PoaEntrada, PoaSalida, TextosInforme, TextosSalida,
)

from ..http import TIEMPO_RPC, respuesta_archivo, ruta
from .ayudas import XLSX

OFICINA = ("coordinadora", "tecnica")
MAX_LOGO = 13 * 1024 * 1024  # omm_common.archivos rechaza con su mensaje lo que pase de 12 MB


class RutasReportes:
    reportes = RpcProxy("reportes", expiration=TIEMPO_RPC)

    @ruta("GET", "/api/v1/poa/<anio>", "Plan operativo anual del municipio, con su avance calculado de lo registrado",
          OFICINA + ("mancomunidad",), consulta=FiltroPoa, respuesta=PoaSalida, etiqueta="reportes",
          notas="La mancomunidad indica ?municipio= (uno de los suyos; sin él, 400 con el campo).")
    def obtener_poa(self, p, anio):
        cargar(FiltroPoa(), p.consulta)
        return 200, self.llamar("reportes", "obtener_poa", anio, p.consulta.get("municipio"))

    @ruta("PUT", "/api/v1/poa/<anio>", "Fija las metas del POA del año (reemplaza el plan entero)", ("coordinadora",),
          cuerpo=PoaEntrada, respuesta=PoaSalida, etiqueta="reportes",
          notas="Regla que JSON Schema no puede decir: dos actividades del plan no pueden llamarse igual (sin "
                "distinguir mayúsculas; 400 con el campo actividades.N.nombre).")
    def fijar_poa(self, p, anio):
        return 200, self.llamar("reportes", "fijar_poa", anio, p.cuerpo)

    @ruta("GET", "/api/v1/reportes/textos", "Presentación, objetivos y desafíos que la oficina escribe para el "
          "informe de un periodo (?anio=2026&trimestre=1; sin trimestre, el año; sin año, el actual)",
          ("coordinadora",), consulta=FiltroTextos, respuesta=TextosSalida, etiqueta="reportes")
    def obtener_textos(self, p):
        f = cargar(FiltroTextos(), p.consulta)
        return 200, self.llamar("reportes", "obtener_textos", f.get("anio"), f["trimestre"])

    @ruta("PUT", "/api/v1/reportes/textos", "Escribe los textos propios del informe de un periodo (los ausentes "
          "vuelven al texto de siempre); el informe lleva los del trimestre si cae en uno, si no los del año",
          ("coordinadora",), cuerpo=TextosInforme, consulta=FiltroTextos, respuesta=TextosSalida,
          etiqueta="reportes")
    def fijar_textos(self, p):
        f = cargar(FiltroTextos(), p.consulta)
        return 200, self.llamar("reportes", "fijar_textos", p.cuerpo, f.get("anio"), f["trimestre"])

    @ruta("PUT", "/api/v1/reportes/logo", "Sube el logo de la oficina para el encabezado de su informe (JPEG o PNG "
          "en el campo «archivo»; se guarda reducido y sin metadatos)", ("coordinadora",), multipart=True,
          max_cuerpo=MAX_LOGO, tipos_archivo=("image/jpeg", "image/png"), respuesta=LogoSalida, etiqueta="reportes")
    def fijar_logo(self, p):
        contenido = p.archivos.get("archivo")
        if not contenido:
            raise error_de_campo("archivo", "Adjunte la imagen JPEG o PNG en el campo «archivo» "
                                            "(multipart/form-data).")
        return 200, self.llamar("reportes", "fijar_logo", base64.b64encode(contenido).decode())

    @ruta("GET", "/api/v1/reportes/logo", "El logo de la oficina (la mancomunidad indica ?municipio=)",
          OFICINA + ("mancomunidad",), consulta=FiltroPoa, binario="image/*", etiqueta="reportes",
          notas="La mancomunidad indica ?municipio= (uno de los suyos; sin él, 400 con el campo).",
          otros_estados={404: "La oficina aún no ha subido su logo"})
    def obtener_logo(self, p):
        cargar(FiltroPoa(), p.consulta)
        logo = self.llamar("reportes", "obtener_logo", p.consulta.get("municipio"))
        return respuesta_archivo(logo["contenido_base64"], logo["mime"])

    @ruta("GET", "/api/v1/reportes/informe", "Informe de actividades del periodo (json, pdf o xlsx); "
          "?clasificacion=gbvims muestra los tipos de violencia del GBVIMS en lugar de los de la ley. La "
          "mancomunidad pide meses completos y recibe los casos de la misma tabla protegida que la región",
          ("coordinadora", "mancomunidad"), consulta=FiltroInforme, respuesta=InformeSalida,
          binario=("application/pdf", XLSX), etiqueta="reportes",
          notas="La mancomunidad pide meses completos: «desde» el primer día de un mes y «hasta» el último (o hoy o "
                "después); otro día responde 400 con el campo (la coordinadora puede pedir cualquier día, por eso el "
                "documento no lo exige). Para la oficina, dos fechas al revés son el mismo periodo.",
          otros_estados={200: "El informe (JSON, o el archivo PDF o .xlsx según «formato»)"})
    def informe(self, p):
        f = cargar(FiltroInforme(), p.consulta)
        c = p.consulta
        resultado = self.llamar("reportes", "informe", c.get("desde"), c.get("hasta"), f["formato"], c.get("municipio"),
                                f["clasificacion"])
        if f["formato"] == "json":
            return 200, resultado
        return respuesta_archivo(resultado["contenido_base64"], resultado["tipo"], resultado["nombre_archivo"],
                                 adjunto=True)
