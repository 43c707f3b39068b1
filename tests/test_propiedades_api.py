"""Clientes hostiles generados del propio openapi.json con schemathesis 4, como lo corre quien integra:
todas las comprobaciones (`--checks all`) y las fases de cobertura, de datos al azar y con estado (los enlaces
del documento: lo creado se lee, se corrige y se usa). No debe encontrar nada.

Es el comando `st run` de schemathesis contra el sistema real (el mismo que repite una revisión a mano), con
15 ejemplos por operación y una semilla fija; cada rol en su corrida, cada una en su municipio de pruebas
(0415) o en las operaciones de su rol. Tiempo: unos 3 minutos en 2 núcleos.
"""
import re
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
RAIZ = Path(__file__).resolve().parents[1]

# Fuera del fuzzing, documentadas igual: una contraseña al azar en /auth/token cuenta como fallo de la
# dirección de las pruebas (las demás pruebas de la sesión recibirían 429 al entrar) y en /yo/contrasena
# bloquea la cuenta. Las demás cambian lo que otras pruebas de la misma sesión usan: PUT /municipios/{codigo}
# movería municipios de la demo entre mancomunidades; PATCH /usuarios/{usuario_id} y el restablecimiento
# (la fase con estado toma ids de GET /usuarios) desactivarían o cambiarían la contraseña de sus cuentas.
# POST /auth/salida cerraría el token con el que corre el resto del fuzzing (todo daría 401 desde ahí).
EXCLUIDAS = ["/api/v1/auth/token", "/api/v1/yo/contrasena", "/api/v1/municipios/{codigo}",
             "/api/v1/usuarios/{usuario_id}", "/api/v1/usuarios/{usuario_id}/restablecimiento",
             "/api/v1/auth/salida"]


def _usuarias_propias(sistema):
    """coordinadora.0415 y tecnica.0415, creadas por la admin de la demo (una vez por sesión)."""
    for rol in ("coordinadora", "tecnica"):
        r = sistema.api.post("/api/v1/usuarios", "admin", json={
            "usuario": f"{rol}.{M}", "nombre": f"{rol.title()} de fuzzing", "contrasena": CONTRASENA,
            "rol": rol, "municipio": M})
        assert r.status_code in (201, 409), r.text
    return {rol: sistema.api.http.post(f"{sistema.api.base}/api/v1/auth/token", json={
        "usuario": f"{rol}.{M}", "contrasena": CONTRASENA}).json()["access_token"] for rol in ("coordinadora",)}


def _hallazgos(salida):
    """[(operación, código, respuesta)] de cada hallazgo del informe de `st run`."""
    fallas = salida[salida.find("= FAILURES ="):salida.find("= WARNINGS =")] if "= FAILURES =" in salida else ""
    hallazgos, operacion = [], None
    for bloque in re.split(r"\n(?=_{3,} .* _{3,}\n|\d+\. Test Case ID)", fallas):
        titulo = re.match(r"_{3,} (.*?) _{3,}", bloque.strip())
        if titulo:
            operacion = titulo.group(1)
        respuesta = re.search(r"\[\d{3}\] [^\n]*:\n\n\s*(.*)", bloque)
        for codigo in re.findall(r"^- (ST\d+)", bloque, re.M):
            hallazgos.append((operacion, codigo, respuesta.group(1)[:600] if respuesta else ""))
    return hallazgos


def _st(sistema, token, tmp_path, *filtros, fases="coverage,fuzzing,stateful"):
    reporte = tmp_path / "st.txt"
    orden = [str(ST), "run", f"{sistema.api.base}/api/v1/openapi.json", "--checks", "all",
             "--phases", fases, "--max-examples", str(EJEMPLOS), "--seed", str(SEMILLA),
             "--request-timeout", "30", "-H", f"Authorization: Bearer {token}",
             *[a for ruta in EXCLUIDAS for a in ("--exclude-path", ruta)], *filtros]
    # Desde la raíz del repositorio: schemathesis.toml le da archivos de verdad para las subidas.
    r = subprocess.run(orden, capture_output=True, text=True, timeout=900, cwd=RAIZ)
    reporte.write_text(r.stdout + r.stderr)
    resumen = r.stdout[r.stdout.find("SUMMARY"):]
    assert "Tested:" in resumen, r.stdout[-5000:] + r.stderr[-3000:]
    # Nada: las reglas entre campos que JSON Schema no puede decir son 409 DATOS_INCOHERENTES, no 400.
    assert r.returncode == 0 and not _hallazgos(r.stdout), (_hallazgos(r.stdout), r.stdout[-12000:])
    return resumen


def test_coordinadora_todas_las_operaciones(sistema, tmp_path):
    token = _usuarias_propias(sistema)["coordinadora"]
    resumen = _st(sistema, token, tmp_path)
    # La fase con estado corrió (sigue los enlaces del documento) y no encontró nada.
    fase = re.search(r"^\s*(\S+)\s+Stateful", resumen, re.M)
    assert fase and fase.group(1) == "✅", resumen


def test_admin_administracion(sistema, tmp_path):
    _st(sistema, sistema.api.token("admin"), tmp_path, "--include-tag", "administracion")


def test_mancomunidad_region_y_reportes(sistema, tmp_path):
    # Las reglas de su rol (meses completos, «municipio» para el POA y el logo) son 403 con el campo, no 400:
    # el documento no puede atar un parámetro a un rol. Solo lee: no toca lo que usan otras pruebas.
    _st(sistema, sistema.api.token("mancomunidad.mamcopaz"), tmp_path,
        "--include-tag", "region", "--include-tag", "reportes", "--include-tag", "acceso",
        fases="coverage,fuzzing")  # sin enlaces entre sus lecturas: no hay fase con estado que correr
