"""Issue 16, hallazgo 8, jugado como lo haría una administradora curiosa: desviar a su correo el contacto del CIS
de un municipio, crearse una coordinadora o restablecer una contraseña para entrar. Nada de eso pasa en silencio
(la coordinación lo ve en su bandeja y en su correo, el de antes si lo cambiado es el suyo) y el contacto que
cambió la administración recibe los avisos sin el nombre de nadie hasta que la coordinadora lo confirma.
"""
from datetime import timedelta

import pytest

import omm_pruebas
from omm_common.tiempo import hoy_honduras
from omm_pruebas import esperar

pytestmark = pytest.mark.integracion

M = "0421"  # Santa Rita (Copán)
OTRO = "0422"
CIS = "cis.0421@salud.prueba.hn"
ADMIN_CORREO = "curiosa@fuera.prueba.hn"
OFICINA = "omm.0421@prueba.hn"
OFICINA_NUEVO = "otra.oficina@fuera.prueba.hn"


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    for rol in ("coordinadora", "tecnica"):
        r = api.post("/api/v1/usuarios", "admin", json={
            "usuario": f"{rol}.{M}", "nombre": f"{rol.capitalize()} de Santa Rita",
            "contrasena": omm_pruebas.CONTRASENA_PRUEBAS, "rol": rol, "municipio": M})
        assert r.status_code == 201 or r.json()["error"] == "DUPLICADO", r.text
    for c in ({"clave": "cis", "nombre": "CIS Santa Rita", "email": CIS},
              {"clave": "coordinadora", "nombre": "OMM Santa Rita", "email": OFICINA}):
        r = api.put("/api/v1/notificaciones/destinatarios", f"coordinadora.{M}", json=c)
        assert r.status_code == 200 and r.json()["confirmado"] is True, r.text
    return api


def _avisos_de_administracion(api):
    items = api.get("/api/v1/notificaciones", f"coordinadora.{M}", params={"por_pagina": 200}).json()["items"]
    return [n for n in items if n["regla"] == "aviso_administracion" and n["canal"] == "bandeja"
            and n["estado"] == "enviada"]


def _nuevo_aviso(api, vistos, texto):
    """Espera el aviso que dice `texto` y no estaba entre `vistos`."""
    def buscar():
        return [n for n in _avisos_de_administracion(api) if n["id"] not in vistos and texto in n["mensaje"]]
    [n] = esperar(buscar, 60, mensaje=f"aviso a la coordinación: {texto}")
    vistos.add(n["id"])
    return n


def _derivar(api, nombre):
    hoy = hoy_honduras()
    r = api.post("/api/v1/casos", f"tecnica.{M}", json={
        "fecha_atencion": hoy.isoformat(), "fecha_incidente": (hoy - timedelta(days=10)).isoformat(),
        "sobreviviente": {"nombres": nombre, "apellidos": "Paz", "comunidad": "Centro", "telefono": "+504 9421-0000"},
        "tipos_violencia": ["fisica"], "contexto": "pareja", "relato": "relato de prueba", "nivel_riesgo": "medio",
        "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}})
    assert r.status_code == 201, r.text
    d = api.post(f"/api/v1/casos/{r.json()['id']}/derivaciones", f"tecnica.{M}",
                 json={"destino": "cis", "motivo": "Atención en salud", "urgente": False})
    assert d.status_code == 201, d.text
    return r.json()["codigo"]


def test_el_cis_desviado_por_la_administracion_no_recibe_nombres_hasta_que_la_coordinadora_confirma(api, smtp):
    vistos = set()
    r = api.put("/api/v1/notificaciones/destinatarios", "admin", json={
        "clave": "cis", "nombre": "CIS Santa Rita", "email": ADMIN_CORREO, "municipio": M})
    assert r.status_code == 200 and r.json()["confirmado"] is False, r.text
    n = _nuevo_aviso(api, vistos, "cambió el contacto «CIS» (correo)")
    assert "recibe los avisos sin nombres" in n["mensaje"]
    esperar(lambda: [t for t in smtp.textos(OFICINA) if "cambió el contacto «CIS»" in t], 60,
            mensaje="correo a la oficina")

    # Una derivación con consentimiento: al correo desviado llega el aviso, pero sin el nombre ni el teléfono.
    codigo = _derivar(api, "Rosaura")
    [correo] = esperar(lambda: [t for t in smtp.textos(ADMIN_CORREO) if codigo in t], 60,
                       mensaje="aviso de la derivación al contacto sin confirmar")
    assert "Rosaura" not in correo and "9421" not in correo, correo
    assert "Hay una derivación pendiente de atención" in correo

    # La coordinadora lo revisa y lo confirma: desde ahí, como cualquier contacto de la oficina.
    r = api.post("/api/v1/notificaciones/destinatarios/cis/confirmacion", f"coordinadora.{M}")
    assert r.status_code == 200 and r.json()["confirmado"] is True, r.text
    assert api.post("/api/v1/notificaciones/destinatarios/cis/confirmacion", "admin").status_code == 403
    codigo = _derivar(api, "Amparo")
    [correo] = esperar(lambda: [t for t in smtp.textos(ADMIN_CORREO) if codigo in t], 60,
                       mensaje="aviso de la derivación al contacto confirmado")
    assert "Amparo Paz" in correo


def test_cambiar_el_correo_de_la_oficina_se_avisa_al_correo_de_antes(api, smtp):
    r = api.put("/api/v1/notificaciones/destinatarios", "admin", json={
        "clave": "coordinadora", "nombre": "OMM Santa Rita", "email": OFICINA_NUEVO, "municipio": M})
    assert r.status_code == 200 and r.json()["confirmado"] is False, r.text
    esperar(lambda: [t for t in smtp.textos(OFICINA) if "cambió el contacto «Coordinación de la OMM»" in t], 60,
            mensaje="correo al correo anterior de la oficina")
    assert not [t for t in smtp.textos(OFICINA_NUEVO) if "cambió el contacto" in t]
    # Repetir el mismo PUT no cambia nada y no vuelve a avisar.
    antes = len(smtp.textos(OFICINA))
    r = api.put("/api/v1/notificaciones/destinatarios", "admin", json={
        "clave": "coordinadora", "nombre": "OMM Santa Rita", "email": OFICINA_NUEVO, "municipio": M})
    assert r.status_code == 200
    r = api.put("/api/v1/notificaciones/destinatarios", f"coordinadora.{M}", json={
        "clave": "coordinadora", "nombre": "OMM Santa Rita", "email": OFICINA})
    assert r.status_code == 200 and r.json()["confirmado"] is True
    assert len(smtp.textos(OFICINA)) == antes


def test_cuentas_creadas_movidas_o_restablecidas_por_la_administracion_se_avisan(api, smtp):
    vistos = {n["id"] for n in _avisos_de_administracion(api)}
    r = api.post("/api/v1/usuarios", "admin", json={
        "usuario": "nueva.coordinadora.0421", "nombre": "Coordinadora Nueva",
        "contrasena": omm_pruebas.CONTRASENA_PRUEBAS, "rol": "coordinadora", "municipio": M})
    assert r.status_code == 201, r.text
    nueva = r.json()["id"]
    _nuevo_aviso(api, vistos, "creó la cuenta «nueva.coordinadora.0421» con el rol coordinadora")
    esperar(lambda: [t for t in smtp.textos(OFICINA) if "creó la cuenta «nueva.coordinadora.0421»" in t], 60,
            mensaje="correo de la cuenta creada")

    r = api.post(f"/api/v1/usuarios/{nueva}/restablecimiento", "admin", json={})
    assert r.status_code == 200, r.text
    _nuevo_aviso(api, vistos, "restableció la contraseña de la cuenta «nueva.coordinadora.0421»")

    # Moverla a otro municipio: su oficina de antes se entera de que salió; la nueva, de que llegó.
    r = api.patch(f"/api/v1/usuarios/{nueva}", "admin", json={"municipio": OTRO})
    assert r.status_code == 200, r.text
    _nuevo_aviso(api, vistos, "cuenta «nueva.coordinadora.0421»: ya no pertenece a la OMM de Santa Rita")
    # Un cambio que no cambia nada (el mismo municipio otra vez) no avisa.
    assert api.patch(f"/api/v1/usuarios/{nueva}", "admin", json={"municipio": OTRO}).status_code == 200
    # Nada de lo que hace la coordinación con su propio contacto se le avisa a sí misma.
    assert all("La administración del sistema" in n["mensaje"] for n in _avisos_de_administracion(api))


def test_la_coordinadora_ve_el_contacto_sin_confirmar_y_lo_confirma_en_la_pantalla(api, navegador):
    r = api.put("/api/v1/notificaciones/destinatarios", "admin", json={
        "clave": "dinaf", "nombre": "DINAF regional", "email": "dinaf@fuera.prueba.hn", "municipio": M})
    assert r.status_code == 200 and r.json()["confirmado"] is False, r.text
    n = navegador
    n.entrar(f"coordinadora.{M}", omm_pruebas.CONTRASENA_PRUEBAS)
    n.ir("/avisos/contactos", "contactos-sin-confirmar")
    assert "Lo cambió la administración del sistema y usted aún no lo confirma" in n.texto
    n.enviar("form[action='/avisos/contactos/dinaf/confirmacion'] button", nombre="contacto-confirmado")
    assert "Contacto confirmado" in n.texto
    [c] = [c for c in api.get("/api/v1/notificaciones/destinatarios", f"coordinadora.{M}").json()
           if c["clave"] == "dinaf"]
    assert c["confirmado"] is True
    n.ir("/avisos", "avisos-de-la-oficina")
    assert "Cambio de la administración en la OMM de Santa Rita" in n.texto
    assert "registró el contacto «DINAF»" in n.texto
