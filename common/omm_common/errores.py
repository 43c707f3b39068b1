"""Errores con el formato del CONTRATO: {"error", "mensaje", "detalles"}.

Cruzan RPC de nameko como RemoteError; el texto del error es el JSON del cuerpo,
así el gateway lo reconstruye sin registrar tipos de excepción.
"""
import json

ESTADO_HTTP = {
    "VALIDACION": 400,
    "NO_AUTENTICADO": 401,
    "PROHIBIDO": 403,
    "NO_ENCONTRADO": 404,
    "METODO_NO_PERMITIDO": 405,
    "DUPLICADO": 409,
    "FRECUENCIA_EXCEDIDA": 409,
    "SIN_EXISTENCIAS": 409,
    "SIN_CONSENTIMIENTO": 409,
    "CUPO_LLENO": 409,
    "ESTADO_INVALIDO": 409,
    "PRESUPUESTO_EXCEDIDO": 409,
    "EN_PROCESO": 409,
    "CLAVE_REUTILIZADA": 409,  # la misma Idempotency-Key con otra solicitud
    "REFERENCIA_INEXISTENTE": 409,  # un campo nombra algo que no existe (o es de otro municipio)
    "DATOS_INCOHERENTES": 409,  # campos válidos uno a uno que no concuerdan entre sí (fechas fuera de orden...)
    "DEMASIADO_GRANDE": 413,
    "TIPO_DE_CONTENIDO": 415,
    "DEMASIADOS_INTENTOS": 429,
    "NO_DISPONIBLE": 503,
    "ERROR_INTERNO": 500,
}


class ErrorOMM(Exception):
    codigo = "VALIDACION"

    def __init__(self, mensaje, detalles=None, codigo=None):
        if codigo:
            self.codigo = codigo
        self.mensaje = mensaje
        self.detalles = detalles or {}
        super().__init__(self.codigo, mensaje, self.detalles)

    @property
    def estado_http(self):
        return ESTADO_HTTP.get(self.codigo, 400)

    @property
    def de_campos(self):
        """Sus detalles son {campo: [mensajes]} que un formulario pone junto a cada campo."""
        return self.codigo in ("VALIDACION", "DATOS_INCOHERENTES") and isinstance(self.detalles, dict)

    def a_dict(self):
        return {"error": self.codigo, "mensaje": self.mensaje, "detalles": self.detalles}

    def __str__(self):
        return json.dumps(self.a_dict(), ensure_ascii=False, default=str)


class ErrorValidacion(ErrorOMM):
    codigo = "VALIDACION"


class NoAutenticado(ErrorOMM):
    codigo = "NO_AUTENTICADO"


class Prohibido(ErrorOMM):
    codigo = "PROHIBIDO"


class NoEncontrado(ErrorOMM):
    codigo = "NO_ENCONTRADO"


class Conflicto(ErrorOMM):
    """409; el código concreto (DUPLICADO, SIN_EXISTENCIAS...) se da al crearlo."""
    codigo = "ESTADO_INVALIDO"


def error_de_campo(campo, mensaje):
    return ErrorValidacion("Hay datos inválidos en la solicitud.", {campo: [mensaje]})


def no_existe(campo, mensaje):
    """409 REFERENCIA_INEXISTENTE: un campo del cuerpo o de la consulta nombra algo que no existe (o es de otro
    municipio). La solicitud está bien formada (no es un 400) y lo que la ruta nombra sí existe (no es un 404:
    un cliente concluiría que el recurso de la ruta desapareció); choca con los datos de hoy. `detalles` nombra
    el campo como un 400."""
    return ErrorOMM(mensaje, {campo: [mensaje]}, codigo="REFERENCIA_INEXISTENTE")


def incoherentes(detalles, mensaje="Los datos no concuerdan entre sí."):
    """409 DATOS_INCOHERENTES: cada campo cumple lo que el documento OpenAPI dice de él, pero juntos rompen una
    regla que JSON Schema no puede decir (un orden de fechas, una suma, nombres repetidos en una lista). No es un
    400: la solicitud tiene la forma prometida, y un cliente generado del documento no pudo evitarla. `detalles`
    nombra los campos como un 400."""
    return ErrorOMM(mensaje, detalles, codigo="DATOS_INCOHERENTES")


def desde_error_remoto(exc):
    """RemoteError de nameko -> ErrorOMM, o None si no vino de un ErrorOMM."""
    valor = getattr(exc, "value", None)
    if not isinstance(valor, str) or not valor.startswith("{"):
        return None
    try:
        cuerpo = json.loads(valor)
    except ValueError:
        return None
    if not isinstance(cuerpo, dict) or cuerpo.get("error") not in ESTADO_HTTP:
        return None
    return ErrorOMM(cuerpo.get("mensaje", ""), cuerpo.get("detalles"), codigo=cuerpo["error"])
