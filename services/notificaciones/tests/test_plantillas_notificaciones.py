"""Cada plantilla, con datos como los que de verdad llegan (los de los eventos del contrato), se lee en
castellano llano: fechas en letras, nombres y no códigos, nada de formato de Python ni llaves sueltas."""
import re
import unicodedata
from datetime import date
from decimal import Decimal

import pytest

from ayudas import contrato as ayudas
from capacitaciones import contrato as capacitaciones
from casos import contrato as casos
from notificaciones import dominio, plantillas

U = "6f1d3c2a-0000-4000-8000-00000000000"
# Los datos tal como viajan: `Evento.datos()` (fechas ISO, montos como número, códigos).
EVENTOS = {
    "CasoDerivado": casos.CasoDerivado(
        caso_id=U + "1", codigo="LEJ-2026-0003", derivacion_id=U + "2", destino="cis", urgente=True,
        motivo_urgencia="violencia_sexual_72h", tipos_violencia=("sexual", "psicologica", "fisica"),
        horas_desde_incidente=20),
    "SeguimientoVencido": casos.SeguimientoVencido(caso_id=U + "1", codigo="LEJ-2026-0003",
                                                   proxima_fecha=date(2026, 11, 30)),
    "AyudaEntregada": ayudas.AyudaEntregada(
        entrega_id=U + "3", beneficiaria_id=U + "4", tipo_codigo="med_cronicos", categoria="economica_medicamentos",
        cantidad=1, monto=Decimal("1200.50"), fecha=date(2026, 11, 20), consentimiento_salud=True),
    "EntregaAnulada": ayudas.EntregaAnulada(
        entrega_id=U + "3", beneficiaria_id=U + "4", tipo_codigo="med_cronicos", categoria="economica_medicamentos",
        cantidad=1, monto=Decimal("1200.50"), fecha=date(2026, 11, 20)),
    "ExistenciasBajas": ayudas.ExistenciasBajas(tipo_codigo="bolsa_alimentos", cantidad=3,
                                                tipo_nombre="Bolsa de alimentos"),
    "ParticipanteInscrita": capacitaciones.ParticipanteInscrita(
        capacitacion_id=U + "5", inscripcion_id=U + "6", tipo="club_embarazadas", embarazada=True,
        consentimiento_salud=True),
    "SesionProgramada": capacitaciones.SesionProgramada(
        capacitacion_id=U + "5", sesion_id=U + "7", tipo="club_embarazadas", fecha=date(2026, 12, 3), hora="14:00",
        lugar="Centro de Salud de Lejamaní"),
    "SesionReprogramada": capacitaciones.SesionReprogramada(
        capacitacion_id=U + "5", sesion_id=U + "7", tipo="escuela_emprendimiento", fecha=date(2026, 12, 10),
        hora="09:30", lugar="Salón comunal", fecha_anterior=date(2026, 12, 3)),
    "SesionCancelada": capacitaciones.SesionCancelada(
        capacitacion_id=U + "5", sesion_id=U + "7", tipo="asesoria_tecnica", fecha=date(2026, 12, 3), hora="14:00",
        lugar="Salón comunal"),
}
# Las reglas que no nacen de un evento llevan su propia referencia (envio.escalar_urgentes, crear_recordatorios).
REFERENCIAS = {
    "escalamiento": {"codigo": "LEJ-2026-0003", "minutos": 60, "caso_id": U + "1"},
    "recordatorio_club": {"sesion_id": U + "7", "capacitacion_id": U + "5", "tipo": "club_embarazadas",
                          "fecha": "2026-12-04", "hora": "14:00", "lugar": "Centro de Salud"},
    "aviso_administracion": {"accion": "usuaria_cambiada", "rol": "tecnica", "usuario": "tecnica.0309",
                             "campos": ["rol", "municipio"]},
}
PERSONA = {"nombre": "Marta Lagos", "telefono": "+504 9876-5432", "comunidad": "El Terrero", "semanas_gestacion": 20}
REGLAS = {r.codigo: r for r in dominio.REGLAS_POR_DEFECTO + (dominio.REGLA_ESCALAMIENTO, dominio.REGLA_RECORDATORIO)}


def _sin_tildes(texto):
    return unicodedata.normalize("NFKD", texto).encode("ascii", "ignore").decode().lower()


# Códigos que son una palabra de su nombre sin tildes: «psicologica», «capacitacion», «panales» no deben
# aparecer en un texto (los que llevan «_» los atrapa la prueba del guion bajo).
CODIGOS = {c for nombres in (casos.NOMBRES_TIPO_VIOLENCIA, capacitaciones.NOMBRES_TIPO, ayudas.NOMBRES_CATEGORIA)
           for c, nombre in nombres.items()
           if c in _sin_tildes(nombre).split() and c not in nombre.lower().split()}


def _datos(clave):
    if clave in REFERENCIAS:
        return REFERENCIAS[clave]
    return EVENTOS[REGLAS[clave].evento if clave in REGLAS else clave].datos()


def _textos():
    for clave in plantillas.PLANTILLAS:
        for persona in (None, PERSONA):
            for canal in ("email", "sms", "bandeja"):
                contexto = {"datos": _datos(clave), "municipio": "Lejamaní", "urgente": True, "canal": canal,
                            "oficina": {"telefono": "2780-0309"}, "persona": persona}
                asunto, cuerpo = plantillas.componer(clave, contexto)
                yield clave, asunto, cuerpo, plantillas.texto_sms(cuerpo)


@pytest.mark.parametrize("clave, asunto, cuerpo, sms", list(_textos()))
def test_cada_plantilla_se_lee_en_castellano_llano(clave, asunto, cuerpo, sms):
    for texto in (asunto, cuerpo, sms):
        assert texto.strip(), clave
        assert not re.search(r"\d{4}-\d{2}-\d{2}", texto), f"{clave}: fecha ISO en «{texto}»"
        assert "_" not in texto, f"{clave}: código en «{texto}»"
        assert "{" not in texto and "}" not in texto, f"{clave}: llaves en «{texto}»"
        assert not re.search(r"\b(None|True|False|Decimal)\b", texto), f"{clave}: valor de Python en «{texto}»"
        palabras = set(re.findall(r"\w+", texto))
        assert not palabras & CODIGOS, f"{clave}: {palabras & CODIGOS} en «{texto}»"


@pytest.mark.parametrize("accion", dominio.ACCIONES_ADMINISTRACION)
def test_el_aviso_de_la_administracion_dice_que_cambio_en_palabras(accion):
    datos = {"accion": accion, "rol": "cis", "usuario": "cis.0309", "clave": "cis", "campos": ["email", "webhook_url"]}
    asunto, cuerpo = plantillas.componer("aviso_administracion", {"datos": datos, "municipio": "Lejamaní"})
    assert asunto == "Cambio de la administración en la OMM de Lejamaní"
    assert cuerpo.startswith("La administración del sistema") and "no pidió este cambio" in cuerpo, cuerpo
    assert "_" not in cuerpo and "{" not in cuerpo, cuerpo
    if accion.startswith("contacto"):
        assert "«CIS» (correo y dirección de su sistema)" in cuerpo and "sin nombres" in cuerpo, cuerpo
    else:
        assert "«cis.0309»" in cuerpo, cuerpo


def test_codigos_buscados():
    assert {"psicologica", "fisica", "economica", "capacitacion", "panales"} <= CODIGOS and "alimentos" not in CODIGOS


def test_cada_plantilla_de_un_evento_o_regla_esta_probada():
    assert set(plantillas.PLANTILLAS) <= set(EVENTOS) | set(REFERENCIAS) | set(REGLAS)


def test_los_avisos_dicen_fechas_nombres_y_a_quien_llamar():
    ctx = {"municipio": "Lejamaní", "oficina": {"telefono": "2780-0309"}}
    asunto, cuerpo = plantillas.componer("ExistenciasBajas", {**ctx, "datos": EVENTOS["ExistenciasBajas"].datos()})
    assert asunto == "Existencias bajas: Bolsa de alimentos — quedan 3 unidades"
    sin_nombre = {**EVENTOS["ExistenciasBajas"].datos(), "tipo_nombre": None, "cantidad": 1}
    assert plantillas.componer("ExistenciasBajas", {**ctx, "datos": sin_nombre})[0] == (
        "Existencias bajas: un tipo de ayuda — quedan 1 unidad")

    datos = EVENTOS["SesionReprogramada"].datos()
    asunto, cuerpo = plantillas.componer("SesionReprogramada", {**ctx, "datos": datos})
    assert asunto == "Escuela de emprendimiento: la sesión del 3 de diciembre de 2026 pasa al 10 de diciembre de 2026"
    assert "del 3 de diciembre de 2026 se reprogramó para el 10 de diciembre de 2026 a las 09:30 en Salón comunal" in cuerpo
    assert "2780-0309" in cuerpo
    _, sms = plantillas.componer("sesion_reprogramada_participantes", {**ctx, "datos": datos})
    sms = plantillas.texto_sms(sms)
    assert sms.startswith("OMM de Lejamaní (tel. 2780-0309): la sesión de escuela de emprendimiento del 3 de diciembre")
    assert "10 de diciembre de 2026" in sms and len(sms) <= 160

    _, cuerpo = plantillas.componer("CasoDerivado", {**ctx, "canal": "email", "datos": EVENTOS["CasoDerivado"].datos()})
    assert "Tipo de violencia: Sexual, Psicológica y Física." in cuerpo
    _, cuerpo = plantillas.componer("AyudaEntregada", {**ctx, "datos": EVENTOS["AyudaEntregada"].datos()})
    assert "el 20 de noviembre de 2026 por L 1,200.50." in cuerpo


def test_si_solo_cambia_la_hora_se_dice_asi():
    datos = {**EVENTOS["SesionReprogramada"].datos(), "fecha": "2026-12-03", "hora": "16:00"}
    ctx = {"municipio": "Lejamaní", "oficina": {"telefono": "2780-0309"}, "datos": datos}
    asunto, cuerpo = plantillas.componer("SesionReprogramada", ctx)
    assert asunto == "Escuela de emprendimiento: la sesión del 3 de diciembre de 2026 cambia de hora"
    assert "del 3 de diciembre de 2026 cambió de hora: será a las 16:00 en Salón comunal." in cuerpo
    _, sms = plantillas.componer("sesion_reprogramada_participantes", ctx)
    assert "del 3 de diciembre de 2026 cambia de hora: será a las 16:00 en Salón comunal." in sms


def test_una_plantilla_editada_tambien_lee_las_fechas_en_letras():
    _, cuerpo = plantillas.componer("SesionProgramada", {"municipio": "Lejamaní", "datos": {"fecha": "2026-12-03"}},
                                    "Sesión el {{ datos.fecha }}.")
    assert cuerpo == "Sesión el 3 de diciembre de 2026."
