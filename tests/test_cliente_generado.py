"""Un cliente Python generado del /api/v1/openapi.json del sistema real (openapi-python-client, fijado en
constraints.txt), como lo haría otro sistema de la región: entra, registra una beneficiaria, le entrega una
ayuda y la lee de vuelta, solo con las funciones y modelos generados (nombres del operationId).

Municipio propio de esta prueba: 0416.
"""
import importlib
import json
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

M = "0416"
CONTRASENA = "contrasena-del-cliente-0416"
GENERADOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def cliente_generado(sistema, tmp_path_factory):
    carpeta = tmp_path_factory.mktemp("cliente")
    documento = sistema.api.get("/api/v1/openapi.json")
    assert documento.status_code == 200
    (carpeta / "openapi.json").write_text(documento.text)
    (carpeta / "config.yml").write_text("project_name_override: omm-cliente\npackage_name_override: omm_cliente\n")
    r = subprocess.run([str(GENERADOR), "generate", "--path", "openapi.json", "--config", "config.yml",
                        "--meta", "none", "--output-path", "omm_cliente"], cwd=carpeta, capture_output=True,
                       text=True, timeout=300, env={"PATH": str(GENERADOR.parent)})
    assert r.returncode == 0, r.stdout + r.stderr
    # Lo único que el generador deja fuera son las respuestas de archivo (PDF, imágenes, .xlsx): las demás
    # operaciones, con sus modelos, están.
    avisos = [linea for linea in r.stdout.splitlines() if linea.startswith("Cannot parse")]
    assert all("Unsupported content_type" in a for a in avisos), r.stdout
    sys.path.insert(0, str(carpeta))
    try:
        yield importlib.import_module("omm_cliente")
    finally:
        sys.path.remove(str(carpeta))
        for nombre in [n for n in sys.modules if n == "omm_cliente" or n.startswith("omm_cliente.")]:
            del sys.modules[nombre]


def test_entrar_registrar_entregar_y_leer_con_el_cliente_generado(sistema, cliente_generado):
    for rol in ("coordinadora",):
        r = sistema.api.post("/api/v1/usuarios", "admin", json={
            "usuario": f"{rol}.{M}", "nombre": "Coordinadora del cliente", "contrasena": CONTRASENA, "rol": rol,
            "municipio": M})
        assert r.status_code in (201, 409), r.text
    from omm_cliente import AuthenticatedClient, Client
    from omm_cliente.api.acceso import token, yo
    from omm_cliente.api.ayudas import crear_beneficiaria, crear_tipo_ayuda, obtener_beneficiaria, registrar_entrega
    from omm_cliente.models import (
        BeneficiariaEntrada, EntregaEntrada, TipoAyudaEntrada, TipoAyudaEntradaCategoria, TokenEntrada,
    )

    publico = Client(base_url=sistema.api.base, raise_on_unexpected_status=True)
    sesion = token.sync(client=publico, body=TokenEntrada(usuario=f"coordinadora.{M}", contrasena=CONTRASENA))
    assert sesion.token_type == "bearer" and sesion.usuario.municipio == M
    api = AuthenticatedClient(base_url=sistema.api.base, token=sesion.access_token, raise_on_unexpected_status=True)
    assert yo.sync(client=api).usuario == f"coordinadora.{M}"

    codigo = f"vale_farmacia_{uuid.uuid4().hex[:6]}"
    tipo = crear_tipo_ayuda.sync(client=api, body=TipoAyudaEntrada(
        codigo=codigo, nombre="Vale de farmacia", categoria=TipoAyudaEntradaCategoria.ECONOMICA_MEDICAMENTOS,
        unidad="vale", frecuencia_dias=30, monto_maximo=1500.0))
    assert tipo.codigo == codigo

    dni = f"{M}1984{uuid.uuid4().int % 100000:05d}"
    beneficiaria = crear_beneficiaria.sync(client=api, idempotency_key=uuid.uuid4().hex, body=BeneficiariaEntrada(
        nombres="Marta Lidia", apellidos="Rodríguez Paz", dni=dni, fecha_nacimiento=date(1984, 5, 17),
        comunidad="El Rosario", consentimiento_salud=True))
    assert beneficiaria.dni == dni and uuid.UUID(beneficiaria.id)

    hoy = hoy_honduras()
    entrega = registrar_entrega.sync(client=api, idempotency_key=uuid.uuid4().hex, body=EntregaEntrada(
        beneficiaria_id=uuid.UUID(beneficiaria.id), tipo_codigo=codigo, cantidad=1, monto=800.0, fecha=hoy))
    assert entrega.tipo_codigo == codigo and entrega.beneficiaria_id == beneficiaria.id

    leida = obtener_beneficiaria.sync(client=api, beneficiaria_id=uuid.UUID(beneficiaria.id))
    assert leida.nombres == "Marta Lidia"
    assert [e.id for e in leida.entregas] == [entrega.id], json.dumps(leida.to_dict(), default=str)


def test_la_documentacion_navegable_sin_servidores_de_afuera(sistema):
    """/api/v1/docs: Swagger UI guardado en el repositorio, servido por el gateway con CSP sin nada en línea."""
    import re
    r = sistema.api.get("/api/v1/docs")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    politica = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in politica and "unsafe-inline" not in politica and "default-src 'none'" in politica
    assert "<script>" not in r.text and "style=" not in r.text
    recursos = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert {"/api/v1/docs/swagger-ui-bundle.js", "/api/v1/docs/swagger-ui.css", "/api/v1/docs/omm-docs.js"} <= set(
        recursos)
    assert all(not u.startswith(("http:", "https:", "//")) for u in recursos), recursos
    tipos = {".js": "text/javascript", ".css": "text/css"}
    for recurso in [u for u in recursos if u.startswith("/api/v1/docs/")]:
        a = sistema.api.get(recurso)
        assert a.status_code == 200 and a.headers["Content-Type"].startswith(tipos[recurso[recurso.rfind("."):]])
        assert len(a.content) > 100
    inicio = sistema.api.get("/api/v1/docs/omm-docs.js").text
    assert 'url: "/api/v1/openapi.json"' in inicio and "validatorUrl: null" in inicio
    assert sistema.api.get("/api/v1/docs/LICENSE-swagger-ui").status_code == 404  # solo lo que la página usa
