from nameko.rpc import RpcProxy

from omm_common.esquemas import cargar

from casos import contrato as s

from ..http import TIEMPO_RPC, Pagina, ruta
from ..models import Usuario

ROLES = ("coordinadora", "tecnica")


class RutasCasos:
    casos = RpcProxy("casos", expiration=TIEMPO_RPC)

    @ruta("POST", "/api/v1/casos", "Registra un caso (datos de la sobreviviente cifrados)", ROLES,
          cuerpo=s.CasoEntrada, respuesta=s.CasoResumen, estado=201, idempotente=True, etiqueta="casos",
          notas="Regla entre campos que JSON Schema no puede decir: fecha_incidente no puede ser posterior a "
                "fecha_atencion (400 con el campo fecha_incidente).")
    def crear_caso(self, p):
        return 201, self.llamar("casos", "crear_caso", p.cuerpo, p.clave_idempotencia)

    @ruta("GET", "/api/v1/casos", "Casos del municipio (q busca por nombre o DNI exactos)", ROLES,
          consulta=s.FiltroCasos, respuesta=Pagina(s.CasoEnLista, "PaginaCasos"), etiqueta="casos")
    def listar_casos(self, p):
        return 200, self.llamar("casos", "listar_casos", p.consulta)

    @ruta("GET", "/api/v1/casos/agenda", "Seguimientos que tocan hoy y vencidos (iniciales, nunca nombres); "
          "mios=true: solo los casos de los que soy responsable", ROLES, consulta=s.FiltroAgenda,
          respuesta=s.AgendaSalida, etiqueta="casos")
    def agenda_casos(self, p):
        return 200, self.llamar("casos", "agenda", p.consulta)

    @ruta("GET", "/api/v1/casos/<caso_id>", "Detalle de un caso (queda en la bitácora)", ROLES,
          respuesta=s.CasoSalida, etiqueta="casos")
    def obtener_caso(self, p, caso_id):
        return 200, self.llamar("casos", "obtener_caso", caso_id)

    @ruta("POST", "/api/v1/casos/<caso_id>/seguimientos", "Registra un seguimiento", ROLES,
          cuerpo=s.SeguimientoEntrada, respuesta=s.CasoSalida, estado=201, idempotente=True, etiqueta="casos",
          otros_estados={409: "Caso cerrado (ESTADO_INVALIDO)"})
    def registrar_seguimiento(self, p, caso_id):
        return 201, self.llamar("casos", "registrar_seguimiento", caso_id, p.cuerpo, p.clave_idempotencia)

    @ruta("POST", "/api/v1/casos/<caso_id>/derivaciones", "Deriva el caso (requiere consentimiento)", ROLES,
          cuerpo=s.DerivacionEntrada, respuesta=s.DerivacionSalida, estado=201, idempotente=True, etiqueta="casos",
          otros_estados={409: "Sin consentimiento (SIN_CONSENTIMIENTO) o caso cerrado (ESTADO_INVALIDO)"})
    def registrar_derivacion(self, p, caso_id):
        return 201, self.llamar("casos", "registrar_derivacion", caso_id, p.cuerpo, p.clave_idempotencia)

    @ruta("POST", "/api/v1/casos/<caso_id>/cierre", "Cierra el caso", ROLES, cuerpo=s.CierreEntrada,
          respuesta=s.CasoSalida, etiqueta="casos", otros_estados={409: "Ya cerrado (ESTADO_INVALIDO)"})
    def cerrar_caso(self, p, caso_id):
        return 200, self.llamar("casos", "cerrar_caso", caso_id, p.cuerpo)

    @ruta("GET", "/api/v1/casos/<caso_id>/auditoria", "Bitácora del caso: quién hizo qué y cuándo",
          ("coordinadora",), respuesta=s.AuditoriaSalida(many=True), etiqueta="casos")
    def auditoria_caso(self, p, caso_id):
        return 200, self.llamar("casos", "auditoria", caso_id)

    @ruta("PATCH", "/api/v1/casos/<caso_id>", "Corrige datos de identificación o clasificación, con motivo (el riesgo "
          "y el consentimiento tienen su historia: /valoraciones y /consentimientos)", ROLES,
          cuerpo=s.CorreccionEntrada, respuesta=s.CasoSalida, etiqueta="casos")
    def corregir_caso(self, p, caso_id):
        return 200, self.llamar("casos", "corregir_caso", caso_id, p.cuerpo)

    @ruta("POST", "/api/v1/casos/<caso_id>/valoraciones", "Nueva valoración del riesgo (el nivel vigente es el de "
          "la última)", ROLES, cuerpo=s.ValoracionEntrada, respuesta=s.CasoSalida, estado=201, idempotente=True,
          etiqueta="casos", otros_estados={409: "Caso cerrado (ESTADO_INVALIDO)"})
    def reevaluar_riesgo(self, p, caso_id):
        return 201, self.llamar("casos", "reevaluar_riesgo", caso_id, p.cuerpo, p.clave_idempotencia)

    @ruta("POST", "/api/v1/casos/<caso_id>/consentimientos", "Cambio de consentimiento de la sobreviviente "
          "(vale el último)", ROLES, cuerpo=s.ConsentimientoEntrada, respuesta=s.CasoSalida, estado=201,
          idempotente=True, etiqueta="casos")
    def cambiar_consentimiento(self, p, caso_id):
        return 201, self.llamar("casos", "cambiar_consentimiento", caso_id, p.cuerpo, p.clave_idempotencia)

    @ruta("POST", "/api/v1/casos/<caso_id>/reapertura", "Reabre un caso cerrado, con motivo", ("coordinadora",),
          cuerpo=s.ReaperturaEntrada, respuesta=s.CasoSalida, etiqueta="casos",
          otros_estados={409: "El caso no está cerrado (ESTADO_INVALIDO)"})
    def reabrir_caso(self, p, caso_id):
        return 200, self.llamar("casos", "reabrir_caso", caso_id, p.cuerpo)

    @ruta("PUT", "/api/v1/casos/<caso_id>/responsable", "Asigna la responsable del caso (coordinadora o técnica "
          "activa del municipio)", ("coordinadora",), cuerpo=s.ResponsableEntrada, respuesta=s.CasoSalida,
          etiqueta="casos")
    def asignar_responsable(self, p, caso_id):
        # Las usuarias son del gateway: casos recibe lo que decide si puede ser responsable (o None si no
        # existe) y lo comprueba después de encontrar el caso: el caso ajeno es 404 antes que un 400.
        usuario_id = str(cargar(s.ResponsableEntrada(), p.cuerpo)["usuario_id"])
        with self.uow() as uow:
            u = uow.sesion.get(Usuario, usuario_id)
            candidata = u and {"id": u.id, "nombre": u.nombre, "municipio": u.municipio, "activo": u.activo,
                               "rol": u.rol}
        return 200, self.llamar("casos", "asignar_responsable", caso_id, usuario_id, candidata)
