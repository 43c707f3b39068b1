"""Esquemas de entrada (los mismos que usa el gateway para el OpenAPI) y de salida."""
from marshmallow import fields, validate

from omm_common.esquemas import VISIBLE, Dni, Esquema, Opcion, Paginacion, Redondeado, Texto, no_futura

from .dominio import CATEGORIAS, CONDICIONES, ESTADOS_ENTREGA, MOTIVOS_MOVIMIENTO, MOTIVOS_SIN_DNI

TELEFONO = validate.Regexp(r"^[0-9 +()-]{7,30}$", error="Teléfono inválido: use solo dígitos, espacios, + y guiones.")


class TipoAyudaEntrada(Esquema):
    codigo = Texto(required=True, maximo=40, validate=[validate.Regexp(
        r"^[a-z0-9_]+$", error="Solo minúsculas, dígitos y guion bajo.")])
    nombre = Texto(required=True, maximo=120)
    categoria = Opcion(CATEGORIAS, required=True)
    unidad = Texto(required=True, maximo=40)
    frecuencia_dias = fields.Integer(required=True, validate=validate.Range(min=0, max=3660))
    monto_maximo = Redondeado(allow_none=True, validate=validate.Range(min=0, max=10**9))
    existencia_minima = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**7))


class TipoAyudaSalida(Esquema):
    id = fields.String()
    codigo = fields.String()
    nombre = fields.String()
    categoria = fields.String()
    unidad = fields.String()
    frecuencia_dias = fields.Integer()
    monto_maximo = fields.Float(allow_none=True)
    existencia_minima = fields.Integer()
    existencia = fields.Integer()


NULO = {"type": "string", "nullable": True, "enum": [None]}  # ausente o null, en una regla del OpenAPI


class BeneficiariaEntrada(Esquema):
    # dominio.verificar_identidad, dicho para el OpenAPI: con DNI, la fecha de nacimiento; sin DNI, el motivo.
    # Como «not» (lo que no se acepta): así un generador de clientes sigue viendo un solo modelo.
    OPENAPI = {"not": {"anyOf": [
        {"properties": {"dni": NULO, "motivo_sin_dni": NULO}},
        {"required": ["dni"], "properties": {"dni": {"type": "string"}, "fecha_nacimiento": NULO}}]}}
    nombres = Texto(required=True, maximo=120)
    apellidos = Texto(required=True, maximo=120)
    # Sin DNI, el motivo (sin_documento, menor_de_edad, extranjera, en_tramite, otro); el DNI se agrega después.
    dni = Dni(allow_none=True, load_default=None)
    motivo_sin_dni = Opcion(MOTIVOS_SIN_DNI, allow_none=True, load_default=None)
    # Obligatoria con DNI; sin DNI puede faltar (dominio.verificar_identidad).
    fecha_nacimiento = fields.Date(allow_none=True, load_default=None, validate=no_futura)
    telefono = Texto(allow_none=True, maximo=30, validate=[TELEFONO])
    comunidad = Texto(required=True, maximo=120)
    condiciones = fields.List(Opcion(CONDICIONES), load_default=list)
    consentimiento_salud = fields.Boolean(required=True)
    # Hubo candidatas a duplicado (409 con detalles.candidatas) y quien registra confirma que es otra persona.
    confirmar_nueva = fields.Boolean(load_default=False)


class BeneficiariaCorreccion(Esquema):
    """Solo los campos que cambian, y siempre el motivo: queda en el historial."""
    OPENAPI = {"minProperties": 2}  # el motivo y al menos un campo (operaciones.corregir_beneficiaria)
    nombres = Texto(maximo=120)
    apellidos = Texto(maximo=120)
    dni = Dni(allow_none=True)
    motivo_sin_dni = Opcion(MOTIVOS_SIN_DNI, allow_none=True)
    fecha_nacimiento = fields.Date(allow_none=True, validate=no_futura)
    telefono = Texto(allow_none=True, maximo=30, validate=[TELEFONO])
    comunidad = Texto(maximo=120)
    condiciones = fields.List(Opcion(CONDICIONES))
    consentimiento_salud = fields.Boolean()
    motivo = Texto(required=True, maximo=1000)


class BusquedaCandidatas(Esquema):
    """Por cuerpo, no por URL: nombres y fechas son datos personales."""
    nombres = Texto(required=True, maximo=120)
    apellidos = Texto(required=True, maximo=120)
    fecha_nacimiento = fields.Date(allow_none=True, validate=no_futura)
    comunidad = Texto(allow_none=True, maximo=120)
    dni = Dni(allow_none=True)


class FusionEntrada(Esquema):
    fusionada_id = fields.UUID(required=True)
    motivo = Texto(required=True, maximo=1000)


class AnulacionEntrada(Esquema):
    motivo = Texto(required=True, maximo=1000)


class FiltroListaEntregas(Esquema):
    desde = fields.Date(required=True)
    hasta = fields.Date(required=True)
    tipo_codigo = Texto(maximo=40)


class FiltroBeneficiarias(Paginacion):
    q = Texto(maximo=120)
    dni = fields.String(validate=validate.Length(max=20))


class EntregaEntrada(Esquema):
    beneficiaria_id = fields.UUID(required=True)
    tipo_codigo = Texto(required=True, maximo=40)
    cantidad = fields.Integer(required=True, validate=validate.Range(min=1, max=100000))
    monto = Redondeado(allow_none=True, validate=validate.Range(min=0, max=10**9))
    fecha = fields.Date(required=True, validate=no_futura)
    observaciones = Texto(allow_none=True, maximo=1000)
    justificacion_excepcion = Texto(allow_none=True, maximo=1000)


class FiltroEntregas(Paginacion):
    desde = fields.Date()
    hasta = fields.Date()
    tipo_codigo = Texto(maximo=40)
    beneficiaria_id = fields.UUID()


class EntregaSalida(Esquema):
    id = fields.String()
    numero_recibo = fields.String()
    estado = fields.String(metadata={"enum": list(ESTADOS_ENTREGA)})
    beneficiaria_id = fields.String()
    beneficiaria_nombre = fields.String()
    tipo_nombre = fields.String()
    tipo_codigo = fields.String()
    categoria = fields.String()
    cantidad = fields.Integer()
    monto = fields.Float(allow_none=True)
    fecha = fields.Date()
    observaciones = fields.String(allow_none=True)
    justificacion_excepcion = fields.String(allow_none=True)
    registrada_por = fields.String()
    registrada_por_nombre = fields.String(allow_none=True)
    creado_en = fields.DateTime()
    anulada_en = fields.DateTime(allow_none=True)
    anulada_por_nombre = fields.String(allow_none=True)
    motivo_anulacion = fields.String(allow_none=True)


class BeneficiariaSalida(Esquema):
    id = fields.String()
    nombres = fields.String()
    apellidos = fields.String()
    dni = fields.String(allow_none=True)
    motivo_sin_dni = fields.String(allow_none=True)
    motivo_sin_dni_nombre = fields.String(allow_none=True)
    fusionada_con = fields.String(allow_none=True)
    fecha_nacimiento = fields.Date(allow_none=True)
    edad = fields.Integer(allow_none=True)
    telefono = fields.String(allow_none=True)
    comunidad = fields.String()
    condiciones = fields.List(fields.String())
    consentimiento_salud = fields.Boolean()
    creado_en = fields.DateTime()


class CandidataSalida(Esquema):
    id = fields.String()
    nombres = fields.String()
    apellidos = fields.String()
    dni = fields.String(allow_none=True)
    motivo_sin_dni = fields.String(allow_none=True)
    fecha_nacimiento = fields.Date(allow_none=True)
    comunidad = fields.String()
    parecido = fields.Float()


class HistorialSalida(Esquema):
    accion = fields.String()
    cambios = fields.Dict()
    motivo = fields.String()
    usuario_id = fields.String()
    usuario_nombre = fields.String(allow_none=True)
    creado_en = fields.DateTime()


class ProximaEntregaSalida(Esquema):
    """Por cada tipo de ayuda del municipio: la última entrega vigente a esta persona y desde cuándo la frecuencia
    permite otra (null: desde ya), para verlo antes de entregar y no al chocar con FRECUENCIA_EXCEDIDA."""
    tipo_codigo = fields.String()
    tipo_nombre = fields.String()
    frecuencia_dias = fields.Integer()
    ultima_entrega = fields.Date(allow_none=True)
    proxima_fecha = fields.Date(allow_none=True)
    permitida_hoy = fields.Boolean()


class BeneficiariaDetalle(BeneficiariaSalida):
    entregas = fields.List(fields.Nested(EntregaSalida))
    historial = fields.List(fields.Nested(HistorialSalida))
    proximas_entregas = fields.List(fields.Nested(ProximaEntregaSalida))


class MovimientoEntrada(Esquema):
    # Para el OpenAPI (dominio.verificar_movimiento, 400): una donación o compra suma (cantidad >= 1); un ajuste
    # dice su porqué en «origen».
    OPENAPI = {"allOf": [
        {"anyOf": [{"properties": {"motivo": {"type": "string", "enum": ["ajuste"]}}},
                   {"properties": {"cantidad": {"type": "integer", "minimum": 1}}}]},
        {"anyOf": [{"properties": {"motivo": {"type": "string", "enum": ["donacion", "compra"]}}},
                   {"required": ["origen"], "properties": {"origen": {"type": "string", "pattern": VISIBLE}}}]}]}
    tipo_codigo = Texto(required=True, maximo=40)
    cantidad = fields.Integer(required=True, validate=validate.Range(min=-1000000, max=1000000))
    motivo = Opcion(MOTIVOS_MOVIMIENTO, required=True)
    origen = Texto(allow_none=True, maximo=200)


class FiltroMovimientos(Paginacion):
    tipo_codigo = Texto(maximo=40)


class MovimientoSalida(Esquema):
    id = fields.String()
    tipo_codigo = fields.String()
    cantidad = fields.Integer()
    motivo = fields.String()
    motivo_nombre = fields.String()
    entrega_id = fields.String(allow_none=True)
    origen = fields.String(allow_none=True)
    existencia_resultante = fields.Integer()
    creado_en = fields.DateTime()


class ExistenciaSalida(Esquema):
    tipo_codigo = fields.String()
    nombre = fields.String()
    categoria = fields.String()
    unidad = fields.String()
    existencia = fields.Integer()
    existencia_minima = fields.Integer()
    bajo_minimo = fields.Boolean()


class FiltroPresupuesto(Esquema):
    anio = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class PresupuestoEntrada(Esquema):
    anio = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    monto = Redondeado(required=True, validate=validate.Range(min=0, max=10**11))


class PresupuestoSalida(Esquema):
    anio = fields.Integer()
    monto = fields.Float(allow_none=True)
    ejecutado = fields.Float()
    restante = fields.Float(allow_none=True)


class FiltroExportacion(Esquema):
    desde = fields.Date()
    hasta = fields.Date()


class ImportacionSalida(Esquema):
    creadas = fields.Integer()
    duplicadas = fields.Integer()
    errores = fields.List(fields.Dict())
