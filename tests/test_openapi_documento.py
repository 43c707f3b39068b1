"""El documento OpenAPI sin levantar nada: completo (operationId, descripción, respuestas con esquema, ejemplos)
y con ejemplos que el mismo marshmallow que valida acepta, igual que el JSON Schema del documento."""
import copy
import re
from datetime import date

import jsonschema
import pytest

from gateway import service  # noqa: F401  (registra todas las rutas)
from gateway.ejemplos import EJEMPLOS
from gateway.http import RUTAS
from gateway.openapi import documento, patron_dni, patron_fechas, ultimo_del_mes
from omm_common.errores import ESTADO_HTTP
from omm_common.esquemas import cargar

DOC = documento()
OPERACIONES = [(camino, metodo, op) for camino, ops in DOC["paths"].items() for metodo, op in ops.items()]


def _json_schema(nodo):
    """OpenAPI 3.0 -> JSON Schema: `nullable` como el tipo null (lo demás es igual)."""
    if isinstance(nodo, dict):
        nodo = {k: _json_schema(v) for k, v in nodo.items()}
        if nodo.pop("nullable", False):
            if "type" in nodo:
                nodo["type"] = [nodo["type"], "null"]
            if "enum" in nodo and None not in nodo["enum"]:
                nodo["enum"] = [*nodo["enum"], None]
            if "$ref" in nodo or "anyOf" in nodo:
                nodo = {"anyOf": [nodo, {"type": "null"}]}
        return nodo
    if isinstance(nodo, list):
        return [_json_schema(v) for v in nodo]
    return nodo


def _validador(esquema):
    raiz = {**_json_schema(copy.deepcopy(esquema)), "components": _json_schema(DOC["components"])}
    return jsonschema.Draft4Validator(raiz, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def test_cada_operacion_con_nombre_descripcion_y_respuestas():
    ids = [op["operationId"] for _, _, op in OPERACIONES]
    assert len(ids) == len(set(ids)) == len(RUTAS)
    for camino, metodo, op in OPERACIONES:
        assert re.fullmatch(r"[a-z][a-z0-9_]+", op["operationId"]), op["operationId"]
        assert len(op["description"]) > 20 and op["summary"], (camino, metodo)
        respuestas = op["responses"]
        for estado in ("405", "500"):
            assert estado in respuestas, (camino, metodo, estado)
        for estado, respuesta in respuestas.items():
            assert respuesta["description"], (camino, metodo, estado)
            if int(estado) >= 400 and int(estado) != 503 or camino.startswith("/api/"):
                assert "content" in respuesta, (camino, metodo, estado)
        if "security" in op and op["security"]:
            assert {"401", "403"} <= set(respuestas), (camino, metodo)


def test_error_con_los_codigos_del_contrato_y_listas_con_el_envoltorio():
    error = DOC["components"]["schemas"]["Error"]
    assert set(ESTADO_HTTP) <= set(error["properties"]["error"]["enum"])
    assert sorted(error["required"]) == ["detalles", "error", "mensaje"]
    for lista in ("PaginaCasos", "PaginaBeneficiarias", "PaginaEntregas", "PaginaNotificaciones"):
        partes = DOC["components"]["schemas"][lista]["allOf"]
        assert partes[0] == {"$ref": "#/components/schemas/Pagina"}
        assert partes[1]["properties"]["items"]["items"]["$ref"].startswith("#/components/schemas/")
    for camino in ("/api/v1/region/estadisticas", "/api/v1/reportes/informe"):
        assert DOC["paths"][camino]["get"]["responses"]["200"]["content"]["application/json"]["schema"]


@pytest.mark.parametrize("ruta", [r for r in RUTAS if r.cuerpo is not None], ids=lambda r: r.funcion.__name__)
def test_el_ejemplo_de_cada_cuerpo_valida_con_marshmallow_y_con_el_documento(ruta):
    nombre = ruta.funcion.__name__
    ejemplo = EJEMPLOS[nombre]
    camino = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", ruta.ruta)
    cuerpo = DOC["paths"][camino][ruta.metodo.lower()]["requestBody"]["content"]["application/json"]
    assert cuerpo["example"] == ejemplo
    _validador(cuerpo["schema"]).validate(ejemplo)
    esquema = ruta.cuerpo() if isinstance(ruta.cuerpo, type) else ruta.cuerpo
    cargar(esquema, ejemplo)  # lanza ErrorValidacion (con el campo) si el ejemplo no vale


def test_un_cuerpo_con_un_campo_de_mas_o_de_otro_tipo_no_valida_en_el_documento():
    esquema = DOC["paths"]["/api/v1/ayudas/beneficiarias"]["post"]["requestBody"]["content"]["application/json"]
    validador = _validador(esquema["schema"])
    assert not validador.is_valid({**EJEMPLOS["crear_beneficiaria"], "color": "azul"})
    assert not validador.is_valid({**EJEMPLOS["crear_beneficiaria"], "consentimiento_salud": 1})
    assert not validador.is_valid({**EJEMPLOS["crear_beneficiaria"], "nombres": "   "})
    sin_dni = {k: v for k, v in EJEMPLOS["crear_beneficiaria"].items() if k != "dni"}
    assert not validador.is_valid(sin_dni)  # sin DNI, el motivo
    assert validador.is_valid({**sin_dni, "motivo_sin_dni": "sin_documento"})


def test_patrones_de_fechas_y_dni():
    hoy = date(2026, 12, 3)
    fechas = re.compile(patron_fechas(date(1900, 1, 1), hoy))
    assert fechas.match("1900-01-01") and fechas.match("2026-12-03") and fechas.match("1999-07-31")
    assert not fechas.match("2026-12-04") and not fechas.match("1899-12-31") and not fechas.match("2027-01-01")
    ultimo = re.compile(f"^{ultimo_del_mes(1900, 2100)}$")
    assert ultimo.match("2026-02-28") and ultimo.match("2024-02-29") and ultimo.match("2026-04-30")
    assert not ultimo.match("2024-02-28") and not ultimo.match("2026-04-29") and not ultimo.match("2000-02-28")
    dni = re.compile(patron_dni(hoy))
    assert dni.match("0309-1985-00123") and dni.match("0309198500123") and dni.match(" 0309 1985 00123 ")
    assert not dni.match("9999-1985-00123") and not dni.match("0309-1899-00123") and not dni.match("0309-2027-00123")
