import base64

from nameko.rpc import RpcProxy

from capacitaciones import contrato as s

from ..http import TIEMPO_RPC, Pagina, respuesta_archivo, ruta
from ..schemas import Borrado

ROLES = ("coordinadora", "tecnica", "promotora")
ROLES_CLUB = ROLES + ("cis",)  # el CIS ve solo el club de embarazadas (el servicio filtra)
_CAMINO = "/api/v1/capacitaciones"
MAX_FOTO = 13 * 1024 * 1024  # omm_common.archivos rechaza con su mensaje lo que pase de 12 MB


def _pdf(archivo):
    return respuesta_archivo(archivo["contenido_base64"], "application/pdf", archivo["nombre_archivo"])


class RutasCapacitaciones:
    capacitaciones = RpcProxy("capacitaciones", expiration=TIEMPO_RPC)

    @ruta("POST", _CAMINO, "Programa una capacitación, taller, club u otra actividad con sus sesiones", ROLES,
          cuerpo=s.CapacitacionEntrada, respuesta=s.CapacitacionDetalle, estado=201, idempotente=True,
          etiqueta="capacitaciones")
    def crear_capacitacion(self, p):
        return 201, self.llamar("capacitaciones", "crear_capacitacion", p.cuerpo, p.clave_idempotencia)

    @ruta("GET", _CAMINO, "Actividades del municipio (el CIS: solo el club de embarazadas)", ROLES_CLUB,
          consulta=s.FiltroCapacitaciones,
          respuesta=Pagina(s.CapacitacionSalida, "PaginaCapacitaciones"), etiqueta="capacitaciones")
    def listar_capacitaciones(self, p):
        return 200, self.llamar("capacitaciones", "listar_capacitaciones", p.consulta)

    @ruta("GET", f"{_CAMINO}/<capacitacion_id>",
          "Una actividad con sesiones, inscripciones y asistencia (el CIS: el club, con nombres solo de quienes "
          "consintieron compartir con salud; ver CapacitacionCIS)", ROLES_CLUB,
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
          "Registra quiénes asistieron a la sesión (reemplaza la lista; 409 ESTADO_INVALIDO si la sesión aún no "
          "llega o está cancelada)", ROLES, cuerpo=s.AsistenciaEntrada,
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

    @ruta("PATCH", f"{_CAMINO}/<capacitacion_id>/sesiones/<sesion_id>",
          "Reprograma una sesión aún no realizada (fecha, hora o tema, con motivo); avisa a las inscritas "
          "(409 ESTADO_INVALIDO si ya se realizó, tiene asistencia o está cancelada)", ROLES,
          cuerpo=s.CambioSesionEntrada, respuesta=s.SesionSalida, etiqueta="capacitaciones")
    def reprogramar_sesion(self, p, capacitacion_id, sesion_id):
        return 200, self.llamar("capacitaciones", "reprogramar_sesion", capacitacion_id, sesion_id, p.cuerpo)

    @ruta("POST", f"{_CAMINO}/<capacitacion_id>/sesiones/<sesion_id>/cancelacion",
          "Cancela una sesión con motivo; deja de contar como realizada y se avisa a las inscritas "
          "(repetir no cambia nada; 409 ESTADO_INVALIDO si tiene asistencia)", ROLES,
          cuerpo=s.CancelacionEntrada, respuesta=s.SesionSalida, etiqueta="capacitaciones")
    def cancelar_sesion(self, p, capacitacion_id, sesion_id):
        return 200, self.llamar("capacitaciones", "cancelar_sesion", capacitacion_id, sesion_id, p.cuerpo)

    @ruta("PUT", f"{_CAMINO}/<capacitacion_id>/sesiones/<sesion_id>/conteo",
          "Registra cuántas personas participaron en la sesión, por sexo y grupo de edad (reemplaza el conteo; "
          "409 ESTADO_INVALIDO si la sesión aún no llega o está cancelada)", ROLES, cuerpo=s.ConteoEntrada,
          notas="Regla entre campos que JSON Schema no puede decir: la suma de por_grupo_edad, si viene, es igual a "
                "mujeres + hombres (400 con el campo por_grupo_edad).",
          respuesta=s.ConteoRegistrado, etiqueta="capacitaciones")
    def registrar_conteo(self, p, capacitacion_id, sesion_id):
        return 200, self.llamar("capacitaciones", "registrar_conteo", capacitacion_id, sesion_id, p.cuerpo)

    @ruta("POST", f"{_CAMINO}/<capacitacion_id>/fotos",
          "Sube una foto JPEG o PNG de la actividad (multipart: «archivo», «leyenda», «sesion_id» opcional); "
          "se guarda reducida y sin metadatos (GPS, cámara)", ROLES, multipart=s.FotoMetadatos, max_cuerpo=MAX_FOTO,
          tipos_archivo=("image/jpeg", "image/png"),
          respuesta=s.FotoSalida, estado=201, idempotente=True, etiqueta="capacitaciones")
    def subir_foto(self, p, capacitacion_id):
        # Sin archivo, el servicio responde 400 «archivo» después de ver que la actividad es del municipio.
        contenido = p.archivos.get("archivo") or b""
        # En un formulario no hay null: un sesion_id vacío es «sin sesión».
        campos = {k: p.cuerpo.get(k) for k in ("leyenda", "sesion_id") if p.cuerpo.get(k) not in (None, "")}
        return 201, self.llamar("capacitaciones", "subir_foto", capacitacion_id,
                                base64.b64encode(contenido).decode("ascii"), campos, p.clave_idempotencia)

    @ruta("GET", f"{_CAMINO}/<capacitacion_id>/fotos", "Fotos de la actividad con su leyenda", ROLES,
          respuesta=s.FotoSalida(many=True), etiqueta="capacitaciones")
    def listar_fotos(self, p, capacitacion_id):
        return 200, self.llamar("capacitaciones", "listar_fotos", capacitacion_id)

    @ruta("GET", f"{_CAMINO}/<capacitacion_id>/fotos/<foto_id>", "La imagen de una foto (sin metadatos)", ROLES,
          binario=("image/jpeg", "image/png"), etiqueta="capacitaciones")
    def obtener_foto(self, p, capacitacion_id, foto_id):
        archivo = self.llamar("capacitaciones", "obtener_foto", capacitacion_id, foto_id)
        return respuesta_archivo(archivo["contenido_base64"], archivo["tipo_mime"], archivo["nombre_archivo"])

    @ruta("DELETE", f"{_CAMINO}/<capacitacion_id>/fotos/<foto_id>", "Quita una foto de la actividad",
          ("coordinadora",), respuesta=Borrado, etiqueta="capacitaciones")
    def borrar_foto(self, p, capacitacion_id, foto_id):
        return 200, self.llamar("capacitaciones", "borrar_foto", capacitacion_id, foto_id)
