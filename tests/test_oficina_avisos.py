"""Los avisos de las correcciones (issue 19) por el sistema real: una sesión movida o cancelada llega por SMS a
las inscritas y, si es el club, al CIS; una entrega anulada que el CIS conocía se le avisa; ninguna sesión ya
pasada se avisa; todo en castellano llano; la bandeja del CIS pone primero lo urgente; el acuse sale por el outbox.

Los eventos de capacitaciones y ayudas se publican en el broker como los publica el relay de su dueño (el mismo
sobre, el mismo exchange): así se prueban los consumidores sin depender de cómo el dueño los produce.
"""
import json
import re
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from nameko.standalone.events import event_dispatcher

import omm_pruebas
from ayudas.contrato import EntregaAnulada
from capacitaciones.contrato import SesionCancelada, SesionProgramada, SesionReprogramada
from omm_common.eventos import crear_sobre, firmar_sobre
from omm_common.tiempo import hoy_honduras
from omm_pruebas import esperar

pytestmark = pytest.mark.integracion

M = "0316"  # San Luis (Comayagua)
CIS = "cis.avisos.0316@salud.prueba.hn"
TELEFONO_OMM = "+504 2780-0316"
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="module")
def api(sistema):
    api = sistema.api
    for rol in ("coordinadora", "tecnica", "promotora", "cis"):
        r = api.post("/api/v1/usuarios", "admin", json={
            "usuario": f"{rol}.{M}", "nombre": f"{rol.capitalize()} de San Luis",
            "contrasena": omm_pruebas.CONTRASENA_PRUEBAS, "rol": rol, "municipio": M})
        assert r.status_code == 201 or r.json()["error"] == "DUPLICADO", r.text
    for c in ({"clave": "cis", "nombre": "CIS San Luis", "email": CIS},
              {"clave": "coordinadora", "nombre": "OMM San Luis", "telefono": TELEFONO_OMM}):
        assert api.put("/api/v1/notificaciones/destinatarios", f"coordinadora.{M}", json=c).status_code == 200
    return api


def _publicar(sistema, dueno, evento):
    # Hace de relay del servicio dueño: firma con su clave, como él (issue 16).
    sobre = firmar_sobre(crear_sobre(evento.tipo_evento, M, evento.datos()), dueno)
    event_dispatcher({"AMQP_URI": sistema.amqp})(dueno, evento.tipo_evento, sobre)
    return sobre["id"]


def _bandeja(api, usuaria, **filtro):
    items = api.get("/api/v1/notificaciones", usuaria, params={"por_pagina": 200}).json()["items"]
    return [n for n in items if all(n[k] == v for k, v in filtro.items())]


def _sms_a(servidor_http, telefono):
    return [json.loads(x["cuerpo"])["mensaje"] for x in servidor_http.exitosas("/sms")
            if json.loads(x["cuerpo"])["para"] == telefono]


def _aplicado(sistema, evento_id):
    motor = sa.create_engine(sistema.urls["notificaciones"])
    try:
        with motor.connect() as c:
            return c.execute(sa.text("SELECT count(*) FROM eventos_aplicados WHERE evento_id = :i"),
                             {"i": evento_id}).scalar() == 1
    finally:
        motor.dispose()


def _actividad(api, tipo, fecha, telefono):
    r = api.post("/api/v1/capacitaciones", f"tecnica.{M}", json={
        "titulo": f"Actividad {tipo}", "tipo": tipo, "lugar": "Salón comunal de San Luis",
        "sesiones": [{"fecha": fecha.isoformat(), "hora": "14:00", "tema": "Derechos"}]})
    assert r.status_code == 201, r.text
    c = r.json()
    i = api.post(f"/api/v1/capacitaciones/{c['id']}/inscripciones", f"tecnica.{M}", json={
        "participante": {"nombres": "Rosa", "apellidos": "Mejía", "comunidad": "Centro", "telefono": telefono},
        "consentimiento_salud": True})
    assert i.status_code == 201, i.text
    [sesion] = api.get(f"/api/v1/capacitaciones/{c['id']}", f"tecnica.{M}").json()["sesiones"]
    return c, sesion


def _texto_llano(*textos):
    for t in textos:
        assert not ISO.search(t) and "_" not in t and "{" not in t, t


def test_sesion_movida_o_cancelada_avisa_a_inscritas_y_al_cis_y_nunca_una_sesion_pasada(
        sistema, api, smtp, servidor_http):
    hoy = hoy_honduras()
    antes, despues = hoy + timedelta(days=5), hoy + timedelta(days=12)
    tel_taller, tel_club = "+504 9316-0001", "+504 9316-0002"
    taller, s_taller = _actividad(api, "taller", antes, tel_taller)
    club, s_club = _actividad(api, "club_embarazadas", antes, tel_club)

    # Un taller movido: SMS a la inscrita con el nombre de la actividad, las dos fechas en letras, hora, lugar
    # y a quién llamar; al CIS nada (no es el club).
    _publicar(sistema, "capacitaciones", SesionReprogramada(
        capacitacion_id=taller["id"], sesion_id=s_taller["id"], tipo="taller", fecha=despues, hora="09:30",
        lugar="Salón comunal de San Luis", fecha_anterior=antes))
    esperar(lambda: _sms_a(servidor_http, tel_taller), 60, mensaje="SMS de la sesión movida")
    [sms] = _sms_a(servidor_http, tel_taller)
    assert sms.startswith(f"OMM de San Luis (tel. {TELEFONO_OMM}): la sesión de taller del ")
    assert f"del {_larga(antes)} pasa al {_larga(despues)} a las 09:30" in sms and len(sms) <= 160
    _texto_llano(sms)

    # El club cancelado: SMS a la inscrita y correo y bandeja al CIS.
    correos_antes = len(smtp.textos(CIS))
    cancelada = _publicar(sistema, "capacitaciones", SesionCancelada(
        capacitacion_id=club["id"], sesion_id=s_club["id"], tipo="club_embarazadas", fecha=antes, hora="14:00",
        lugar="Salón comunal de San Luis"))
    esperar(lambda: _sms_a(servidor_http, tel_club), 60, mensaje="SMS de la sesión cancelada")
    [sms] = _sms_a(servidor_http, tel_club)
    assert f"se canceló la sesión de club de embarazadas del {_larga(antes)} a las 14:00" in sms
    esperar(lambda: any(n["canal"] == "bandeja" and n["estado"] == "enviada"
                        for n in _bandeja(api, f"cis.{M}", evento_id=cancelada)), 60, mensaje="bandeja del CIS")
    [bandeja] = _bandeja(api, f"cis.{M}", evento_id=cancelada, canal="bandeja")
    assert bandeja["asunto"] == f"Club de embarazadas: sesión del {_larga(antes)} cancelada"
    assert "San Luis" in bandeja["mensaje"] and TELEFONO_OMM in bandeja["mensaje"]
    esperar(lambda: len(smtp.textos(CIS)) > correos_antes, 60, mensaje="correo al CIS")
    assert any("Club de embarazadas: sesión del" in t for t in smtp.textos(CIS)[correos_antes:])
    _texto_llano(sms, bandeja["asunto"], bandeja["mensaje"], *smtp.textos(CIS)[correos_antes:])

    # Una sesión de ayer (registrada tarde, o movida a ayer): ningún aviso, ni al CIS ni a las inscritas.
    ayer = hoy - timedelta(days=1)
    pasadas = [
        _publicar(sistema, "capacitaciones", SesionProgramada(
            capacitacion_id=club["id"], sesion_id=str(uuid.uuid4()), tipo="club_embarazadas", fecha=ayer,
            hora="14:00", lugar="CIS")),
        _publicar(sistema, "capacitaciones", SesionReprogramada(
            capacitacion_id=club["id"], sesion_id=s_club["id"], tipo="club_embarazadas", fecha=ayer, hora="14:00",
            lugar="CIS", fecha_anterior=antes)),
    ]
    esperar(lambda: all(_aplicado(sistema, e) for e in pasadas), 60, mensaje="eventos de sesiones pasadas aplicados")
    for e in pasadas:
        assert _bandeja(api, f"coordinadora.{M}", evento_id=e) == []
    assert len(_sms_a(servidor_http, tel_club)) == 1


def test_entrega_anulada_avisa_al_cis_que_la_conocia(sistema, api, smtp):
    r = api.post("/api/v1/ayudas/tipos", f"tecnica.{M}", json={
        "codigo": "med", "nombre": "Medicamentos", "categoria": "economica_medicamentos", "unidad": "L",
        "frecuencia_dias": 0, "monto_maximo": 1500})
    assert r.status_code in (201, 409), r.text
    b = api.post("/api/v1/ayudas/beneficiarias", f"tecnica.{M}", json={
        "nombres": "Petrona", "apellidos": "Cálix", "dni": f"{M}-1950-00001", "fecha_nacimiento": "1950-02-01",
        "comunidad": "Centro", "consentimiento_salud": True})
    assert b.status_code == 201, b.text
    fecha = hoy_honduras() - timedelta(days=1)
    e = api.post("/api/v1/ayudas/entregas", f"tecnica.{M}", json={
        "beneficiaria_id": b.json()["id"], "tipo_codigo": "med", "cantidad": 1, "monto": 450, "fecha": fecha.isoformat()})
    assert e.status_code == 201, e.text
    entrega = e.json()
    esperar(lambda: _bandeja(api, f"cis.{M}", evento_tipo="AyudaEntregada", canal="bandeja", estado="enviada"), 60,
            mensaje="aviso de la entrega al CIS")
    anulada = _publicar(sistema, "ayudas", EntregaAnulada(
        entrega_id=entrega["id"], beneficiaria_id=b.json()["id"], tipo_codigo="med",
        categoria="economica_medicamentos", cantidad=1, monto=450, fecha=fecha))
    esperar(lambda: [n for n in _bandeja(api, f"cis.{M}", evento_id=anulada) if n["estado"] == "enviada"], 60,
            mensaje="aviso de la anulación al CIS")
    [n] = _bandeja(api, f"cis.{M}", evento_id=anulada, canal="bandeja")
    assert n["asunto"] == "Entrega anulada por la OMM de San Luis"
    assert f"anuló la entrega del {_larga(fecha)} (ayuda económica para compra de medicamentos, L 450.00)" in n["mensaje"]
    assert "Petrona Cálix" in n["mensaje"]  # consintió compartir con salud
    _texto_llano(n["asunto"], n["mensaje"])


def _caso_de_hoy(api, sobreviviente, tipos_violencia):
    """Un caso de violencia sexual de hoy con riesgo extremo: su derivación al CIS es urgente."""
    hoy = hoy_honduras().isoformat()
    r = api.post("/api/v1/casos", f"tecnica.{M}", json={
        "fecha_atencion": hoy, "fecha_incidente": hoy, "sobreviviente": {"comunidad": "Centro", **sobreviviente},
        "tipos_violencia": tipos_violencia, "contexto": "comunitaria", "relato": "relato de prueba",
        "nivel_riesgo": "extremo", "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}})
    assert r.status_code == 201, r.text
    return r


def test_la_bandeja_del_cis_pone_primero_lo_urgente_y_el_acuse_sale_por_el_outbox(sistema, api):
    hoy = hoy_honduras()
    r = _caso_de_hoy(api, {"nombres": "Fidelina", "apellidos": "Ordóñez", "telefono": "+504 9316-0101"},
                     ["sexual", "psicologica"])
    d = api.post(f"/api/v1/casos/{r.json()['id']}/derivaciones", f"tecnica.{M}",
                 json={"destino": "cis", "motivo": "Atención en salud", "urgente": False})
    assert d.status_code == 201 and d.json()["urgente"] is True, d.text
    esperar(lambda: _bandeja(api, f"cis.{M}", evento_tipo="CasoDerivado", canal="bandeja", estado="enviada"), 60,
            mensaje="derivación urgente en la bandeja del CIS")
    # Después llega un aviso más nuevo y no urgente (una sesión del club de la semana próxima)...
    nueva = _publicar(sistema, "capacitaciones", SesionProgramada(
        capacitacion_id=str(uuid.uuid4()), sesion_id=str(uuid.uuid4()), tipo="club_embarazadas",
        fecha=hoy + timedelta(days=7), hora="08:00", lugar="CIS"))
    esperar(lambda: _bandeja(api, f"cis.{M}", evento_id=nueva), 60, mensaje="aviso de la sesión")
    # ...y la derivación urgente sin confirmar sigue arriba.
    items = _bandeja(api, f"cis.{M}")
    abiertas = [i for i, n in enumerate(items) if n["urgente"] and n["estado"] in ("pendiente", "enviada")]
    assert abiertas and abiertas == list(range(len(abiertas))), [(n["evento_tipo"], n["urgente"]) for n in items]
    [urgente] = [n for n in items if n["urgente"] and n["canal"] == "bandeja"]
    assert "Tipo de violencia: Sexual y Psicológica." in urgente["mensaje"]

    ack = api.post(f"/api/v1/notificaciones/{urgente['id']}/acuse", f"cis.{M}")
    assert ack.status_code == 200 and ack.json()["estado"] == "confirmada", ack.text
    # El acuse es un hecho publicado por el outbox: casos lo lee por evento_id y sabe que es su derivación al CIS.
    motor = sa.create_engine(sistema.urls["notificaciones"])

    def confirmadas():
        with motor.connect() as c:
            return [(json.loads(x) if isinstance(x, str) else x, p) for x, p in c.execute(sa.text(
                "SELECT datos, publicado_en FROM outbox WHERE tipo = 'NotificacionConfirmada'")).all()]
    try:
        esperar(lambda: [x for x, p in confirmadas() if x["notificacion_id"] == urgente["id"] and p is not None], 60,
                mensaje="NotificacionConfirmada publicada por el relay")
        [datos] = [x for x, _ in confirmadas() if x["notificacion_id"] == urgente["id"]]
        assert datos == {"notificacion_id": urgente["id"], "evento_id": urgente["evento_id"], "canal": "bandeja",
                         "evento_tipo": "CasoDerivado", "destinatario": "cis"}
    finally:
        motor.dispose()
    # Confirmada, ya no se impone a lo más nuevo.
    ids = [n["id"] for n in _bandeja(api, f"cis.{M}")]
    assert ids.index(urgente["id"]) > ids.index(_bandeja(api, f"cis.{M}", evento_id=nueva)[0]["id"])


def _larga(fecha: date):
    from omm_common.textos import fecha_larga
    return fecha_larga(fecha)


def test_una_derivacion_urgente_no_espera_detras_de_una_rafaga_de_avisos_comunes(sistema, api):
    """Con dos mil envíos comunes en cola (una importación, un día de entregas), el aviso urgente al CIS sale
    por su propia cola (notificaciones.urgentes) antes de que la ráfaga se vacíe: sin ella esperaría al final."""
    from kombu import Connection

    from notificaciones import tareas
    from omm_common.broker import COLA_CELERY

    def en_cola():
        with Connection(sistema.amqp) as c:
            return c.default_channel.queue_declare(COLA_CELERY, passive=True).message_count

    r = _caso_de_hoy(api, {"nombres": "Gregoria", "apellidos": "Maradiaga"}, ["sexual"])
    antes = {n["id"] for n in _bandeja(api, f"cis.{M}", evento_tipo="CasoDerivado")}
    # La ráfaga: envíos de notificaciones que no existen (cada tarea busca su fila y termina), como los encola
    # notificaciones; el worker de Celery del sistema los atiende de a dos.
    with tareas.app.connection_for_write(sistema.amqp) as conexion:
        tareas.despachar([str(uuid.uuid4()) for _ in range(2000)], connection=conexion)
    assert en_cola() > 1000
    d = api.post(f"/api/v1/casos/{r.json()['id']}/derivaciones", f"tecnica.{M}",
                 json={"destino": "cis", "motivo": "Atención en salud", "urgente": True})
    assert d.status_code == 201, d.text

    def enviada():
        return [n for n in _bandeja(api, f"cis.{M}", evento_tipo="CasoDerivado", canal="bandeja", estado="enviada")
                if n["id"] not in antes]
    esperar(enviada, 120, mensaje="derivación urgente en la bandeja del CIS")
    quedaban = en_cola()
    esperar(lambda: en_cola() == 0, 300, mensaje="la ráfaga se vació")  # el worker queda libre para lo que sigue
    assert quedaban > 0, "el aviso urgente esperó a que la ráfaga se vaciara"
    [n] = enviada()
    assert n["urgente"] is True
