"""Reglas de las correcciones, la agenda y el GBVIMS, sin infraestructura."""
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest

from casos import dominio, schemas
from omm_common.errores import Conflicto, ErrorValidacion
from omm_common.esquemas import cargar


@dataclass
class Entrada:
    fecha: date
    creado_en: datetime
    valor: str


def _en(h):
    return datetime(2026, 5, 1, h, tzinfo=timezone.utc)


def test_la_vigente_es_la_de_fecha_mas_reciente_y_el_mismo_dia_la_ultima():
    assert dominio.vigente([]) is None
    historia = [Entrada(date(2026, 5, 1), _en(1), "alto"), Entrada(date(2026, 5, 3), _en(2), "medio"),
                Entrada(date(2026, 5, 3), _en(3), "extremo"), Entrada(date(2026, 5, 2), _en(4), "bajo")]
    # La de fecha anterior registrada después (un olvido que se anota tarde) no es la vigente.
    assert dominio.vigente(historia).valor == "extremo"


@pytest.mark.parametrize("tipos, esperado", [
    (["sexual"], None),  # violación o agresión sexual: la ley no lo distingue
    (["sexual", "fisica"], None),
    (["fisica"], "agresion_fisica"),
    (["fisica", "psicologica", "economica"], "agresion_fisica"),
    (["psicologica"], None),  # podría ser un matrimonio forzado
    (["economica", "patrimonial"], None),  # negación de recursos o matrimonio forzado: lo elige la técnica
])
def test_gbvims_derivado_solo_donde_es_exacto(tipos, esperado):
    assert dominio.gbvims_derivado(tipos) == esperado
    assert dominio.validar_gbvims(tipos, esperado) is None


def test_gbvims_elegido_respeta_la_jerarquia():
    assert dominio.validar_gbvims(["sexual"], "violacion") is None
    assert dominio.validar_gbvims(["sexual", "fisica"], "agresion_sexual") is None
    assert "violencia sexual" in dominio.validar_gbvims(["fisica"], "violacion")
    assert "Violación" in dominio.validar_gbvims(["sexual"], "agresion_fisica")
    assert "Agresión física" in dominio.validar_gbvims(["fisica"], "matrimonio_forzado")
    assert dominio.validar_gbvims(["psicologica"], "matrimonio_forzado") is None
    assert dominio.validar_gbvims(["economica"], "negacion_de_recursos") is None
    assert "violencia física" in dominio.validar_gbvims(["psicologica"], "agresion_fisica")
    # Corregir los tipos de la ley conserva lo elegido si sigue siendo coherente; si no, vuelve a derivar.
    assert dominio.gbvims_tras_cambio(["sexual", "psicologica"], "violacion") == "violacion"
    assert dominio.gbvims_tras_cambio(["fisica"], "violacion") == "agresion_fisica"
    assert dominio.gbvims_tras_cambio(["sexual"], "agresion_fisica") is None
    assert set(dominio.NOMBRES_GBVIMS_CON_VACIO) == {*dominio.TIPOS_GBVIMS, "sin_clasificar"}


def test_fechas_del_seguimiento_en_orden():
    atencion, hoy = date(2026, 5, 10), date(2026, 5, 20)
    assert dominio.error_fechas_seguimiento(atencion, date(2026, 5, 10), date(2026, 5, 10), hoy) == {}
    antes = dominio.error_fechas_seguimiento(atencion, date(2026, 5, 9), None, hoy)
    assert antes == {"fecha": "La fecha del seguimiento no puede ser anterior a la atención del caso "
                              "(10 de mayo de 2026)."}
    assert "futura" in dominio.error_fechas_seguimiento(atencion, date(2026, 5, 21), None, hoy)["fecha"]
    assert set(dominio.error_fechas_seguimiento(atencion, date(2026, 5, 15), date(2026, 5, 14), hoy)) == {
        "proxima_fecha"}
    assert dominio.error_fecha_registro(atencion, date(2026, 5, 9), hoy).startswith(
        "La fecha de la valoración no puede ser anterior")
    assert dominio.error_fecha_registro(atencion, date(2026, 5, 15), hoy) is None


def test_reabrir_solo_un_caso_cerrado():
    assert dominio.estado_tras_reapertura("cerrado", True) == "en_seguimiento"
    assert dominio.estado_tras_reapertura("cerrado", False) == "abierto"
    for estado in ("abierto", "en_seguimiento", "derivado"):
        with pytest.raises(Conflicto) as e:
            dominio.estado_tras_reapertura(estado, True)
        assert e.value.codigo == "ESTADO_INVALIDO"


@dataclass
class Usuaria:
    municipio: str
    activo: bool
    rol: str


def test_quien_puede_ser_responsable():
    assert dominio.error_responsable(Usuaria("0311", True, "tecnica"), "0311") is None
    assert dominio.error_responsable(Usuaria("0311", True, "coordinadora"), "0311") is None
    assert dominio.error_responsable(None, "0311") == "No existe esa usuaria en el municipio."
    assert dominio.error_responsable(Usuaria("0309", True, "tecnica"), "0311") == "No existe esa usuaria en el municipio."
    assert "desactivada" in dominio.error_responsable(Usuaria("0311", False, "tecnica"), "0311")
    assert "coordinadora o una técnica" in dominio.error_responsable(Usuaria("0311", True, "promotora"), "0311")


def test_agenda_iniciales_y_dias_y_aviso_que_solo_avanza():
    assert dominio.iniciales("María José", "López Díaz") == "M. J. L. D."
    assert dominio.iniciales("Ángela", "de la O") == "Á. D. L. O."
    assert dominio.dias_vencido(date(2026, 5, 1), date(2026, 5, 4)) == 3
    assert dominio.dias_vencido(date(2026, 5, 4), date(2026, 5, 4)) == 0
    assert dominio.aviso_tras("pendiente", "enviada") == "enviada"
    assert dominio.aviso_tras("confirmada", "enviada") == "confirmada"  # un envío atrasado no la deshace
    assert dominio.aviso_tras(None, "confirmada") == "confirmada"


def test_la_correccion_no_toca_riesgo_ni_consentimiento_y_pide_motivo():
    with pytest.raises(ErrorValidacion) as e:
        cargar(schemas.CorreccionEntrada(), {"nivel_riesgo": "alto", "consentimiento": {}, "motivo": "x"})
    assert "/valoraciones" in e.value.detalles["nivel_riesgo"][0]
    assert "/consentimientos" in e.value.detalles["consentimiento"][0]
    with pytest.raises(ErrorValidacion) as e:
        cargar(schemas.CorreccionEntrada(), {"contexto": "pareja"})
    assert "motivo" in e.value.detalles
    with pytest.raises(ErrorValidacion) as e:
        cargar(schemas.CorreccionEntrada(), {"motivo": "nada"})
    assert e.value.detalles == {"_cuerpo": ["Indique al menos un dato que corregir."]}
    with pytest.raises(ErrorValidacion) as e:
        cargar(schemas.CorreccionEntrada(), {"sobreviviente": {"nombres": " "}, "motivo": "x"})
    assert "nombres" in e.value.detalles["sobreviviente"]
    assert cargar(schemas.CorreccionEntrada(), {"sobreviviente": {"apellidos": "Díaz"}, "motivo": "Error al escribir"}
                  )["sobreviviente"] == {"apellidos": "Díaz"}


def test_los_eventos_de_notificaciones_que_casos_escucha_existen():
    from notificaciones.contrato import NotificacionConfirmada, NotificacionEnviada
    assert set(dominio.AVISOS) == {NotificacionEnviada.tipo_evento, NotificacionConfirmada.tipo_evento}


def test_solo_el_aviso_al_cis_cuenta_para_la_derivacion():
    assert dominio.aviso_del_evento("NotificacionEnviada", "cis") == "enviada"
    assert dominio.aviso_del_evento("NotificacionConfirmada", "cis") == "confirmada"
    assert dominio.aviso_del_evento("NotificacionEnviada", None) == "enviada"  # eventos de antes del campo
    # El escalamiento a la coordinadora comparte evento_id con el aviso al CIS: no dice nada del CIS.
    assert dominio.aviso_del_evento("NotificacionEnviada", "coordinadora") is None
    assert dominio.aviso_del_evento("NotificacionFallida", "cis") is None


def test_el_aviso_de_una_entrega_o_una_sesion_no_es_de_ninguna_derivacion():
    """casos descarta sin abrir la base cada NotificacionEnviada de otra cosa (service._ajeno): en una ráfaga de
    entregas eran dos por entrega."""
    from casos.service import _ajeno
    assert dominio.aviso_del_evento("NotificacionEnviada", "cis", "CasoDerivado") == "enviada"
    assert dominio.aviso_del_evento("NotificacionEnviada", "cis", "AyudaEntregada") is None
    assert dominio.aviso_del_evento("NotificacionConfirmada", "cis", "SesionProgramada") is None

    def sobre(**datos):
        return {"id": "x", "tipo": "NotificacionEnviada", "datos": {"destinatario": "cis", **datos}}
    assert _ajeno(sobre(evento_tipo="AyudaEntregada"))
    assert not _ajeno(sobre(evento_tipo="CasoDerivado"))
    assert not _ajeno(sobre())  # un evento de antes del campo: se mira en la base, como antes
    # Lo malformado no se calla aquí: aplicar_una_vez lo registra y lo descarta.
    assert not _ajeno({"tipo": "NotificacionEnviada", "datos": "roto"}) and not _ajeno("roto")
