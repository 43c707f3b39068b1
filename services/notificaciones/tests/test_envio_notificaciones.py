"""Entrega contra PostgreSQL, un servidor SMTP real (aiosmtpd) y un servidor HTTP real (SMS y webhook)."""
import email
import email.policy
import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from omm_common.db import crear_motor, unidad_de_trabajo
from omm_common.eventos import ahora_utc, crear_sobre
from omm_common.migraciones import migrar
from omm_common.tiempo import hoy_honduras

from notificaciones import canales, envio
from notificaciones import operaciones as op
from notificaciones.models import Destinatario, Notificacion, Regla

pytestmark = pytest.mark.integracion

SECRETO = "secreto-webhook-de-pruebas-0123456789"


class SinServicios:
    """Ningún servicio dueño responde con datos personales: el mensaje no debe nombrar a nadie."""

    def persona(self, n):
        return None

    def telefonos_sesion(self, sesion_id, municipio):
        return ["+504 9999-0001", "+504 9999-0002"]


class ConPersona(SinServicios):
    def persona(self, n):
        return {"nombre": "Marta Lagos", "telefono": "+504 9876-5432"}


@pytest.fixture(params=["postgresql", "sqlite"])
def motor(request, base_pg, smtp, servidor_http, tmp_path):
    # SQLite es la base por omisión de scripts/run: las mismas reglas deben valer en las dos.
    url = base_pg("notificaciones") if request.param == "postgresql" else f"sqlite:///{tmp_path}/notificaciones.db"
    migrar("notificaciones", url)
    m = crear_motor(url)
    with unidad_de_trabajo(m) as uow:
        uow.sesion.add(Destinatario(municipio="0309", clave="cis", nombre="CIS Lejamaní", email="cis@salud.hn",
                                    telefono="+504 2700-0309", webhook_url=f"{servidor_http.url}/cis"))
        uow.sesion.add(Destinatario(municipio="0309", clave="coordinadora", nombre="OMM", email="omm@lej.hn",
                                    telefono="+504 2780-0309"))
    servidor_http.guion.clear()
    servidor_http.recibidas.clear()  # cada prueba cuenta lo suyo, en cada base
    yield m
    m.dispose()


@pytest.fixture
def adaptadores(smtp, servidor_http, tmp_path):
    return canales.canales({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.puerto), "SMTP_REMITENTE": "omm@prueba.hn",
                            "SMS_URL": f"{servidor_http.url}/sms", "SMS_CLAVE": "k",
                            "NOTIFICACIONES_WEBHOOK_SECRETO": SECRETO, "OMM_VAR": str(tmp_path),
                            # El webhook de prueba es http en 127.0.0.1: solo ese destino se autoriza.
                            "NOTIFICACIONES_WEBHOOK_INTERNOS": servidor_http.url.removeprefix("http://")})


CFG = {"max_intentos": 4, "espera_base": 0.01}


def _en_dias(n):
    return (hoy_honduras() + timedelta(days=n)).isoformat()


def _aplicar(motor, tipo, datos, municipio="0309", sobre=None):
    sobre = sobre or crear_sobre(tipo, municipio, datos)
    with unidad_de_trabajo(motor) as uow:
        return op.aplicar_evento(uow, sobre)


def _hasta_terminar(motor, nid, consultas, adaptadores, cfg=CFG):
    for _ in range(20):
        r = envio.enviar_notificacion(motor, nid, consultas, adaptadores, cfg=cfg,
                                      ahora=ahora_utc() + timedelta(hours=1))
        if r.estado != "pendiente":
            return r
    raise AssertionError("no terminó")


def _fila(motor, nid):
    with unidad_de_trabajo(motor) as uow:
        return uow.sesion.get(Notificacion, nid)


def _derivacion_urgente(motor):
    return _aplicar(motor, "CasoDerivado", {"caso_id": str(uuid.uuid4()), "codigo": "LEJ-2026-0001",
                                            "derivacion_id": str(uuid.uuid4()), "destino": "cis", "urgente": True,
                                            "tipos_violencia": ["sexual"], "horas_desde_incidente": 5})


def _de_canal(motor, ids, canal):
    return next(i for i in ids if _fila(motor, i).canal == canal)


def test_sms_con_503_dos_veces_y_luego_200_envia_uno_en_tres_intentos(motor, adaptadores, servidor_http):
    ids = _derivacion_urgente(motor)
    nid = _de_canal(motor, ids, "sms")
    servidor_http.guion[:] = [503, 503, 200]
    assert _hasta_terminar(motor, nid, SinServicios(), adaptadores).estado == "enviada"
    n = _fila(motor, nid)
    assert (n.estado, n.intentos) == ("enviada", 3)
    sms = servidor_http.exitosas("/sms")
    assert len(sms) == 1
    texto = json.loads(sms[0]["cuerpo"])
    assert texto["para"] == "+504 2700-0309" and len(texto["mensaje"]) <= 160
    # Otra tarea con el mismo id (redelivery) no envía de nuevo.
    assert envio.enviar_notificacion(motor, nid, SinServicios(), adaptadores, cfg=CFG).estado == "enviada"
    assert len(servidor_http.exitosas("/sms")) == 1


def test_sms_con_400_falla_de_una_vez_con_su_error(motor, adaptadores, servidor_http):
    nid = _de_canal(motor, _derivacion_urgente(motor), "sms")
    servidor_http.guion[:] = [400]
    assert envio.enviar_notificacion(motor, nid, SinServicios(), adaptadores, cfg=CFG).estado == "fallida"
    n = _fila(motor, nid)
    assert (n.estado, n.intentos) == ("fallida", 1) and "400" in n.ultimo_error
    with unidad_de_trabajo(motor) as uow:
        tipos = [t for (t,) in uow.sesion.execute(sa.text("SELECT tipo FROM outbox"))]
    assert "NotificacionFallida" in tipos


def test_errores_transitorios_agotan_los_intentos_y_queda_fallida(motor, adaptadores, servidor_http):
    nid = _de_canal(motor, _derivacion_urgente(motor), "sms")
    servidor_http.guion[:] = [503] * 10
    assert _hasta_terminar(motor, nid, SinServicios(), adaptadores).estado == "fallida"
    assert _fila(motor, nid).intentos == CFG["max_intentos"]


def test_correo_real_sin_consentimiento_no_nombra_y_con_consentimiento_si(motor, adaptadores, smtp):
    antes = len(smtp.para("cis@salud.hn"))
    ids = _derivacion_urgente(motor)
    envio.enviar_notificacion(motor, _de_canal(motor, ids, "email"), SinServicios(), adaptadores, cfg=CFG)
    recibido = smtp.textos("cis@salud.hn")[antes:]
    assert len(recibido) == 1
    texto = recibido[0]
    assert "LEJ-2026-0001" in texto and "derivaci" in texto and "Marta" not in texto
    ids = _derivacion_urgente(motor)
    envio.enviar_notificacion(motor, _de_canal(motor, ids, "email"), ConPersona(), adaptadores, cfg=CFG)
    assert "Marta Lagos" in smtp.textos("cis@salud.hn")[-1]


def test_correo_rechazado_por_el_servidor_es_permanente(motor, adaptadores, smtp):
    with unidad_de_trabajo(motor) as uow:
        uow.sesion.scalar(sa.select(Destinatario).where(Destinatario.clave == "coordinadora")).email = "nadie@lej.hn"
    smtp.rechazar.add("nadie@lej.hn")
    ids = _aplicar(motor, "ExistenciasBajas", {"tipo_codigo": "panales", "cantidad": 2})
    r = envio.enviar_notificacion(motor, _de_canal(motor, ids, "email"), SinServicios(), adaptadores, cfg=CFG)
    assert r.estado == "fallida"


def test_webhook_firmado_verifica_con_el_secreto(motor, adaptadores, servidor_http):
    ids = _aplicar(motor, "SesionProgramada", {"capacitacion_id": str(uuid.uuid4()), "sesion_id": str(uuid.uuid4()),
                                               "tipo": "club_embarazadas", "fecha": _en_dias(7), "lugar": "CIS"})
    with unidad_de_trabajo(motor) as uow:
        n = uow.sesion.get(Notificacion, ids[0])
        n.canal = "webhook"
    assert envio.enviar_notificacion(motor, ids[0], SinServicios(), adaptadores, cfg=CFG).estado == "enviada"
    recibido = servidor_http.exitosas("/cis")[-1]
    firma = recibido["cabeceras"]["X-OMM-Firma"]
    assert firma == canales.firmar(SECRETO, recibido["cuerpo"])
    assert firma != canales.firmar("otro-secreto", recibido["cuerpo"])
    assert json.loads(recibido["cuerpo"])["notificacion_id"] == ids[0]


def test_urgente_sin_acuse_escala_una_sola_vez(motor):
    ids = _derivacion_urgente(motor)
    creado = _fila(motor, ids[0]).creado_en
    assert envio.escalar_urgentes(motor, creado + timedelta(minutes=59)) == []
    primera = envio.escalar_urgentes(motor, creado + timedelta(minutes=61))
    assert len(primera) == 3
    assert {_fila(motor, i).destinatario for i in primera} == {"coordinadora"}
    assert envio.escalar_urgentes(motor, creado + timedelta(minutes=120)) == []


def test_urgente_con_acuse_a_tiempo_no_escala(motor):
    ids = _derivacion_urgente(motor)
    with unidad_de_trabajo(motor) as uow:
        n = uow.sesion.get(Notificacion, _de_canal(motor, ids, "bandeja"))
        n.estado = "confirmada"
        creado = n.creado_en
    assert envio.escalar_urgentes(motor, creado + timedelta(minutes=90)) == []


def test_recordatorio_sms_a_las_inscritas_una_vez_por_sesion(motor, adaptadores, servidor_http):
    sesion = {"sesion_id": str(uuid.uuid4()), "capacitacion_id": str(uuid.uuid4()), "municipio": "0309",
              "fecha": _en_dias(1), "lugar": "CIS Lejamaní"}
    ids = envio.crear_recordatorios(motor, [sesion])
    assert envio.crear_recordatorios(motor, [sesion]) == []
    antes = len(servidor_http.exitosas("/sms"))
    assert envio.enviar_notificacion(motor, ids[0], SinServicios(), adaptadores, cfg=CFG).estado == "enviada"
    nuevos = servidor_http.exitosas("/sms")[antes:]
    assert sorted(json.loads(r["cuerpo"])["para"] for r in nuevos) == ["+504 9999-0001", "+504 9999-0002"]


def test_archivo_eml_sin_smtp(motor, tmp_path):
    adaptadores = canales.canales({"OMM_VAR": str(tmp_path)})
    ids = _aplicar(motor, "ExistenciasBajas", {"tipo_codigo": "panales", "cantidad": 2, "tipo_nombre": "Pañales"})
    nid = _de_canal(motor, ids, "email")
    assert envio.enviar_notificacion(motor, nid, SinServicios(), adaptadores, cfg=CFG).estado == "enviada"
    correo = email.message_from_bytes((tmp_path / "correo" / f"{nid}.eml").read_bytes(), policy=email.policy.default)
    assert correo["Subject"] == "Existencias bajas: Pañales — quedan 2 unidades"
    assert "2 unidades de Pañales" in correo.get_content()


def test_atascadas_son_las_pendientes_viejas(motor):
    ids = _aplicar(motor, "ExistenciasBajas", {"tipo_codigo": "panales", "cantidad": 2})
    assert envio.atascadas(motor) == []
    assert sorted(envio.atascadas(motor, ahora_utc() + timedelta(minutes=5))) == sorted(ids)


def test_un_aviso_de_sesion_no_sale_si_la_sesion_ya_paso(motor, adaptadores, smtp, servidor_http):
    sesion = {"capacitacion_id": str(uuid.uuid4()), "sesion_id": str(uuid.uuid4()), "tipo": "club_embarazadas",
              "hora": "14:00", "lugar": "CIS"}
    # Al evaluar la regla: una sesión de ayer (programada o movida a ayer) no crea ningún aviso.
    assert _aplicar(motor, "SesionProgramada", {**sesion, "fecha": _en_dias(-1)}) == []
    assert _aplicar(motor, "SesionReprogramada", {**sesion, "fecha": _en_dias(-1), "fecha_anterior": _en_dias(-8)}) == []
    # Al enviar: el aviso de una sesión de mañana que se reintenta pasado mañana se descarta sin enviar nada.
    ids = _aplicar(motor, "SesionReprogramada", {**sesion, "fecha": _en_dias(1), "fecha_anterior": _en_dias(-3)})
    assert len(ids) == 3  # SMS a las inscritas; correo y bandeja al CIS (es el club)
    antes_sms, antes_correo = len(servidor_http.exitosas("/sms")), len(smtp.para("cis@salud.hn"))
    pasado_manana = ahora_utc() + timedelta(days=2)
    for nid in ids:
        r = envio.enviar_notificacion(motor, nid, SinServicios(), adaptadores, cfg=CFG, ahora=pasado_manana)
        assert r.estado == "descartada"
        fila = _fila(motor, nid)
        assert fila.estado == "descartada" and fila.enviada_en is None and "ya pasó" in fila.ultimo_error
    assert len(servidor_http.exitosas("/sms")) == antes_sms and len(smtp.para("cis@salud.hn")) == antes_correo
    # El recordatorio del club (del calendario) tampoco, si el worker lo toma tarde.
    [rec] = envio.crear_recordatorios(motor, [{**sesion, "sesion_id": str(uuid.uuid4()), "municipio": "0309",
                                               "fecha": _en_dias(1)}])
    assert envio.enviar_notificacion(motor, rec, SinServicios(), adaptadores, cfg=CFG,
                                     ahora=pasado_manana).estado == "descartada"


def test_anular_una_entrega_avisa_al_cis_solo_si_el_cis_supo_de_ella(motor, adaptadores, smtp):
    def entrega(categoria, consentimiento):
        return {"entrega_id": str(uuid.uuid4()), "beneficiaria_id": str(uuid.uuid4()), "tipo_codigo": "med",
                "categoria": categoria, "cantidad": 1, "monto": 800.0, "fecha": _en_dias(-2),
                "consentimiento_salud": consentimiento}

    def anular(e):
        return _aplicar(motor, "EntregaAnulada", {k: v for k, v in e.items() if k != "consentimiento_salud"})

    avisada, sin_consentimiento, alimentos = (entrega("economica_medicamentos", True),
                                              entrega("economica_medicamentos", False), entrega("alimentos", True))
    for e in (avisada, sin_consentimiento, alimentos):
        _aplicar(motor, "AyudaEntregada", e)
    assert anular(sin_consentimiento) == [] and anular(alimentos) == []
    ids = anular(avisada)
    assert sorted(_fila(motor, i).canal for i in ids) == ["bandeja", "email"]
    assert {_fila(motor, i).destinatario for i in ids} == {"cis"}
    antes = len(smtp.textos("cis@salud.hn"))
    assert envio.enviar_notificacion(motor, _de_canal(motor, ids, "email"), ConPersona(), adaptadores,
                                     cfg=CFG).estado == "enviada"
    [texto] = smtp.textos("cis@salud.hn")[antes:]
    asunto, cuerpo = texto.split("\n", 1)
    assert asunto == "Entrega anulada por la OMM de Lejamaní"
    assert "anuló la entrega del" in cuerpo and "ayuda económica para compra de medicamentos, L 800.00" in cuerpo
    assert "Marta Lagos" in cuerpo and "queda sin efecto" in cuerpo and "2780-0309" in cuerpo


def test_un_municipio_con_las_reglas_de_antes_recibe_las_nuevas_al_primer_evento(motor):
    # Las reglas se copian por municipio la primera vez; las que se agregan después llegan igual, sin migración.
    _aplicar(motor, "ExistenciasBajas", {"tipo_codigo": "panales", "cantidad": 2})
    nuevas = ("sesion_reprogramada_participantes", "sesion_reprogramada_cis", "sesion_cancelada_participantes",
              "sesion_cancelada_cis", "entrega_anulada_cis")
    with unidad_de_trabajo(motor) as uow:
        uow.sesion.execute(sa.delete(Regla).where(Regla.municipio == "0309", Regla.codigo.in_(nuevas)))
    ids = _aplicar(motor, "SesionCancelada", {"capacitacion_id": str(uuid.uuid4()), "sesion_id": str(uuid.uuid4()),
                                              "tipo": "taller", "fecha": _en_dias(3), "hora": None, "lugar": "Salón"})
    assert [(_fila(motor, i).regla, _fila(motor, i).canal) for i in ids] == [("sesion_cancelada_participantes", "sms")]
    with unidad_de_trabajo(motor) as uow:
        codigos = set(uow.sesion.scalars(sa.select(Regla.codigo).where(Regla.municipio == "0309")))
    assert set(nuevas) <= codigos


def test_las_notificaciones_urgentes_se_marcan_para_su_cola_y_las_atascadas_urgentes_van_primero(motor):
    """Lo que decide la cola de Celery (tareas.despachar): las reglas urgentes, no el tipo de evento."""
    comun = crear_sobre("ExistenciasBajas", "0309", {"tipo_codigo": "panales", "cantidad": 2})
    urgentes = set()
    with unidad_de_trabajo(motor) as uow:
        ids_comunes = op.aplicar_evento(uow, comun, urgentes=urgentes)
    assert ids_comunes and urgentes == set()
    sobre = crear_sobre("CasoDerivado", "0309", {"caso_id": str(uuid.uuid4()), "codigo": "LEJ-2026-0002",
                                                 "derivacion_id": str(uuid.uuid4()), "destino": "cis",
                                                 "urgente": True, "tipos_violencia": ["sexual"]})
    with unidad_de_trabajo(motor) as uow:
        ids = op.aplicar_evento(uow, sobre, urgentes=urgentes)
    assert len(ids) == 3 and urgentes == set(ids)
    marcadas = set()
    atascadas = envio.atascadas(motor, ahora_utc() + timedelta(minutes=5), urgentes=marcadas)
    assert marcadas == set(ids) and set(atascadas[:3]) == set(ids) and set(atascadas[3:]) == set(ids_comunes)
