"""Matriz de aislamiento generada: cada ruta del gateway x cada rol x municipio propio/ajeno.

Los permisos esperados salen del CONTRATO (tabla de abajo, escrita a mano), no del registro de
rutas del gateway: si una ruta se declara con roles de más o de menos, esta prueba lo ve.
"""
import re

import pytest

import gateway.service  # noqa: F401  (registra todas las rutas)
from gateway.http import RUTAS

pytestmark = pytest.mark.integracion

ROLES = ("coordinadora", "tecnica", "promotora", "cis", "mancomunidad", "admin")
OFICINA = ("coordinadora", "tecnica", "promotora")
CASOS = ("coordinadora", "tecnica")

# (método, expresión de la ruta) -> roles con permiso, según ../shared/CONTRACT.md
PERMISOS = [
    ("GET", r"^/api/v1/yo$", ROLES),
    ("GET", r"^/api/v1/municipios$", ROLES),
    ("POST", r"^/api/v1/usuarios$", ("admin",)),
    ("PATCH", r"^/api/v1/usuarios/", ("admin",)),
    ("POST", r"^/api/v1/ayudas/tipos$", ("coordinadora", "tecnica")),
    ("PUT", r"^/api/v1/ayudas/presupuesto", ("coordinadora",)),
    ("GET", r"^/api/v1/ayudas/presupuesto", ("coordinadora", "tecnica")),
    ("POST", r"^/api/v1/ayudas/inventario/movimientos$", ("coordinadora", "tecnica")),
    ("GET", r"^/api/v1/ayudas/exportacion$", ("coordinadora", "tecnica")),
    ("ANY", r"^/api/v1/ayudas/", OFICINA),
    ("GET", r"^/api/v1/casos/<caso_id>/auditoria$", ("coordinadora",)),
    ("ANY", r"^/api/v1/casos", CASOS),
    ("ANY", r"^/api/v1/capacitaciones", OFICINA),
    ("POST", r"^/api/v1/notificaciones/<notificacion_id>/acuse$", ("cis",)),
    ("GET", r"^/api/v1/notificaciones/resumen$", ("coordinadora",)),
    ("POST", r"^/api/v1/notificaciones/<notificacion_id>/reintento$", ("coordinadora",)),
    ("ANY", r"^/api/v1/notificaciones/reglas", ("coordinadora",)),
    ("ANY", r"^/api/v1/notificaciones/destinatarios$", ("coordinadora", "admin")),
    ("GET", r"^/api/v1/notificaciones$", ("coordinadora", "cis")),
    ("GET", r"^/api/v1/region/", ("mancomunidad",)),
    ("ANY", r"^/api/v1/reportes/textos$", ("coordinadora",)),
    ("GET", r"^/api/v1/reportes/", ("coordinadora", "mancomunidad")),
    ("GET", r"^/api/v1/poa/", ("coordinadora", "tecnica", "mancomunidad")),
    ("PUT", r"^/api/v1/poa/", ("coordinadora",)),
]


def permitidos(metodo, ruta):
    for m, patron, roles in PERMISOS:
        if m in (metodo, "ANY") and re.search(patron, ruta):
            return roles
    raise AssertionError(f"{metodo} {ruta} no está en la tabla de permisos: agréguela según el contrato")


def _rutas_protegidas():
    return sorted({(r.metodo, r.ruta) for r in RUTAS if r.roles is not None})


def _concreta(ruta):
    # Un id que existe en otro municipio o que no existe: el rol se decide antes de buscar.
    return re.sub(r"<[a-z_:]*>", "00000000-0000-4000-8000-000000000000", ruta)


@pytest.mark.parametrize("metodo, ruta", _rutas_protegidas())
def test_cada_ruta_protegida_con_cada_rol(sistema, metodo, ruta):
    api = sistema.api
    esperados = permitidos(metodo, ruta)
    for rol in ROLES:
        usuaria = {"mancomunidad": "mancomunidad.mamcopaz", "admin": "admin"}.get(rol, f"{rol}.0309")
        r = api.pedir(metodo, _concreta(ruta), usuaria, json={} if metodo in ("POST", "PUT", "PATCH") else None)
        if rol in esperados:
            assert r.status_code not in (401, 403), f"{rol} debería poder {metodo} {ruta}: {r.text}"
        else:
            assert r.status_code == 403, f"{rol} no debería poder {metodo} {ruta}: {r.status_code} {r.text}"
            assert r.json()["error"] == "PROHIBIDO"
        # Sin token, siempre 401.
    assert api.pedir(metodo, _concreta(ruta)).status_code == 401


def test_la_tabla_de_permisos_cubre_el_contrato():
    """Toda ruta del contrato debe estar registrada en el gateway."""
    registradas = {(r.metodo, r.ruta) for r in RUTAS}
    del_contrato = [
        ("POST", "/api/v1/auth/token"), ("GET", "/api/v1/yo"), ("GET", "/api/v1/municipios"),
        ("POST", "/api/v1/usuarios"), ("PATCH", "/api/v1/usuarios/<usuario_id>"),
        ("GET", "/api/v1/ayudas/tipos"), ("POST", "/api/v1/ayudas/tipos"),
        ("POST", "/api/v1/ayudas/beneficiarias"), ("GET", "/api/v1/ayudas/beneficiarias"),
        ("GET", "/api/v1/ayudas/beneficiarias/<beneficiaria_id>"),
        ("POST", "/api/v1/ayudas/entregas"), ("GET", "/api/v1/ayudas/entregas"),
        ("GET", "/health"), ("GET", "/api/v1/openapi.json"),
        ("GET", "/api/v1/region/estadisticas"), ("GET", "/api/v1/reportes/informe"),
    ]
    faltan = [r for r in del_contrato if r not in registradas]
    assert not faltan, faltan
