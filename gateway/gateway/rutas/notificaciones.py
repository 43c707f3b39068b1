from nameko.rpc import RpcProxy

from notificaciones import contrato as s

from ..http import TIEMPO_RPC, Pagina, ruta

CONTACTOS = ("coordinadora", "admin")


class RutasNotificaciones:
    notificaciones = RpcProxy("notificaciones", expiration=TIEMPO_RPC)

    @ruta("GET", "/api/v1/notificaciones", "Bandeja: la coordinadora ve las de su municipio; el CIS, las suyas; "
          "primero lo urgente sin confirmar, luego de la más nueva a la más vieja",
          ("coordinadora", "cis"), consulta=s.FiltroNotificaciones,
          respuesta=Pagina(s.NotificacionSalida, "PaginaNotificaciones"), etiqueta="notificaciones")
    def listar_notificaciones(self, p):
        return 200, self.llamar("notificaciones", "listar", p.consulta)

    @ruta("POST", "/api/v1/notificaciones/<notificacion_id>/acuse", "El CIS confirma que recibió la notificación",
          ("cis",), respuesta=s.NotificacionSalida, etiqueta="notificaciones",
          otros_estados={409: "La notificación aún no se envió"})
    def acusar_notificacion(self, p, notificacion_id):
        return 200, self.llamar("notificaciones", "acusar", notificacion_id)

    @ruta("GET", "/api/v1/notificaciones/destinatarios", "Contactos del municipio (CIS, coordinadora...)",
          CONTACTOS, consulta=s.FiltroDestinatarios, respuesta=s.DestinatarioSalida(many=True),
          notas="La administración indica ?municipio= (sin él, 400 con el campo); la coordinadora ve el suyo.",
          etiqueta="notificaciones")
    def listar_destinatarios(self, p):
        return 200, self.llamar("notificaciones", "listar_destinatarios", p.consulta)

    @ruta("PUT", "/api/v1/notificaciones/destinatarios", "Crea o reemplaza el contacto con esa clave",
          CONTACTOS, cuerpo=s.DestinatarioEntrada, respuesta=s.DestinatarioSalida, etiqueta="notificaciones",
          notas="La administración indica «municipio» en el cuerpo (sin él, 400 con el campo).")
    def guardar_destinatario(self, p):
        return 200, self.llamar("notificaciones", "guardar_destinatario", p.cuerpo)

    @ruta("POST", "/api/v1/notificaciones/destinatarios/<contacto>/confirmacion", "La coordinadora confirma un "
          "contacto que cambió la administración: desde entonces recibe los avisos con nombres", ("coordinadora",),
          respuesta=s.DestinatarioSalida, etiqueta="notificaciones")
    def confirmar_destinatario(self, p, contacto):
        return 200, self.llamar("notificaciones", "confirmar_destinatario", contacto[:40])

    @ruta("GET", "/api/v1/notificaciones/reglas", "Reglas de notificación del municipio", ("coordinadora",),
          respuesta=s.ReglaSalida(many=True), etiqueta="notificaciones")
    def listar_reglas(self, p):
        return 200, self.llamar("notificaciones", "listar_reglas")

    @ruta("PATCH", "/api/v1/notificaciones/reglas/<codigo>", "Cambia canales, plazo, plantilla o activa una regla",
          ("coordinadora",), cuerpo=s.ReglaCambio, respuesta=s.ReglaSalida, etiqueta="notificaciones")
    def cambiar_regla(self, p, codigo):
        return 200, self.llamar("notificaciones", "cambiar_regla", codigo[:60], p.cuerpo)

    @ruta("GET", "/api/v1/notificaciones/resumen", "Estado de los envíos: conteos y fallidas", ("coordinadora",),
          respuesta=s.Resumen, etiqueta="notificaciones")
    def resumen_notificaciones(self, p):
        return 200, self.llamar("notificaciones", "resumen")

    @ruta("POST", "/api/v1/notificaciones/<notificacion_id>/reintento", "Reintenta una notificación fallida",
          ("coordinadora",), respuesta=s.NotificacionSalida, etiqueta="notificaciones",
          otros_estados={409: "La notificación no está fallida"})
    def reintentar_notificacion(self, p, notificacion_id):
        return 200, self.llamar("notificaciones", "reintentar", notificacion_id)
