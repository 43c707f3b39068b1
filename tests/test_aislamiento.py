"""Matriz de aislamiento generada: cada ruta del gateway x cada rol x municipio propio/ajeno.

Los permisos esperados salen del CONTRATO (tabla de abajo, escrita a mano), no del registro de
rutas del gateway: si una ruta se declara con roles de más o de menos, esta prueba lo ve.
"""
import base64
import itertools
import json
import re
from datetime import datetime, timedelta, timezone

import jwt as pyjwt
import pytest
from nameko.exceptions import RemoteError

import gateway.service  # noqa: F401  (registra todas las rutas)
from gateway.http import RUTAS
from omm_common.contexto import Identidad, emitir_token
from omm_common.errores import desde_error_remoto
from omm_pruebas import cliente_rpc, token
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

ROLES = ("coordinadora", "tecnica", "promotora", "cis", "mancomunidad", "admin")
OFICINA = ("coordinadora", "tecnica", "promotora")
CASOS = ("coordinadora", "tecnica")

# (método, expresión de la ruta) -> roles con permiso, según ../shared/CONTRACT.md
PERMISOS = [
    ("GET", r"^/api/v1/yo$", ROLES),
    ("POST", r"^/api/v1/yo/contrasena$", ROLES),
    ("POST", r"^/api/v1/auth/salida$", ROLES),
    ("GET", r"^/api/v1/municipios$", ROLES),
    ("PUT", r"^/api/v1/municipios/", ("admin",)),
    ("GET", r"^/api/v1/mancomunidades$", ROLES),
    ("POST", r"^/api/v1/mancomunidades$", ("admin",)),
    ("GET", r"^/api/v1/usuarios$", ("admin", "coordinadora")),
    ("POST", r"^/api/v1/usuarios$", ("admin",)),
    ("PATCH", r"^/api/v1/usuarios/", ("admin",)),
    ("POST", r"^/api/v1/usuarios/<usuario_id>/restablecimiento$", ("admin",)),
    ("POST", r"^/api/v1/ayudas/tipos$", ("coordinadora", "tecnica")),
    ("PUT", r"^/api/v1/ayudas/presupuesto", ("coordinadora",)),
    ("GET", r"^/api/v1/ayudas/presupuesto", ("coordinadora", "tecnica")),
    ("POST", r"^/api/v1/ayudas/inventario/movimientos$", ("coordinadora", "tecnica")),
    ("GET", r"^/api/v1/ayudas/exportacion$", ("coordinadora", "tecnica")),
    ("POST", r"^/api/v1/ayudas/beneficiarias/<beneficiaria_id>/fusion$", ("coordinadora",)),
    ("POST", r"^/api/v1/ayudas/entregas/<entrega_id>/anulacion$", ("coordinadora",)),
    ("GET", r"^/api/v1/ayudas/entregas/lista$", ("coordinadora", "tecnica")),
    ("ANY", r"^/api/v1/ayudas/", OFICINA),
    ("GET", r"^/api/v1/casos/<caso_id>/auditoria$", ("coordinadora",)),
    ("POST", r"^/api/v1/casos/<caso_id>/reapertura$", ("coordinadora",)),
    ("PUT", r"^/api/v1/casos/<caso_id>/responsable$", ("coordinadora",)),
    ("ANY", r"^/api/v1/casos", CASOS),
    # El CIS lee el club de embarazadas (lista y detalle; el servicio filtra el tipo).
    ("GET", r"^/api/v1/capacitaciones(/<capacitacion_id>)?$", OFICINA + ("cis",)),
    ("DELETE", r"^/api/v1/capacitaciones/<capacitacion_id>/fotos/", ("coordinadora",)),
    ("ANY", r"^/api/v1/capacitaciones", OFICINA),
    ("POST", r"^/api/v1/notificaciones/<notificacion_id>/acuse$", ("cis",)),
    ("GET", r"^/api/v1/notificaciones/resumen$", ("coordinadora",)),
    ("POST", r"^/api/v1/notificaciones/<notificacion_id>/reintento$", ("coordinadora",)),
    ("ANY", r"^/api/v1/notificaciones/reglas", ("coordinadora",)),
    ("ANY", r"^/api/v1/notificaciones/destinatarios$", ("coordinadora", "admin")),
    ("POST", r"^/api/v1/notificaciones/destinatarios/<contacto>/confirmacion$", ("coordinadora",)),
    ("GET", r"^/api/v1/notificaciones$", ("coordinadora", "cis")),
    ("GET", r"^/api/v1/region/", ("mancomunidad",)),
    ("ANY", r"^/api/v1/reportes/textos$", ("coordinadora",)),
    ("PUT", r"^/api/v1/reportes/logo$", ("coordinadora",)),
    ("GET", r"^/api/v1/reportes/logo$", ("coordinadora", "tecnica", "mancomunidad")),
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
        if ruta == "/api/v1/auth/salida":
            api.tokens.pop(usuaria, None)  # ese token ya no vale: las demás pruebas entran de nuevo
        if rol in esperados:
            # Un 403 que nombra un campo es de un valor que el rol no puede pedir (la mancomunidad sin «municipio»
            # para el logo), no de la ruta: la ruta la deja pasar.
            de_un_campo = r.status_code == 403 and any(isinstance(v, list) for v in r.json()["detalles"].values())
            assert r.status_code != 401 and (r.status_code != 403 or de_un_campo), \
                f"{rol} debería poder {metodo} {ruta}: {r.text}"
        else:
            assert r.status_code == 403, f"{rol} no debería poder {metodo} {ruta}: {r.status_code} {r.text}"
            assert r.json()["error"] == "PROHIBIDO" and r.json()["detalles"] == {"rol": rol}, r.text
        if r.status_code == 200 and not r.headers.get("Content-Type", "").startswith("application/json"):
            # Un archivo (recibo, lista, exportación, foto, informe) nombra personas: nunca en caché.
            assert r.headers.get("Cache-Control") == "no-store", f"{metodo} {ruta} para {rol}: archivo sin no-store"
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


# --- municipio propio / ajeno con registros reales, y tokens o contextos falsificados ---

HOY = hoy_honduras().isoformat()
CUERPOS = {  # un cuerpo válido por ruta con id: el 404 de lo ajeno no puede esconderse detrás de un 400
    "/api/v1/capacitaciones/<capacitacion_id>/sesiones": {"fecha": "2099-01-10"},
    "/api/v1/capacitaciones/<capacitacion_id>/inscripciones": None,  # se genera: una persona nueva por llamada
    "/api/v1/capacitaciones/<capacitacion_id>/sesiones/<sesion_id>/asistencia": {"presentes": []},
    "/api/v1/capacitaciones/<capacitacion_id>/sesiones/<sesion_id>": {"fecha": "2099-01-10", "motivo": "Aislamiento."},
    "/api/v1/capacitaciones/<capacitacion_id>/sesiones/<sesion_id>/cancelacion": {"motivo": "Aislamiento."},
    "/api/v1/capacitaciones/<capacitacion_id>/sesiones/<sesion_id>/conteo": {"mujeres": 3},
    "/api/v1/casos/<caso_id>/seguimientos": {"fecha": HOY, "tipo": "llamada", "nota": "Nota de aislamiento."},
    "/api/v1/casos/<caso_id>/derivaciones": {"destino": "policia", "motivo": "Motivo de aislamiento."},
    "/api/v1/casos/<caso_id>/cierre": {"motivo": "Cierre de aislamiento."},
    "/api/v1/casos/<caso_id>": {"contexto": "familiar", "motivo": "Corrección de aislamiento."},
    "/api/v1/casos/<caso_id>/valoraciones": {"nivel_riesgo": "medio", "motivo": "Valoración de aislamiento."},
    "/api/v1/casos/<caso_id>/consentimientos": {"servicios": True, "derivacion": True, "estadisticas": False,
                                                "motivo": "Consentimiento de aislamiento."},
    "/api/v1/casos/<caso_id>/reapertura": {"motivo": "Reapertura de aislamiento."},
    "/api/v1/ayudas/beneficiarias/<beneficiaria_id>": {"telefono": "9999-1111", "motivo": "Corrección de aislamiento."},
    # /fusion: lo completa registros_0309 con otra beneficiaria de 0309.
    # /responsable: lo completa registros_0309 con una técnica de 0309.
}
_personas = itertools.count(1)


def _cuerpo(ruta):
    if ruta.endswith("/inscripciones"):
        return {"participante": {"nombres": f"Aislada {next(_personas)}", "apellidos": "Prueba", "comunidad": "X"},
                "consentimiento_salud": False}
    return CUERPOS.get(ruta)


@pytest.fixture(scope="module")
def registros_0309(sistema):
    api, t = sistema.api, "tecnica.0309"
    b = api.post("/api/v1/ayudas/beneficiarias", t, json={
        "nombres": "Aislada", "apellidos": "Matriz", "dni": "0309-1980-00991", "fecha_nacimiento": "1980-01-01",
        "comunidad": "Centro", "condiciones": ["bajos_recursos"], "consentimiento_salud": False}).json()
    c = api.post("/api/v1/capacitaciones", t, json={"titulo": "Taller matriz", "tipo": "taller", "lugar": "Salón",
                                                   "sesiones": [{"fecha": "2026-01-15"}]}).json()
    i = api.post(f"/api/v1/capacitaciones/{c['id']}/inscripciones", t, json=_cuerpo("/inscripciones")).json()
    caso = api.post("/api/v1/casos", t, json={
        "fecha_atencion": HOY, "sobreviviente": {"nombres": "Aislada", "apellidos": "Caso", "comunidad": "Centro"},
        "tipos_violencia": ["psicologica"], "contexto": "pareja", "relato": "Relato de la matriz.",
        "nivel_riesgo": "bajo", "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": False}}).json()
    CUERPOS["/api/v1/casos/<caso_id>/responsable"] = {"usuario_id": api.get("/api/v1/yo", t).json()["id"]}
    otra = api.post("/api/v1/ayudas/beneficiarias", t, json={
        "nombres": "Segunda", "apellidos": "Registro", "motivo_sin_dni": "sin_documento",
        "fecha_nacimiento": "1981-01-01", "comunidad": "Centro", "consentimiento_salud": False}).json()
    CUERPOS["/api/v1/ayudas/beneficiarias/<beneficiaria_id>/fusion"] = {"fusionada_id": otra["id"],
                                                                       "motivo": "Fusión de aislamiento."}
    foto = api.post(f"/api/v1/capacitaciones/{c['id']}/fotos", t, **_foto()).json()
    return {"beneficiaria_id": b["id"], "capacitacion_id": c["id"], "sesion_id": c["sesiones"][0]["id"],
            "inscripcion_id": i["id"], "caso_id": caso["id"], "foto_id": foto["id"]}


def _foto():
    """La subida de una foto es multipart (archivo y leyenda), no JSON."""
    import io
    from PIL import Image
    salida = io.BytesIO()
    Image.new("RGB", (40, 30), "purple").save(salida, "PNG")
    return {"files": {"archivo": ("foto.png", salida.getvalue(), "image/png")}, "data": {"leyenda": "Aislamiento"}}


def _peticion(metodo, ruta):
    if metodo == "POST" and ruta.endswith("/fotos"):
        return _foto()
    return {"json": _cuerpo(ruta)}


def _rutas_de_registros():
    ids = ("beneficiaria_id", "capacitacion_id", "caso_id")
    rutas = sorted({(r.metodo, r.ruta) for r in RUTAS if any(f"<{x}>" in r.ruta for x in ids)},
                   # el cierre al final: después no se escribe más; antes, lo que borra (la foto)
                   key=lambda x: (x[1].endswith("/cierre"), x[0] == "DELETE"))
    return rutas


def test_un_registro_de_otro_municipio_es_404_para_cada_rol_y_ruta(sistema, registros_0309):
    api = sistema.api
    for metodo, ruta in _rutas_de_registros():
        concreta = re.sub(r"<([a-z_]+)>", lambda m: registros_0309[m.group(1)], ruta)
        for rol in permitidos(metodo, ruta):
            ajena = api.pedir(metodo, concreta, f"{rol}.0302", **_peticion(metodo, ruta))
            assert ajena.status_code == 404 and ajena.json()["error"] == "NO_ENCONTRADO", (
                f"{rol}.0302 {metodo} {ruta}: {ajena.status_code} {ajena.text[:200]}")
        propia = api.pedir(metodo, concreta, f"{permitidos(metodo, ruta)[0]}.0309", **_peticion(metodo, ruta))
        assert propia.status_code in (200, 201, 409), f"{metodo} {ruta}: {propia.status_code} {propia.text[:200]}"


def test_la_otra_mancomunidad_no_ve_nada_de_esta(sistema):
    api, usuaria = sistema.api, "mancomunidad.mansucoh"
    region = api.get("/api/v1/region/estadisticas", usuaria).json()
    assert region["municipios"] == ["0318"]
    assert "0309" not in json.dumps(region)
    for ruta in ("/api/v1/reportes/informe?municipio=0309", "/api/v1/poa/2026?municipio=0309"):
        r = api.get(ruta, usuaria)
        assert r.status_code == 404 and r.json()["error"] == "NO_ENCONTRADO", ruta


def _tokens_falsos(api):
    valido = api.token("coordinadora.0309")
    cabecera, carga, firma = valido.split(".")
    reclamos = json.loads(base64.urlsafe_b64decode(carga + "=" * (-len(carga) % 4)))
    cambiada = base64.urlsafe_b64encode(json.dumps({**reclamos, "rol": "admin"}).encode()).rstrip(b"=").decode()
    identidad = Identidad(usuario_id=reclamos["sub"], usuario="coordinadora.0309", rol="coordinadora",
                          municipio="0309")
    return {
        "vencido": emitir_token(identidad, minutos=1, ahora=datetime.now(timezone.utc) - timedelta(hours=2)),
        "otra_clave": pyjwt.encode({**reclamos, "exp": reclamos["exp"]}, "otra-clave-" + "x" * 40,
                                   algorithm="HS256"),
        "rol_cambiado": f"{cabecera}.{cambiada}.{firma}",
        "sin_firma": f"{cabecera}.{carga}.",
    }


def test_tokens_vencidos_de_otra_clave_o_alterados_son_401_en_cada_ruta(sistema):
    api = sistema.api
    falsos = _tokens_falsos(api)
    for metodo, ruta in _rutas_protegidas():
        for nombre, falso in falsos.items():
            r = api.pedir(metodo, _concreta(ruta), cabeceras={"Authorization": f"Bearer {falso}"},
                          json={} if metodo in ("POST", "PUT", "PATCH") else None)
            assert r.status_code == 401 and r.json()["error"] == "NO_AUTENTICADO", f"{nombre}: {metodo} {ruta}"


@pytest.mark.parametrize("servicio, metodo, args", [
    ("casos", "listar_casos", ({},)), ("ayudas", "listar_tipos", ()),
    ("capacitaciones", "listar_capacitaciones", ({},)), ("notificaciones", "listar", ({},)),
    ("casos", "agregados", (None, None, ["0309"])), ("ayudas", "agregados", (None, None, ["0309"])),
])
def test_contexto_falsificado_por_rpc_directo_a_cada_servicio(sistema, servicio, metodo, args):
    falsos = {**_tokens_falsos(sistema.api), "ninguno": None}
    for nombre, falso in falsos.items():
        with cliente_rpc(sistema.amqp, falso) as rpc:
            with pytest.raises(RemoteError) as e:
                getattr(getattr(rpc, servicio), metodo)(*args)
        assert desde_error_remoto(e.value).codigo == "NO_AUTENTICADO", (nombre, e.value.exc_type)
    # Un token bueno de una usuaria no alcanza para lo que solo pide otro servicio.
    if metodo == "agregados":
        # (El de la API ni siquiera abre la puerta por AMQP: es de otra audiencia; issue 16.)
        with cliente_rpc(sistema.amqp, sistema.api.token("coordinadora.0309")) as rpc:
            with pytest.raises(RemoteError) as e:
                getattr(getattr(rpc, servicio), metodo)(*args)
        assert desde_error_remoto(e.value).codigo == "NO_AUTENTICADO"
        # El de RPC que el gateway le daría a una coordinadora: autenticada, pero sin permiso.
        with cliente_rpc(sistema.amqp, token("coordinadora", "0309")) as rpc:
            with pytest.raises(RemoteError) as e:
                getattr(getattr(rpc, servicio), metodo)(*args)
        assert desde_error_remoto(e.value).codigo == "PROHIBIDO"
