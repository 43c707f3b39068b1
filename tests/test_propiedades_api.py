"""Clientes hostiles generados del propio openapi.json con schemathesis 4, como lo corre quien integra:
todas las comprobaciones (`--checks all`) y las fases de cobertura, de datos al azar y con estado (los enlaces
del documento: lo creado se lee, se corrige y se usa). No debe encontrar nada.

Es el comando `st run` de schemathesis contra el sistema real (el mismo que repite una revisión a mano), con
15 ejemplos por operación y una semilla fija; cada rol en su corrida, cada una en su municipio de pruebas
(0415) o en las operaciones de su rol. Tiempo: unos 3 minutos en 2 núcleos.
"""
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integracion

EJEMPLOS = 15
SEMILLA = 18
M = "0415"  # municipio propio de esta prueba: lo que el fuzzing crea no se mezcla con otras pruebas
CONTRASENA = "contrasena-de-fuzzing-0415"
ST = Path(sys.executable).with_name("st")

# Fuera del fuzzing, documentadas igual: una contraseña al azar en /auth/token cuenta como fallo de la
# dirección de las pruebas (las demás pruebas de la sesión recibirían 429 al entrar) y en /yo/contrasena
# bloquea la cuenta. PUT /municipios/{codigo} movería municipios reales de la demo entre mancomunidades (las
# cifras de la región de otras pruebas cambiarían).
EXCLUIDAS = ["/api/v1/auth/token", "/api/v1/yo/contrasena", "/api/v1/municipios/{codigo}"]


def _usuarias_propias(sistema):
    """coordinadora.0415 y tecnica.0415, creadas por la admin de la demo (una vez por sesión)."""
    for rol in ("coordinadora", "tecnica"):
        r = sistema.api.post("/api/v1/usuarios", "admin", json={
            "usuario": f"{rol}.{M}", "nombre": f"{rol.title()} de fuzzing", "contrasena": CONTRASENA,
            "rol": rol, "municipio": M})
        assert r.status_code in (201, 409), r.text
    return {rol: sistema.api.http.post(f"{sistema.api.base}/api/v1/auth/token", json={
        "usuario": f"{rol}.{M}", "contrasena": CONTRASENA}).json()["access_token"] for rol in ("coordinadora",)}


def _st(sistema, token, tmp_path, *filtros):
    reporte = tmp_path / "st.txt"
    orden = [str(ST), "run", f"{sistema.api.base}/api/v1/openapi.json", "--checks", "all",
             "--phases", "coverage,fuzzing,stateful", "--max-examples", str(EJEMPLOS), "--seed", str(SEMILLA),
             "--workers", "2", "--request-timeout", "30", "-H", f"Authorization: Bearer {token}",
             *[a for ruta in EXCLUIDAS for a in ("--exclude-path", ruta)], *filtros]
    r = subprocess.run(orden, capture_output=True, text=True, timeout=600)
    reporte.write_text(r.stdout + r.stderr)
    resumen = r.stdout[r.stdout.find("SUMMARY"):]
    assert r.returncode == 0 and "Failures:" not in resumen, r.stdout[-12000:]
    return resumen


def test_coordinadora_todas_las_operaciones(sistema, tmp_path):
    token = _usuarias_propias(sistema)["coordinadora"]
    resumen = _st(sistema, token, tmp_path)
    assert "Stateful" in resumen and "✅ Stateful" in resumen, resumen


def test_mancomunidad_region_e_informe(sistema, tmp_path):
    _st(sistema, sistema.api.token("mancomunidad.mamcopaz"), tmp_path, "--include-tag", "region",
        "--include-tag", "reportes")


def test_admin_administracion(sistema, tmp_path):
    _st(sistema, sistema.api.token("admin"), tmp_path, "--include-tag", "administracion")
