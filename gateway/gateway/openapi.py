"""OpenAPI 3 generado del registro de rutas y de los mismos esquemas marshmallow que validan."""
import re
from decimal import Decimal

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .http import RUTAS
from .schemas import Error

_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
_ESTADOS_ERROR = {400: "Datos inválidos", 401: "No autenticado", 403: "Rol sin permiso",
                  404: "No encontrado", 409: "Conflicto con el estado actual", 413: "Cuerpo demasiado grande",
                  429: "Demasiados intentos"}


def documento():
    spec = APISpec(title="OMM — Oficinas Municipales de la Mujer", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", schema=Error)
    caminos = {}
    for r in RUTAS:
        camino = _PARAM.sub(r"{\1}", r.ruta)
        op = {"summary": r.resumen, "tags": [r.etiqueta], "responses": {}}
        params = [{"in": "path", "name": n, "required": True, "schema": {"type": "string"}}
                  for n in _PARAM.findall(r.ruta)]
        if r.consulta is not None:
            params.append({"in": "query", "schema": r.consulta})
        if r.idempotente:
            params.append({"in": "header", "name": "Idempotency-Key", "required": False,
                           "schema": {"type": "string", "minLength": 1, "maxLength": 100}})
        if params:
            op["parameters"] = params
        if r.cuerpo is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": r.cuerpo}}}
        if r.multipart:
            op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {"archivo": {"type": "string", "format": "binary"}},
                "required": ["archivo"]}}}}
        exito = {"description": "Correcto"}
        if r.binario:
            exito["content"] = {r.binario: {"schema": {"type": "string", "format": "binary"}}}
        elif r.respuesta is not None:
            exito["content"] = {"application/json": {"schema": r.respuesta}}
        op["responses"][str(r.estado)] = exito
        errores = [400, 404, 409, 413] if r.roles is None else [400, 401, 403, 404, 409, 413]
        if r.ruta.endswith("/auth/token"):
            errores = [400, 401, 413, 429]
        for codigo in errores:
            op["responses"][str(codigo)] = {"description": _ESTADOS_ERROR[codigo],
                                            "content": {"application/json": {"schema": "Error"}}}
        for codigo, descripcion in r.otros_estados.items():
            op["responses"][str(codigo)] = {"description": descripcion}
            # Un error del contrato lleva el esquema Error; otro estado (p. ej. el 503 de /health), el de la ruta.
            esquema = "Error" if 400 <= codigo < 500 else r.respuesta
            if esquema is not None:
                op["responses"][str(codigo)]["content"] = {"application/json": {"schema": esquema}}
        if r.roles is not None:
            op["security"] = [{"bearer": []}]
        caminos.setdefault(camino, {})[r.metodo.lower()] = op
    for camino, operaciones in caminos.items():
        spec.path(path=camino, operations=operaciones)
    return _sin_decimales(spec.to_dict())


def _sin_decimales(valor):
    """apispec deja Decimal (p. ej. multipleOf de un monto): JSON Schema quiere números."""
    if isinstance(valor, dict):
        return {k: _sin_decimales(v) for k, v in valor.items()}
    if isinstance(valor, list):
        return [_sin_decimales(v) for v in valor]
    if isinstance(valor, Decimal):
        return float(valor)
    return valor
