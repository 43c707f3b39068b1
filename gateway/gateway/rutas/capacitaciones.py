import base64

from nameko.rpc import RpcProxy
from werkzeug.wrappers import Response

from capacitaciones import contrato as s

from ..http import TIEMPO_RPC, ruta

ROLES = ("coordinadora", "tecnica", "promotora")
_CAMINO = "/api/v1/capacitaciones"


def _pdf(archivo):
    """El servicio manda el PDF en base64 (RPC es JSON); aquí vuelve a bytes."""
    return Response(base64.b64decode(archivo["contenido_base64"]), status=200, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{archivo["nombre_archivo"]}"',
                             "Cache-Control": "no-store"})


class RutasCapacitaciones:
    capacitaciones = RpcProxy("capacitaciones", expiration=TIEMPO_RPC)

    @ruta("POST", _CAMINO, "Programa una capacitación, taller, club u otra actividad con sus sesiones", ROLES,
          cuerpo=s.CapacitacionEntrada, respuesta=s.CapacitacionDetalle, estado=201, idempotente=True,
          etiqueta="capacitaciones")
    def crear_capacitacion(self, p):
        return 201, self.llamar("capacitaciones", "crear_capacitacion", p.cuerpo, p.clave_idempotencia)

    @ruta("GET", _CAMINO, "Actividades del municipio", ROLES, consulta=s.FiltroCapacitaciones,
          respuesta=s.PaginaCapacitaciones, etiqueta="capacitaciones")
    def listar_capacitaciones(self, p):
        return 200, self.llamar("capacitaciones", "listar_capacitaciones", p.consulta)

    @ruta("GET", f"{_CAMINO}/<capacitacion_id>", "Una actividad con sesiones, inscripciones y asistencia", ROLES,
          respuesta=s.CapacitacionDetalle, etiqueta="capacitaciones")
    def obtener_capacitacion(self, p, capacitacion_id):
        return 200, self.llamar("capacitaciones", "obtener_capacitacion", capacitacion_id)

    @ruta("POST", f"{_CAMINO}/<capacitacion_id>/sesiones", "Agrega una sesión a la actividad", ROLES,
          cuerpo=s.SesionEntrada, respuesta=s.SesionSalida, estado=201, idempotente=True, etiqueta="capacitaciones")
    def agregar_sesion(self, p, capacitacion_id):
        return 201, self.llamar("capacitaciones", "agregar_sesion", capacitacion_id, p.cuerpo, p.clave_idempotencia)

    # El 409 (CUPO_LLENO, DUPLICADO) ya queda documentado con el esquema Error; `otros_estados` lo
    # reemplazaría por el esquema de la respuesta exitosa.
    @ruta("POST", f"{_CAMINO}/<capacitacion_id>/inscripciones",
          "Inscribe a una participante (409 CUPO_LLENO sin cupo; 409 DUPLICADO si ya está inscrita)", ROLES,
          cuerpo=s.InscripcionEntrada, respuesta=s.InscripcionSalida, estado=201, idempotente=True,
          etiqueta="capacitaciones")
    def inscribir(self, p, capacitacion_id):
        return 201, self.llamar("capacitaciones", "inscribir", capacitacion_id, p.cuerpo, p.clave_idempotencia)

    @ruta("PUT", f"{_CAMINO}/<capacitacion_id>/sesiones/<sesion_id>/asistencia",
          "Registra quiénes asistieron a la sesión (reemplaza la lista)", ROLES, cuerpo=s.AsistenciaEntrada,
          respuesta=s.AsistenciaSalida, etiqueta="capacitaciones")
    def registrar_asistencia(self, p, capacitacion_id, sesion_id):
        return 200, self.llamar("capacitaciones", "registrar_asistencia", capacitacion_id, sesion_id, p.cuerpo)

    @ruta("GET", f"{_CAMINO}/<capacitacion_id>/constancias/<inscripcion_id>",
          "Constancia de participación en PDF (409 ESTADO_INVALIDO con asistencia menor al 75 %)", ROLES,
          binario="application/pdf", etiqueta="capacitaciones")
    def constancia(self, p, capacitacion_id, inscripcion_id):
        return _pdf(self.llamar("capacitaciones", "constancia", capacitacion_id, inscripcion_id))

    @ruta("GET", f"{_CAMINO}/<capacitacion_id>/sesiones/<sesion_id>/hoja",
          "Hoja de asistencia en PDF para firmar en la sesión", ROLES, binario="application/pdf",
          etiqueta="capacitaciones")
    def hoja_asistencia(self, p, capacitacion_id, sesion_id):
        return _pdf(self.llamar("capacitaciones", "hoja_asistencia", capacitacion_id, sesion_id))
