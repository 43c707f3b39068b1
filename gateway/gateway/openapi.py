"""OpenAPI 3 generado del registro de rutas (@ruta) y de los mismos esquemas marshmallow que validan.

Lo que marshmallow hace por código y JSON Schema no ve se traduce aquí, una vez para todos los esquemas:
el texto recortado y sin caracteres de control (Texto), el DNI, las fechas acotadas (también «no futura»:
el documento se genera con la fecha de hoy en Honduras), los campos desconocidos que se rechazan
(additionalProperties: false en lo que entra), los ids de la ruta (UUID). Las reglas entre campos que JSON
Schema no puede decir (p. ej. el incidente antes de la atención) van en la descripción de la operación.
"""
import calendar
import functools
import re
from datetime import date
from decimal import Decimal

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields, validate

from omm_common import municipios
from omm_common.errores import ESTADO_HTTP
from omm_common.esquemas import CONTROL, ESPACIOS, VISIBLE, Dni, Texto, no_futura, no_pasada
from omm_common.tiempo import hoy_honduras

from .ejemplos import EJEMPLOS
from .http import RUTAS, Pagina
from .schemas import Error

_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
VERSION = "1.0.0"

_CONTROL = CONTROL.pattern[1:-1]  # la clase sin corchetes, la misma que rechaza Texto
_SIN_CONTROL = f"[^{_CONTROL}]"
TEXTO = f"^{_SIN_CONTROL}*$"
TEXTO_OBLIGATORIO = f"^{_SIN_CONTROL}*{VISIBLE}{_SIN_CONTROL}*$"
SIN_NULO = "^[^\x00]*$"
ARCHIVO = {"type": "object", "required": ["archivo"], "additionalProperties": False,
           "properties": {"archivo": {"type": "string", "format": "binary", "description": "El archivo"}}}

# Lo que cada estado de error significa, con los códigos del contrato que lo usan.
_ESTADOS_ERROR = {
    400: "Datos inválidos (VALIDACION): `detalles` nombra cada campo con sus mensajes",
    401: "Falta el token, no es válido o venció (NO_AUTENTICADO)",
    403: "El rol no tiene permiso (PROHIBIDO), o la usuaria debe cambiar su contraseña temporal "
         "(CAMBIO_DE_CONTRASENA_REQUERIDO)",
    404: "Lo que la ruta nombra no existe, o es de otro municipio (NO_ENCONTRADO)",
    405: "La ruta no admite el método (METODO_NO_PERMITIDO); la cabecera Allow y `detalles.metodos_permitidos` "
         "dicen cuáles sí",
    409: "Choca con el estado actual: DUPLICADO, FRECUENCIA_EXCEDIDA, SIN_EXISTENCIAS, SIN_CONSENTIMIENTO, "
         "CUPO_LLENO, ESTADO_INVALIDO (con el campo: p. ej. una fecha antes de la atención del caso), "
         "PRESUPUESTO_EXCEDIDO, REFERENCIA_INEXISTENTE (un campo nombra algo que no existe o es de otro "
         "municipio), DATOS_INCOHERENTES (campos válidos uno a uno que no concuerdan entre sí, p. ej. el incidente "
         "después de la atención; `detalles` nombra los campos como un 400), EN_PROCESO (la misma Idempotency-Key "
         "sigue en curso) o CLAVE_REUTILIZADA (esa clave ya se usó con otra solicitud)",
    413: "El cuerpo es demasiado grande (DEMASIADO_GRANDE)",
    429: "Demasiados intentos (DEMASIADOS_INTENTOS); la cabecera Retry-After dice cuántos segundos esperar",
    500: "Error interno (ERROR_INTERNO); `detalles.referencia` es el id que quedó en el log con la traza",
    503: "Un servicio no responde a tiempo (NO_DISPONIBLE); reintente más tarde",
}
CODIGOS_ERROR = sorted({*ESTADO_HTTP, "CAMBIO_DE_CONTRASENA_REQUERIDO"})


# --- Lo que los validadores en código dicen, en JSON Schema ---

def _rango(a, b, ancho):
    """Expresión regular para los enteros de `ancho` dígitos (con ceros a la izquierda) entre a y b."""
    if ancho == 1:
        return f"[{a}-{b}]" if a != b else str(a)
    base = 10 ** (ancho - 1)
    da, ra = divmod(a, base)
    db, rb = divmod(b, base)
    if ra == 0 and rb == base - 1:
        primero = f"[{da}-{db}]" if da != db else str(da)
        return primero + f"[0-9]{{{ancho - 1}}}"
    if da == db:
        return f"{da}(?:{_rango(ra, rb, ancho - 1)})"
    partes = [f"{da}(?:{_rango(ra, base - 1, ancho - 1)})"]
    if db - da > 1:
        medio = f"[{da + 1}-{db - 1}]" if db - da > 2 else str(da + 1)
        partes.append(f"{medio}[0-9]{{{ancho - 1}}}")
    partes.append(f"{db}(?:{_rango(0, rb, ancho - 1)})")
    return "(?:" + "|".join(partes) + ")"


def _dias(desde, hasta):
    return _rango(desde, hasta, 2)


def _meses_y_dias(inicio, fin):
    """MM-DD entre dos fechas del mismo año (el formato date descarta el 31 de febrero)."""
    if inicio.month == fin.month:
        return f"{inicio.month:02d}-{_dias(inicio.day, fin.day)}"
    partes = [f"{inicio.month:02d}-{_dias(inicio.day, 31)}"]
    if fin.month - inicio.month > 1:
        partes.append(f"{_rango(inicio.month + 1, fin.month - 1, 2)}-{_dias(1, 31)}")
    partes.append(f"{fin.month:02d}-{_dias(1, fin.day)}")
    return "(?:" + "|".join(partes) + ")"


def patron_fechas(minimo, maximo):
    """Patrón de las fechas AAAA-MM-DD entre minimo y maximo (inclusive)."""
    if minimo.year == maximo.year:
        cuerpo = f"{minimo.year:04d}-{_meses_y_dias(minimo, maximo)}"
    else:
        partes = [f"{minimo.year:04d}-{_meses_y_dias(minimo, date(minimo.year, 12, 31))}"]
        if maximo.year - minimo.year > 1:
            partes.append(f"{_rango(minimo.year + 1, maximo.year - 1, 4)}-{_rango(1, 12, 2)}-{_dias(1, 31)}")
        partes.append(f"{maximo.year:04d}-{_meses_y_dias(date(maximo.year, 1, 1), maximo)}")
        cuerpo = "(?:" + "|".join(partes) + ")"
    return f"^{cuerpo}$"


def ultimo_del_mes(desde, hasta):
    """El último día de un mes entre los años desde y hasta: el 28 de febrero solo en años no bisiestos (el
    formato date ya descarta el 29 en ellos)."""
    anios = _rango(desde, hasta, 4)
    no_bisiestos = "|".join(str(a) for a in range(desde, hasta + 1) if not calendar.isleap(a))
    return f"(?:{anios}-(?:(?:0[13578]|1[02])-31|(?:0[469]|11)-30|02-29)|(?:{no_bisiestos})-02-28)"


def patron_dni(hoy):
    """El DNI como lo acepta omm_common.municipios.normalizar_dni: municipio real y año plausible."""
    codigos = "|".join(sorted(municipios.todos()))
    return (f"^[{ESPACIOS}]*(?:{codigos})[- ]?{_rango(1900, hoy.year, 4)}[- ]?[0-9]{{5}}[{ESPACIOS}]*$")


def _atributos(self, field, ret, **kwargs):
    """Atributo de apispec: patrones, fechas y descripciones que el validador dice en código."""
    extra = {}
    hoy = hoy_honduras()
    if isinstance(field, Dni):
        extra["pattern"] = patron_dni(hoy)
        extra.setdefault("description", "DNI hondureño: 13 dígitos, con o sin guiones (0309-1985-00123); los 4 "
                                        "primeros, un municipio; los 4 siguientes, el año de inscripción")
    elif isinstance(field, Texto):
        if field.patrones:
            extra["pattern"] = field.patrones[0].regex.pattern
        else:
            extra["pattern"] = TEXTO_OBLIGATORIO if field.required else TEXTO
    elif isinstance(field, (fields.String, fields.Dict)) and "pattern" not in ret and not ret.get("enum") \
            and ret.get("format") not in ("uuid", "email", "date", "date-time", "uri", "binary"):
        if isinstance(field, fields.String):
            extra["pattern"] = SIN_NULO
    if isinstance(field, fields.Date):
        minimo, maximo = date(1, 1, 1), date(9999, 12, 31)
        acotada = False
        for v in field.validators:
            if isinstance(v, validate.Range):
                minimo = max(minimo, v.min or minimo)
                maximo = min(maximo, v.max or maximo)
                acotada = True
            elif v is no_futura:
                minimo, maximo = max(minimo, date(1900, 1, 1)), min(maximo, hoy)
                acotada = True
            elif v is no_pasada:
                minimo, maximo = max(minimo, hoy), min(maximo, date(2100, 12, 31))
                acotada = True
        # Sin cota, igual un patrón: el formato date admite el año 0000, que ninguna fecha de Python tiene.
        extra["pattern"] = patron_fechas(minimo, maximo)
        if acotada:
            ret.pop("x-minimum", None)
            ret.pop("x-maximum", None)
            extra.setdefault("description", f"Fecha entre {minimo.isoformat()} y {maximo.isoformat()}"
                             + (" (hoy en Honduras: no puede ser futura)" if maximo == hoy else "")
                             + (" (hoy en Honduras: no puede ser pasada)" if minimo == hoy else ""))
        mes = field.metadata.get("mes_completo")
        if mes == "desde":
            extra["pattern"] = f"^{_rango(minimo.year, maximo.year, 4)}-(?:0[1-9]|1[0-2])-01$"
        elif mes == "hasta":
            extra["pattern"] = (f"^(?:{ultimo_del_mes(minimo.year, maximo.year)}"
                                f"|{patron_fechas(max(hoy, minimo), maximo)[1:-1]})$")
    if field.metadata.get("omitir_en_documento"):
        extra["x-omitir"] = True
    if "description" in ret:
        extra.pop("description", None)
    return extra


# --- Respuestas y envoltorios comunes ---

def _error(estado, descripcion=None):
    return {"description": descripcion or _ESTADOS_ERROR[estado],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _pagina(esquema_item):
    """La página de una lista: el envoltorio común (Pagina) con los items del tipo dado."""
    return {"allOf": [{"$ref": "#/components/schemas/Pagina"},
                      {"type": "object", "required": ["items"],
                       "properties": {"items": {"type": "array", "items": esquema_item}}}]}


def _parametro_de_ruta(nombre, camino):
    if nombre.endswith("_id"):
        return {"type": "string", "format": "uuid"}, f"Id (UUID) de {nombre[:-3].replace('_', ' ')}"
    if nombre == "anio":
        return {"type": "integer", "minimum": 2000, "maximum": 2100}, "Año del plan (2000 a 2100)"
    if nombre == "codigo" and "/municipios/" in camino:
        return {"type": "string", "pattern": r"^[0-9]{4}$"}, "Código del municipio (4 dígitos, p. ej. 0309)"
    return {"type": "string", "minLength": 1, "maxLength": 60, "pattern": r"^[a-z0-9_]+$"}, "Código de la regla"


def _roles(r):
    if r.roles is None:
        return "Pública (sin token)."
    if not r.roles:
        return "Cualquier usuaria con token."
    return "Roles: " + ", ".join(r.roles) + "."


def _nombre_operacion(r):
    return r.funcion.__name__ if r.funcion else re.sub(r"\W+", "_", f"{r.metodo}{r.ruta}").strip("_").lower()


def _exito(r, spec_esquemas, plugin):
    exito = {"description": r.otros_estados.get(r.estado, "Correcto")}
    if r.binario:
        tipos = r.binario if isinstance(r.binario, tuple) else (r.binario,)
        exito["content"] = {t: {"schema": {"type": "string", "format": "binary"}} for t in tipos}
        if r.respuesta is not None:  # p. ej. el informe: JSON, o el archivo según «formato»
            exito["content"] = {"application/json": {"schema": r.respuesta}, **exito["content"]}
    elif isinstance(r.respuesta, Pagina):
        nombre = r.respuesta.nombre
        if nombre not in spec_esquemas:
            spec_esquemas[nombre] = _pagina(plugin.resolver.resolve_schema_dict(r.respuesta.item))
        exito["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{nombre}"}}}
    elif r.respuesta is not None:
        exito["content"] = {"application/json": {"schema": r.respuesta}}
    return exito


def _errores(r, camino):
    estados = [400, 404, 405, 413, 500, 503]
    if r.roles is not None:
        estados += [401, 403, 409]
    elif r.metodo != "GET":
        estados.append(409)
    if r.ruta.endswith("/auth/token") or r.ruta.endswith("/yo/contrasena"):
        estados += [401, 429]
    if r.ruta == "/health" or r.ruta == "/health/gateway":
        estados = [405, 500]
    return sorted(set(estados))


@functools.lru_cache(maxsize=2)
def _documento(hoy):
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="OMM — Oficinas Municipales de la Mujer", version=VERSION, openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": "API de las Oficinas Municipales de la Mujer de la mancomunidad: casos de violencia "
                             "(cifrados por municipio), ayudas sociales, capacitaciones, notificaciones al centro de "
                             "salud (CIS), cifras de la región e informes. JSON en UTF-8; fechas AAAA-MM-DD; "
                             "instantes ISO 8601 con zona; ids UUID. Errores: {error, mensaje, detalles}. Las "
                             "escrituras que crean algo aceptan Idempotency-Key. Documento navegable: /api/v1/docs."},
        servers=[{"url": "/", "description": "Este gateway"}])
    plugin.converter.add_attribute_function(_atributos)
    spec.components.security_scheme("bearer", {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "Token de POST /api/v1/auth/token (vence en `expira_en` segundos)"})
    spec.components.schema("Error", schema=Error)
    spec.components.schema("Pagina", {
        "type": "object", "required": ["total", "pagina", "por_pagina"],
        "description": "Envoltorio de toda lista paginada (?pagina=1&por_pagina=50, máximo 200)",
        "properties": {"total": {"type": "integer", "minimum": 0, "description": "Cuántos hay en total"},
                       "pagina": {"type": "integer", "minimum": 1, "description": "Esta página (desde 1)"},
                       "por_pagina": {"type": "integer", "minimum": 1, "maximum": 200,
                                      "description": "Cuántos por página"}}})
    paginas = {}
    caminos = {}
    for r in RUTAS:
        camino = _PARAM.sub(r"{\1}", r.ruta)
        descripcion = r.resumen.rstrip(".") + ". " + _roles(r)
        if r.notas:
            descripcion += "\n\n" + r.notas
        op = {"operationId": _nombre_operacion(r), "summary": r.resumen.split(" (")[0].split("; ")[0][:120],
              "description": descripcion, "tags": [r.etiqueta], "responses": {}}
        params = []
        for n in _PARAM.findall(r.ruta):
            esquema, desc = _parametro_de_ruta(n, r.ruta)
            params.append({"in": "path", "name": n, "required": True, "schema": esquema, "description": desc})
        if r.consulta is not None:
            params.append({"in": "query", "schema": r.consulta})
        if r.idempotente:
            params.append({"in": "header", "name": "Idempotency-Key", "required": False,
                           "description": "Repetir con la misma clave (y la misma usuaria) devuelve la primera "
                                          "respuesta sin volver a hacer nada",
                           "schema": {"type": "string", "minLength": 1, "maxLength": 100,
                                      "pattern": "^[\x21-\x7e]+$"}})
        if params:
            op["parameters"] = params
        if r.cuerpo is not None:
            contenido = {"schema": r.cuerpo}
            ejemplo = EJEMPLOS.get(op["operationId"])
            if ejemplo is not None:
                contenido["example"] = ejemplo
            obligatorio = any(f.required for f in _instancia(r.cuerpo).fields.values())
            op["requestBody"] = {"required": obligatorio, "content": {"application/json": contenido}}
        if r.multipart:
            formulario = ARCHIVO
            if not isinstance(r.multipart, bool):
                # Los campos de texto del formulario, del esquema que los valida, más el archivo.
                campos = plugin.converter.schema2jsonschema(_instancia(r.multipart))
                formulario = {**campos, "type": "object", "required": ["archivo", *campos.get("required", [])],
                              "properties": {**ARCHIVO["properties"], **campos["properties"]},
                              "additionalProperties": False}
            contenido = {"schema": formulario}
            if r.tipos_archivo:
                contenido["encoding"] = {"archivo": {"contentType": ", ".join(r.tipos_archivo)}}
            op["requestBody"] = {"required": True, "content": {"multipart/form-data": contenido}}
        op["responses"][str(r.estado)] = _exito(r, paginas, plugin)
        for codigo in _errores(r, camino):
            op["responses"][str(codigo)] = _error(codigo, r.otros_estados.get(codigo))
        if "405" in op["responses"]:
            op["responses"]["405"]["headers"] = {"Allow": {
                "description": "Los métodos que la ruta sí admite", "schema": {"type": "string"}}}
        if "429" in op["responses"]:
            op["responses"]["429"]["headers"] = {"Retry-After": {
                "description": "Segundos que esperar", "schema": {"type": "integer", "minimum": 0}}}
        for codigo, descripcion in r.otros_estados.items():
            if codigo in (r.estado,) or str(codigo) in op["responses"]:
                continue
            # Otro estado de éxito (p. ej. el 503 de /health) lleva el esquema de la ruta.
            op["responses"][str(codigo)] = {"description": descripcion}
            if r.respuesta is not None and not isinstance(r.respuesta, Pagina):
                op["responses"][str(codigo)]["content"] = {"application/json": {"schema": r.respuesta}}
        if r.roles is not None:
            op["security"] = [{"bearer": []}]
        else:
            op["security"] = []
        caminos.setdefault(camino, {})[r.metodo.lower()] = op
    for nombre, esquema in paginas.items():
        spec.components.schema(nombre, esquema)
    _enlazar(caminos)
    for camino, operaciones in caminos.items():
        spec.path(path=camino, operations=operaciones)
    doc = _nulos_precisos(_sin_decimales(spec.to_dict()))
    extras = {nombre: clave[0].OPENAPI for clave, nombre in plugin.converter.refs.items()
              if getattr(clave[0], "OPENAPI", None)}
    _cerrar_entradas(doc, extras)
    _error_con_enum(doc)
    return doc


def documento():
    return _documento(hoy_honduras())


@functools.lru_cache(maxsize=None)
def _instancia(esquema):
    return esquema() if isinstance(esquema, type) else esquema


# --- Enlaces para la fase con estado: lo creado se lee, se cambia y se usa ---

def _enlazar(caminos):
    """Una operación que crea (201 con `id`) enlaza con las rutas de lo creado: POST /casos -> /casos/{caso_id}..."""
    for camino, operaciones in caminos.items():
        for metodo, op in operaciones.items():
            creado = op["responses"].get("201")
            if metodo != "post" or creado is None or "content" not in creado:
                continue
            propios = re.findall(r"{([a-z_]+)}", camino)
            esquema = creado["content"].get("application/json", {}).get("schema")
            campos = _instancia(esquema).fields if esquema is not None and not isinstance(esquema, dict) else {}
            # Solo las listas que lo creado siempre trae (la entrada las exige no vacías: las sesiones).
            entrada = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            entrada = _instancia(entrada).fields if entrada is not None and not isinstance(entrada, dict) else {}
            campos = {n: c for n, c in campos.items() if n in entrada and any(
                isinstance(v, validate.Length) and (v.min or 0) >= 1 for v in entrada[n].validators)}
            enlaces = {}
            for otro, sus_ops in caminos.items():
                m = re.fullmatch(re.escape(camino) + r"/{([a-z_]+_id)}(/.*)?", otro)
                if not m:
                    continue
                for otro_metodo, otra_op in sus_ops.items():
                    parametros = {m.group(1): "$response.body#/id"}
                    parametros.update({p: f"$request.path.{p}" for p in propios})
                    for p in re.findall(r"{([a-z_]+)}", otro):
                        # Un id de más (sesion_id) sale de la lista de lo creado con él (sesiones[0]).
                        lista = next((n for n in (p[:-3] + "es", p[:-3] + "s") if n in campos), None)
                        if p not in parametros and lista:
                            parametros[p] = f"$response.body#/{lista}/0/id"
                        if p not in parametros:
                            break
                    else:
                        enlaces[otra_op["operationId"]] = {
                            "operationId": otra_op["operationId"], "parameters": parametros,
                            "description": f"Lo recién creado en {otro_metodo.upper()} {otro}"}
            if enlaces:
                creado["links"] = enlaces


# --- Retoques del documento ya armado ---

def _cerrar_entradas(doc, extras):
    """Lo que entra (cuerpos) rechaza campos desconocidos: additionalProperties false en sus esquemas; lo que
    sale queda abierto. `extras`: {componente: reglas entre campos} (el atributo OPENAPI del esquema)."""
    esquemas = doc["components"]["schemas"]
    salidas = set()

    def referidos(nodo, acumulado):
        if isinstance(nodo, dict):
            ref = nodo.get("$ref")
            if ref and ref.startswith("#/components/schemas/"):
                nombre = ref.rsplit("/", 1)[1]
                if nombre not in acumulado:
                    acumulado.add(nombre)
                    referidos(esquemas.get(nombre, {}), acumulado)
            for v in nodo.values():
                referidos(v, acumulado)
        elif isinstance(nodo, list):
            for v in nodo:
                referidos(v, acumulado)

    entradas = set()
    for ops in doc["paths"].values():
        for op in ops.values():
            referidos(op.get("requestBody", {}), entradas)
            referidos(op.get("responses", {}), salidas)
    for nombre, esquema in esquemas.items():
        for prop in [p for p, v in esquema.get("properties", {}).items() if v.get("x-omitir")]:
            del esquema["properties"][prop]
        if nombre in entradas:
            esquema["additionalProperties"] = False
        elif esquema.get("additionalProperties") is False:
            # Lo que responde puede ganar campos (el contrato lo permite): un cliente no debe romperse.
            del esquema["additionalProperties"]
        esquema.update(extras.get(nombre, {}))


def _error_con_enum(doc):
    error = doc["components"]["schemas"]["Error"]
    error["properties"]["error"]["enum"] = CODIGOS_ERROR
    error["properties"]["error"]["description"] = "Código del contrato (estable; el mensaje puede cambiar)"
    error["properties"]["mensaje"]["description"] = "Frase en español para mostrar a la persona"
    error["properties"]["detalles"]["description"] = (
        "VALIDACION: cada campo con la lista de sus mensajes; DUPLICADO: `id` de lo que ya existe; "
        "ERROR_INTERNO: `referencia`; METODO_NO_PERMITIDO: `metodos_permitidos`")


def _nulos_precisos(valor):
    """apispec escribe un objeto anidado que admite null como anyOf [{type: object, nullable}, $ref]: la primera
    rama admite cualquier objeto. Aquí: el objeto del esquema, o null."""
    if isinstance(valor, dict):
        ramas = valor.get("anyOf")
        if isinstance(ramas, list) and len(ramas) == 2 and ramas[0] == {"type": "object", "nullable": True} \
                and "$ref" in ramas[1]:
            valor = {**{k: v for k, v in valor.items() if k != "anyOf"},
                     "anyOf": [ramas[1], {"type": "object", "nullable": True, "enum": [None]}]}
        return {k: _nulos_precisos(v) for k, v in valor.items()}
    if isinstance(valor, list):
        return [_nulos_precisos(v) for v in valor]
    return valor


def _sin_decimales(valor):
    """apispec deja Decimal (p. ej. multipleOf de un monto): JSON Schema quiere números."""
    if isinstance(valor, dict):
        return {k: _sin_decimales(v) for k, v in valor.items()}
    if isinstance(valor, list):
        return [_sin_decimales(v) for v in valor]
    if isinstance(valor, Decimal):
        return float(valor)
    return valor


