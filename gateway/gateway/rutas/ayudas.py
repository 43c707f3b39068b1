import base64

from nameko.rpc import RpcProxy

from omm_common.errores import error_de_campo

from ayudas import contrato as s

from ..http import TIEMPO_RPC, Pagina, respuesta_archivo, ruta

ROLES = ("coordinadora", "tecnica", "promotora")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_XLSX = 30 * 1024 * 1024
TIEMPO_IMPORTACION = 180


def _pdf(archivo):
    return respuesta_archivo(archivo["contenido_base64"], "application/pdf", archivo["nombre_archivo"])


class RutasAyudas:
    ayudas = RpcProxy("ayudas", expiration=TIEMPO_RPC)

    @ruta("GET", "/api/v1/ayudas/tipos", "Catálogo de tipos de ayuda del municipio", ROLES,
          respuesta=s.TipoAyudaSalida(many=True), etiqueta="ayudas")
    def listar_tipos_ayuda(self, p):
        return 200, self.llamar("ayudas", "listar_tipos")

    @ruta("POST", "/api/v1/ayudas/tipos", "Crea un tipo de ayuda", ("coordinadora", "tecnica"),
          cuerpo=s.TipoAyudaEntrada, respuesta=s.TipoAyudaSalida, estado=201, idempotente=True, etiqueta="ayudas")
    def crear_tipo_ayuda(self, p):
        return 201, self.llamar("ayudas", "crear_tipo", p.cuerpo)

    @ruta("POST", "/api/v1/ayudas/beneficiarias", "Registra una beneficiaria", ROLES,
          cuerpo=s.BeneficiariaEntrada, respuesta=s.BeneficiariaSalida, estado=201, idempotente=True,
          etiqueta="ayudas",
          otros_estados={409: "DUPLICADO: el mismo DNI (detalles.id) o posibles registros de la misma persona "
                              "(detalles.candidatas); si es otra persona, reenvíe con confirmar_nueva: true y una "
                              "Idempotency-Key nueva"})
    def crear_beneficiaria(self, p):
        return 201, self.llamar("ayudas", "crear_beneficiaria", p.cuerpo)

    @ruta("GET", "/api/v1/ayudas/beneficiarias", "Busca beneficiarias por nombre o DNI", ROLES,
          consulta=s.FiltroBeneficiarias, respuesta=Pagina(s.BeneficiariaSalida, "PaginaBeneficiarias"),
          etiqueta="ayudas")
    def listar_beneficiarias(self, p):
        return 200, self.llamar("ayudas", "listar_beneficiarias", p.consulta)

    @ruta("GET", "/api/v1/ayudas/beneficiarias/<beneficiaria_id>", "Una beneficiaria con sus entregas", ROLES,
          respuesta=s.BeneficiariaDetalle, etiqueta="ayudas")
    def obtener_beneficiaria(self, p, beneficiaria_id):
        return 200, self.llamar("ayudas", "obtener_beneficiaria", beneficiaria_id)

    @ruta("POST", "/api/v1/ayudas/beneficiarias/candidatas",
          "Posibles registros de la misma persona (nombre parecido y fecha de nacimiento o comunidad, o DNI)", ROLES,
          cuerpo=s.BusquedaCandidatas, respuesta=s.CandidataSalida(many=True), etiqueta="ayudas")
    def buscar_candidatas(self, p):
        return 200, self.llamar("ayudas", "buscar_candidatas", p.cuerpo)

    @ruta("PATCH", "/api/v1/ayudas/beneficiarias/<beneficiaria_id>",
          "Corrige datos de una beneficiaria (con motivo; queda en su historial)", ROLES,
          cuerpo=s.BeneficiariaCorreccion, respuesta=s.BeneficiariaDetalle, etiqueta="ayudas",
          otros_estados={409: "El DNI ya es de otra beneficiaria del municipio (DUPLICADO, detalles.id)"})
    def corregir_beneficiaria(self, p, beneficiaria_id):
        return 200, self.llamar("ayudas", "corregir_beneficiaria", beneficiaria_id, p.cuerpo)

    @ruta("GET", "/api/v1/ayudas/beneficiarias/<beneficiaria_id>/historial",
          "Correcciones y fusiones de una beneficiaria: quién, cuándo, por qué y qué campos", ROLES,
          respuesta=s.HistorialSalida(many=True), etiqueta="ayudas")
    def historial_beneficiaria(self, p, beneficiaria_id):
        return 200, self.llamar("ayudas", "historial_beneficiaria", beneficiaria_id)

    @ruta("POST", "/api/v1/ayudas/beneficiarias/<beneficiaria_id>/fusion",
          "Fusiona en esta beneficiaria otro registro de la misma persona (sus entregas pasan a esta)",
          ("coordinadora",), cuerpo=s.FusionEntrada, respuesta=s.BeneficiariaDetalle, etiqueta="ayudas",
          otros_estados={409: "Un registro ya fusionado con otro, o dos DNI distintos (ESTADO_INVALIDO)"})
    def fusionar_beneficiarias(self, p, beneficiaria_id):
        return 200, self.llamar("ayudas", "fusionar_beneficiarias", beneficiaria_id, p.cuerpo)

    @ruta("POST", "/api/v1/ayudas/entregas", "Registra una entrega de ayuda", ROLES,
          cuerpo=s.EntregaEntrada, respuesta=s.EntregaSalida, estado=201, idempotente=True, etiqueta="ayudas")
    def registrar_entrega(self, p):
        return 201, self.llamar("ayudas", "registrar_entrega", p.cuerpo, p.clave_idempotencia)

    @ruta("GET", "/api/v1/ayudas/entregas", "Entregas del municipio", ROLES,
          consulta=s.FiltroEntregas, respuesta=Pagina(s.EntregaSalida, "PaginaEntregas"), etiqueta="ayudas")
    def listar_entregas(self, p):
        return 200, self.llamar("ayudas", "listar_entregas", p.consulta)

    @ruta("GET", "/api/v1/ayudas/entregas/lista",
          "Lista de entregas del periodo en PDF, para firmar (auditoría municipal)", ("coordinadora", "tecnica"),
          consulta=s.FiltroListaEntregas, binario="application/pdf", etiqueta="ayudas")
    def lista_entregas(self, p):
        return _pdf(self.llamar("ayudas", "lista_entregas", p.consulta))

    @ruta("POST", "/api/v1/ayudas/entregas/<entrega_id>/anulacion",
          "Anula una entrega con motivo: devuelve existencias y presupuesto (repetirla no devuelve dos veces)",
          ("coordinadora",), cuerpo=s.AnulacionEntrada, respuesta=s.EntregaSalida, etiqueta="ayudas")
    def anular_entrega(self, p, entrega_id):
        return 200, self.llamar("ayudas", "anular_entrega", entrega_id, p.cuerpo)

    @ruta("GET", "/api/v1/ayudas/entregas/<entrega_id>/recibo", "Recibo de la entrega en PDF (ANULADA si se anuló)",
          ROLES, binario="application/pdf", etiqueta="ayudas")
    def recibo(self, p, entrega_id):
        return _pdf(self.llamar("ayudas", "recibo", entrega_id))

    @ruta("GET", "/api/v1/ayudas/inventario", "Existencias actuales por tipo de ayuda en especie", ROLES,
          respuesta=s.ExistenciaSalida(many=True), etiqueta="ayudas")
    def inventario(self, p):
        return 200, self.llamar("ayudas", "inventario")

    @ruta("GET", "/api/v1/ayudas/inventario/movimientos",
          "Libro de existencias: donaciones, compras, ajustes, entregas y anulaciones", ROLES,
          consulta=s.FiltroMovimientos, respuesta=Pagina(s.MovimientoSalida, "PaginaMovimientos"),
          etiqueta="ayudas")
    def listar_movimientos(self, p):
        return 200, self.llamar("ayudas", "listar_movimientos", p.consulta)

    @ruta("POST", "/api/v1/ayudas/inventario/movimientos", "Registra una donación, compra o ajuste de existencias",
          ("coordinadora", "tecnica"), cuerpo=s.MovimientoEntrada, respuesta=s.MovimientoSalida, estado=201,
          idempotente=True, etiqueta="ayudas")
    def registrar_movimiento(self, p):
        return 201, self.llamar("ayudas", "registrar_movimiento", p.cuerpo, p.clave_idempotencia)

    @ruta("GET", "/api/v1/ayudas/presupuesto", "Presupuesto anual de ayudas económicas y lo ejecutado",
          ("coordinadora", "tecnica"), consulta=s.FiltroPresupuesto, respuesta=s.PresupuestoSalida, etiqueta="ayudas")
    def obtener_presupuesto(self, p):
        return 200, self.llamar("ayudas", "obtener_presupuesto", p.consulta)

    @ruta("PUT", "/api/v1/ayudas/presupuesto", "Fija el presupuesto anual de ayudas económicas", ("coordinadora",),
          cuerpo=s.PresupuestoEntrada, respuesta=s.PresupuestoSalida, etiqueta="ayudas")
    def fijar_presupuesto(self, p):
        return 200, self.llamar("ayudas", "fijar_presupuesto", p.cuerpo)

    @ruta("POST", "/api/v1/ayudas/importaciones", "Importa beneficiarias desde un .xlsx (campo «archivo»)", ROLES,
          multipart=True, max_cuerpo=MAX_XLSX, tipos_archivo=(XLSX,), respuesta=s.ImportacionSalida, etiqueta="ayudas")
    def importar_beneficiarias(self, p):
        contenido = p.archivos.get("archivo")
        if not contenido:
            raise error_de_campo("archivo", "Adjunte el archivo .xlsx en el campo «archivo» (multipart/form-data).")
        # Una lista grande tarda más que una solicitud común.
        return 200, self.llamar("ayudas", "importar_beneficiarias", base64.b64encode(contenido).decode(),
                                tiempo=TIEMPO_IMPORTACION)

    @ruta("GET", "/api/v1/ayudas/exportacion", "Beneficiarias y entregas del período en .xlsx",
          ("coordinadora", "tecnica"), consulta=s.FiltroExportacion, binario=XLSX, etiqueta="ayudas")
    def exportar(self, p):
        return respuesta_archivo(self.llamar("ayudas", "exportar", p.consulta), XLSX, "ayudas.xlsx", adjunto=True)
