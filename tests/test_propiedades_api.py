"""Clientes hostiles generados del propio openapi.json (schemathesis): nunca un 5xx, cada 4xx con el
formato del contrato, y las respuestas como el documento dice. Número de ejemplos acotado."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

pytestmark = pytest.mark.integracion

# Una usuaria por rol; /auth/token y /yo/contrasena quedan fuera: contraseñas al azar bloquearían la dirección
# de las pruebas o las cuentas de la demo (un fallo con la contraseña actual cuenta como uno al entrar).
USUARIAS = ["coordinadora.0309", "tecnica.0309", "promotora.0309", "cis.0309", "mancomunidad.mamcopaz", "admin"]
EJEMPLOS = 25
HILOS = ThreadPoolExecutor(len(USUARIAS))


@pytest.fixture(scope="module")
def esquema_api(sistema):
    esquema = schemathesis.from_uri(f"{sistema.api.base}/api/v1/openapi.json", base_url=sistema.api.base)
    return esquema.exclude(path=["/api/v1/auth/token", "/api/v1/yo/contrasena"])


esquema = schemathesis.from_pytest_fixture("esquema_api")


@esquema.parametrize()
@settings(max_examples=EJEMPLOS, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_ningun_5xx_y_errores_del_contrato(case, sistema):
    # Las seis usuarias a la vez (el caso es el mismo; cada una con su token): el servidor trabaja mientras
    # schemathesis valida.
    tokens = [sistema.api.token(u) for u in USUARIAS]
    respuestas = list(HILOS.map(lambda t: case.call(headers={"Authorization": f"Bearer {t}"}, timeout=30), tokens))
    for respuesta in respuestas:
        case.validate_response(respuesta, checks=(not_a_server_error, status_code_conformance,
                                                  response_schema_conformance))
        if respuesta.status_code >= 400:
            cuerpo = respuesta.json()
            assert set(cuerpo) == {"error", "mensaje", "detalles"}, cuerpo
            assert isinstance(cuerpo["mensaje"], str) and cuerpo["mensaje"]
