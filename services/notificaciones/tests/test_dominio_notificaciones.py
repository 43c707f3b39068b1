"""Reglas y textos sin infraestructura."""
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import dataclasses

import pytest

from ayudas import contrato as ayudas
from capacitaciones import contrato as capacitaciones
from casos import contrato as casos
from notificaciones import dominio, plantillas
from omm_common.eventos import Evento

AHORA = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def _reglas():
    return [SimpleNamespace(**r.__dict__, activa=True) for r in dominio.REGLAS_POR_DEFECTO]


@pytest.mark.parametrize("tipo, datos, esperadas", [
    ("CasoDerivado", {"destino": "cis", "urgente": False}, ["derivacion_cis"]),
    ("CasoDerivado", {"destino": "cis", "urgente": True}, ["derivacion_cis_urgente"]),
    ("CasoDerivado", {"destino": "policia", "urgente": True}, []),
    ("AyudaEntregada", {"categoria": "economica_medicamentos", "consentimiento_salud": True}, ["medicamentos_cis"]),
    ("AyudaEntregada", {"categoria": "economica_medicamentos", "consentimiento_salud": False}, []),
    ("AyudaEntregada", {"categoria": "alimentos", "consentimiento_salud": True}, []),
    ("ParticipanteInscrita", {"tipo": "club_embarazadas", "consentimiento_salud": True}, ["embarazada_cis"]),
    ("ParticipanteInscrita", {"tipo": "taller", "consentimiento_salud": True}, []),
    ("SesionProgramada", {"tipo": "club_embarazadas"}, ["sesion_club_cis"]),
    ("SesionProgramada", {"tipo": "taller"}, []),
    ("ExistenciasBajas", {"tipo_codigo": "panales", "cantidad": 3}, ["existencias_bajas"]),
    ("SeguimientoVencido", {"codigo": "LEJ-2026-0001"}, ["seguimiento_vencido"]),
    ("BeneficiariaRegistrada", {"condiciones": []}, []),
    ("SesionReprogramada", {"tipo": "club_embarazadas"}, ["sesion_reprogramada_participantes", "sesion_reprogramada_cis"]),
    ("SesionReprogramada", {"tipo": "taller"}, ["sesion_reprogramada_participantes"]),
    ("SesionCancelada", {"tipo": "club_embarazadas"}, ["sesion_cancelada_participantes", "sesion_cancelada_cis"]),
    ("SesionCancelada", {"tipo": "sensibilizacion"}, ["sesion_cancelada_participantes"]),
    ("EntregaAnulada", {"categoria": "economica_medicamentos", "cis_avisado": True}, ["entrega_anulada_cis"]),
    ("EntregaAnulada", {"categoria": "economica_medicamentos", "cis_avisado": False}, []),
    ("EntregaAnulada", {"categoria": "alimentos"}, []),
])
def test_cada_regla_por_defecto_dispara_y_ninguna_otra(tipo, datos, esperadas):
    assert [r.codigo for r in dominio.reglas_que_aplican(_reglas(), tipo, datos)] == esperadas


def test_cada_regla_mira_campos_que_su_evento_lleva():
    # Una condición sobre un campo que el evento no lleva nunca se cumple, sin ningún error.
    eventos = {c.tipo_evento: c for m in (casos, ayudas, capacitaciones) for c in vars(m).values()
               if isinstance(c, type) and issubclass(c, Evento) and c is not Evento}
    for r in dominio.REGLAS_POR_DEFECTO + (dominio.REGLA_ESCALAMIENTO, dominio.REGLA_RECORDATORIO):
        # Más lo que notificaciones deduce antes de evaluar (cis_avisado de EntregaAnulada).
        campos = {f.name for f in dataclasses.fields(eventos[r.evento])} | set(dominio.DATOS_DEDUCIDOS.get(r.evento, ()))
        assert set(r.condicion) <= campos, f"{r.codigo}: {sorted(set(r.condicion) - campos)} no están en {r.evento}"
        assert r.evento in plantillas.PLANTILLAS or r.codigo in plantillas.PLANTILLAS


def test_una_regla_desactivada_no_dispara():
    reglas = _reglas()
    for r in reglas:
        r.activa = False
    assert dominio.reglas_que_aplican(reglas, "ExistenciasBajas", {}) == []


def test_espera_exponencial_con_variacion_y_tope():
    assert dominio.espera_reintento(1, 2, azar=lambda: 0) == 2
    assert dominio.espera_reintento(3, 2, azar=lambda: 0) == 8
    assert dominio.espera_reintento(3, 2, azar=lambda: 1) == 12
    assert dominio.espera_reintento(40, 2, tope=100, azar=lambda: 0) == 100


def test_escala_solo_vencida_y_sin_acuse():
    n = SimpleNamespace(escalar_en=AHORA + timedelta(minutes=60))
    assert not dominio.debe_escalar(n, 0, AHORA + timedelta(minutes=59))
    assert dominio.debe_escalar(n, 0, AHORA + timedelta(minutes=61))
    assert not dominio.debe_escalar(n, 1, AHORA + timedelta(minutes=61))


def test_sin_consentimiento_el_mensaje_no_nombra_a_nadie_y_dice_a_quien_llamar():
    contexto = {"datos": {"codigo": "LEJ-2026-0003"}, "municipio": "Lejamaní", "urgente": True,
                "oficina": {"telefono": "2780-0309"}, "persona": None}
    asunto, cuerpo = plantillas.componer("CasoDerivado", contexto)
    assert "URGENTE" in asunto and "LEJ-2026-0003" in cuerpo
    assert "derivación pendiente" in cuerpo and "2780-0309" in cuerpo
    con = plantillas.componer("CasoDerivado", {**contexto, "persona": {"nombre": "Ana Díaz", "telefono": "9999-0000"}})
    assert "Ana Díaz" in con[1]


def test_sms_cabe_en_un_mensaje():
    _, cuerpo = plantillas.componer("AyudaEntregada", {
        "datos": {"fecha": "2026-03-01", "monto": 1200.0}, "municipio": "Lejamaní", "oficina": {},
        "persona": {"nombre": "María " * 30, "telefono": "9999-0000", "comunidad": "Centro"}})
    assert len(plantillas.texto_sms(cuerpo)) <= 160


def test_una_plantilla_editada_no_ejecuta_codigo():
    with pytest.raises(Exception):
        plantillas.componer("ExistenciasBajas", {"datos": {}, "municipio": "x"},
                            "{{ ''.__class__.__mro__[1].__subclasses__() }}")


def test_el_aviso_urgente_dice_violencia_sexual_solo_cuando_ese_es_el_motivo():
    base = {"municipio": "Lejamaní", "urgente": True, "oficina": {}, "persona": None}
    _, por_regla = plantillas.componer("CasoDerivado", {**base, "datos": {
        "codigo": "LEJ-2026-0004", "motivo_urgencia": "violencia_sexual_72h"}})
    assert por_regla.startswith("URGENTE (violencia sexual, menos de 72 horas):")
    _, por_la_oficina = plantillas.componer("CasoDerivado", {**base, "datos": {
        "codigo": "LEJ-2026-0005", "motivo_urgencia": "criterio_oficina"}})
    assert por_la_oficina.startswith("URGENTE:") and "sexual" not in por_la_oficina


def test_una_sesion_ya_pasada_no_se_avisa_y_la_de_hoy_si():
    hoy = date(2026, 12, 3)
    for tipo in ("SesionProgramada", "SesionReprogramada", "SesionCancelada"):
        assert dominio.sesion_ya_pasada(tipo, {"fecha": "2026-12-02"}, hoy)
        assert not dominio.sesion_ya_pasada(tipo, {"fecha": "2026-12-03"}, hoy)
        assert not dominio.sesion_ya_pasada(tipo, {"fecha": date(2026, 12, 4)}, hoy)
    # Solo los avisos de sesión: una ayuda entregada ayer se avisa igual.
    assert not dominio.sesion_ya_pasada("AyudaEntregada", {"fecha": "2026-01-01"}, hoy)
    assert not dominio.sesion_ya_pasada("SesionProgramada", {"fecha": "no es fecha"}, hoy)


def test_cada_evento_con_reglas_tiene_su_manejador_en_el_servicio():
    # Una regla sin manejador nunca se cumple: su evento no llega a una cola de notificaciones.
    from notificaciones.service import Notificaciones
    manejadores = {getattr(v, "__name__", "") for v in vars(Notificaciones).values()}
    for evento in dominio.EVENTOS:
        assert f"al_{evento}" in manejadores, evento
