from nameko.rpc import RpcProxy

from casos import contrato as s

from ..http import TIEMPO_RPC, ruta

ROLES = ("coordinadora", "tecnica")


class RutasCasos:
    casos = RpcProxy("casos", expiration=TIEMPO_RPC)

    @ruta("POST", "/api/v1/casos", "Registra un caso (datos de la sobreviviente cifrados)", ROLES,
          cuerpo=s.CasoEntrada, respuesta=s.CasoResumen, estado=201, idempotente=True, etiqueta="casos")
    def crear_caso(self, p):
        return 201, self.llamar("casos", "crear_caso", p.cuerpo, p.clave_idempotencia)

    @ruta("GET", "/api/v1/casos", "Casos del municipio (q busca por nombre o DNI exactos)", ROLES,
          consulta=s.FiltroCasos, etiqueta="casos")
    def listar_casos(self, p):
        return 200, self.llamar("casos", "listar_casos", p.consulta)

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
