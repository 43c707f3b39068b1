"""Esquemas de entrada (los mismos que usa el gateway para el OpenAPI) y de salida."""
from datetime import date

from marshmallow import ValidationError, fields, validate, validates_schema

from omm_common.esquemas import Dni, Esquema, Opcion, Paginacion, Texto, no_futura

from .dominio import (
    CONTEXTOS, DESTINOS, ESTADOS, NIVELES_RIESGO, TIPOS_GBVIMS, TIPOS_SEGUIMIENTO, TIPOS_VIOLENCIA, validar_gbvims,
)

_FECHA = dict(validate=validate.Range(min=date(1900, 1, 1), max=date(2100, 12, 31), error="Fecha fuera de rango."))


class Sobreviviente(Esquema):
    nombres = Texto(required=True, maximo=120)
    apellidos = Texto(required=True, maximo=120)
    dni = Dni(allow_none=True)
    fecha_nacimiento = fields.Date(allow_none=True, **_FECHA)
    telefono = Texto(allow_none=True, maximo=30, validate=[validate.Regexp(
        r"^[0-9 +()-]{7,30}$", error="Teléfono inválido: use solo dígitos, espacios, + y guiones.")])
    comunidad = Texto(required=True, maximo=200)
    etnia = Texto(allow_none=True, maximo=60)
    discapacidad = fields.Boolean(allow_none=True)


class Agresor(Esquema):
    relacion = Texto(required=True, maximo=60)
    sexo = Opcion(("mujer", "hombre", "otro", "desconocido"), required=True)
    grupo_edad = Opcion(("menor_18", "18_29", "30_44", "45_59", "60_mas", "desconocido"), required=True)


class Consentimiento(Esquema):
    servicios = fields.Boolean(required=True)
    derivacion = fields.Boolean(required=True)
    estadisticas = fields.Boolean(required=True)


def _incluye(tipo):
    return {"not": {"items": {"not": {"enum": [tipo]}}}}


def _excluye(tipo):
    return {"items": {"not": {"enum": [tipo]}}}


def _gbvims_incoherente():
    """dominio.validar_gbvims dicho para el OpenAPI: las combinaciones que no se aceptan (con tipo_gbvims)."""
    sexuales = ["agresion_sexual", "violacion"]

    def regla(gbvims, tipos):
        return {"required": ["tipo_gbvims", "tipos_violencia"],
                "properties": {"tipo_gbvims": {"type": "string", "enum": gbvims}, "tipos_violencia": tipos}}
    return {"not": {"anyOf": [
        regla(sexuales, _excluye("sexual")),
        regla([t for t in TIPOS_GBVIMS if t not in sexuales], _incluye("sexual")),
        regla([t for t in TIPOS_GBVIMS if t not in sexuales and t != "agresion_fisica"],
              {"allOf": [_incluye("fisica"), _excluye("sexual")]}),
        regla(["agresion_fisica"], _excluye("fisica"))]}}


class CasoEntrada(Esquema):
    # Para el OpenAPI: el tipo GBVIMS coherente con los de la ley. Que el incidente no sea posterior a la
    # atención no se puede decir en JSON Schema: 409 DATOS_INCOHERENTES con el campo (dominio.error_incidente).
    OPENAPI = _gbvims_incoherente()
    fecha_atencion = fields.Date(required=True, **_FECHA)
    fecha_incidente = fields.Date(allow_none=True, **_FECHA)
    sobreviviente = fields.Nested(Sobreviviente, required=True)
    tipos_violencia = fields.List(Opcion(TIPOS_VIOLENCIA), required=True,
                                  validate=validate.Length(min=1, error="Indique al menos un tipo de violencia."))
    contexto = Opcion(CONTEXTOS, required=True)
    relato = Texto(required=True, maximo=20000)
    nivel_riesgo = Opcion(NIVELES_RIESGO, required=True)
    agresor = fields.Nested(Agresor, allow_none=True)
    consentimiento = fields.Nested(Consentimiento, required=True)
    # Segundo eje, exacto; sin él se deriva solo donde los tipos de la ley lo determinan (dominio.gbvims_derivado).
    tipo_gbvims = Opcion(TIPOS_GBVIMS, allow_none=True)

    @validates_schema
    def _gbvims_coherente(self, datos, **_):
        error = validar_gbvims(datos.get("tipos_violencia"), datos.get("tipo_gbvims"))
        if error and datos.get("tipos_violencia"):
            raise ValidationError(error, "tipo_gbvims")


_HISTORIA = {"nivel_riesgo": "El riesgo no se corrige: registre una nueva valoración en "
                             "POST /api/v1/casos/{id}/valoraciones (queda la historia).",
             "consentimiento": "El consentimiento no se corrige: registre el cambio en "
                               "POST /api/v1/casos/{id}/consentimientos (queda la historia)."}


class CorreccionEntrada(Esquema):
    """PATCH: corrige datos de identificación o clasificación de un caso, con motivo (queda en la bitácora)."""
    # El motivo y al menos un dato (_sin_historias); tipos y GBVIMS corregidos juntos, coherentes.
    OPENAPI = {"minProperties": 2, **_gbvims_incoherente()}
    sobreviviente = fields.Nested(Sobreviviente(partial=True))
    fecha_incidente = fields.Date(allow_none=True, **_FECHA)
    contexto = Opcion(CONTEXTOS)
    tipos_violencia = fields.List(Opcion(TIPOS_VIOLENCIA),
                                  validate=validate.Length(min=1, error="Indique al menos un tipo de violencia."))
    tipo_gbvims = Opcion(TIPOS_GBVIMS, allow_none=True)
    agresor = fields.Nested(Agresor, allow_none=True)
    motivo = Texto(required=True, maximo=5000)
    # No se corrigen aquí: se aceptan solo para responder a dónde ir (400 que nombra el campo).
    # Fuera del documento OpenAPI (additionalProperties: false ya los rechaza); aquí, para el mensaje.
    nivel_riesgo = fields.Raw(metadata={"omitir_en_documento": True})
    consentimiento = fields.Raw(metadata={"omitir_en_documento": True})

    @validates_schema
    def _sin_historias(self, datos, **_):
        errores = {campo: [mensaje] for campo, mensaje in _HISTORIA.items() if campo in datos}
        if errores:
            raise ValidationError(errores)
        if not set(datos) - {"motivo"}:
            raise ValidationError("Indique al menos un dato que corregir.", "_cuerpo")


class ValoracionEntrada(Esquema):
    nivel_riesgo = Opcion(NIVELES_RIESGO, required=True)
    motivo = Texto(required=True, maximo=5000)
    fecha = fields.Date(validate=no_futura)  # por omisión, hoy


class ConsentimientoEntrada(Consentimiento):
    motivo = Texto(required=True, maximo=5000)
    fecha = fields.Date(validate=no_futura)


class ReaperturaEntrada(Esquema):
    motivo = Texto(required=True, maximo=5000)


class ResponsableEntrada(Esquema):
    usuario_id = fields.UUID(required=True, error_messages={"invalid_uuid": "Identificador de usuaria inválido."})


class FiltroAgenda(Esquema):
    # «mios»: solo los casos de los que soy responsable.
    mios = fields.Boolean(load_default=False)


class FiltroCasos(Paginacion):
    estado = Opcion(ESTADOS)
    tipo_violencia = Opcion(TIPOS_VIOLENCIA)
    nivel_riesgo = Opcion(NIVELES_RIESGO)
    desde = fields.Date(**_FECHA)
    hasta = fields.Date(**_FECHA)
    q = Texto(maximo=120)
    # El código del caso (LEJ-2026-0007), exacto; mayúsculas o minúsculas da igual.
    codigo = Texto(maximo=30)
    # «yo» o el id de una usuaria: los casos de los que es responsable; mios=true equivale a responsable=yo.
    responsable = fields.String(validate=validate.Length(max=60))
    mios = fields.Boolean()
    tipo_gbvims = Opcion((*TIPOS_GBVIMS, "sin_clasificar"))


class SeguimientoEntrada(Esquema):
    fecha = fields.Date(required=True, validate=no_futura)
    tipo = Opcion(TIPOS_SEGUIMIENTO, required=True)
    nota = Texto(required=True, maximo=10000)
    proxima_fecha = fields.Date(allow_none=True, **_FECHA)


class DerivacionEntrada(Esquema):
    destino = Opcion(DESTINOS, required=True)
    motivo = Texto(required=True, maximo=5000)
    urgente = fields.Boolean(load_default=False)


class CierreEntrada(Esquema):
    motivo = Texto(required=True, maximo=5000)


class SeguimientoSalida(Esquema):
    id = fields.String()
    fecha = fields.Date()
    tipo = fields.String()
    nota = fields.String()
    proxima_fecha = fields.Date(allow_none=True)
    creado_en = fields.DateTime()


class DerivacionSalida(Esquema):
    id = fields.String()
    destino = fields.String()
    motivo = fields.String()
    urgente = fields.Boolean()
    horas_desde_incidente = fields.Integer(allow_none=True)
    creado_en = fields.DateTime()
    # Solo derivaciones al CIS: pendiente -> enviada -> confirmada (acuse del CIS); None para otros destinos.
    aviso = fields.String(allow_none=True)
    aviso_enviado_en = fields.DateTime(allow_none=True)
    aviso_confirmado_en = fields.DateTime(allow_none=True)


class Persona(Esquema):
    id = fields.String(allow_none=True)
    nombre = fields.String(allow_none=True)


class ValoracionSalida(Esquema):
    id = fields.String()
    fecha = fields.Date()
    nivel_riesgo = fields.String()
    nivel_riesgo_nombre = fields.String()
    motivo = fields.String(allow_none=True)
    registrada_por = fields.Nested(Persona)
    creado_en = fields.DateTime()


class ConsentimientoSalida(Esquema):
    id = fields.String()
    fecha = fields.Date()
    servicios = fields.Boolean()
    derivacion = fields.Boolean()
    estadisticas = fields.Boolean()
    motivo = fields.String(allow_none=True)
    registrado_por = fields.Nested(Persona)
    creado_en = fields.DateTime()


class CasoResumen(Esquema):
    id = fields.String()
    codigo = fields.String()
    estado = fields.String()
    fecha_atencion = fields.Date()
    fecha_incidente = fields.Date(allow_none=True)
    tipos_violencia = fields.List(fields.String())
    contexto = fields.String()
    nivel_riesgo = fields.String()
    proxima_fecha = fields.Date(allow_none=True)
    creado_en = fields.DateTime()
    tipo_gbvims = fields.String(allow_none=True)  # None: sin clasificar
    responsable = fields.Nested(Persona, allow_none=True)


class CasoEnLista(CasoResumen):
    """Una fila de GET /api/v1/casos: el resumen y las iniciales, nunca el nombre."""
    iniciales = fields.String(metadata={"description": "Iniciales de la sobreviviente (p. ej. «M. L.»)"})


class CasoSalida(CasoResumen):
    sobreviviente = fields.Dict()
    relato = fields.String()
    agresor = fields.Dict(allow_none=True)
    consentimiento = fields.Dict()
    tipos_gbvims = fields.List(fields.String())
    seguimientos = fields.List(fields.Nested(SeguimientoSalida))
    derivaciones = fields.List(fields.Nested(DerivacionSalida))
    motivo_cierre = fields.String(allow_none=True)
    tipo_gbvims_nombre = fields.String()
    valoraciones = fields.List(fields.Nested(ValoracionSalida))  # en orden: la última es la vigente
    consentimientos = fields.List(fields.Nested(ConsentimientoSalida))


class AuditoriaSalida(Esquema):
    usuario_id = fields.String()
    usuario = fields.String(allow_none=True)
    rol = fields.String()
    accion = fields.String()
    en = fields.DateTime()
    campos = fields.List(fields.String(), allow_none=True)  # qué se corrigió (nombres de campos, no valores)
    motivo = fields.String(allow_none=True)


class PendienteAgenda(Esquema):
    id = fields.String()
    codigo = fields.String()
    iniciales = fields.String()  # nunca el nombre completo en una lista diaria
    estado = fields.String()
    nivel_riesgo = fields.String()
    responsable = fields.Nested(Persona, allow_none=True)
    proxima_fecha = fields.Date()
    dias_vencido = fields.Integer()


class AgendaSalida(Esquema):
    fecha = fields.Date()
    hoy = fields.List(fields.Nested(PendienteAgenda))
    vencidos = fields.List(fields.Nested(PendienteAgenda))  # el más atrasado primero

