"""Reglas de los casos, sin infraestructura: ciclo de vida, consentimiento y la regla de las 72 horas."""
from datetime import date, datetime, time

from omm_common.errores import Conflicto
from omm_common.tiempo import HONDURAS

TIPOS_VIOLENCIA = ("fisica", "psicologica", "sexual", "patrimonial", "economica")
NOMBRES_TIPO_VIOLENCIA = {"fisica": "Física", "psicologica": "Psicológica", "sexual": "Sexual",
                          "patrimonial": "Patrimonial", "economica": "Económica"}
# Los seis tipos centrales del GBVIMS, en su orden de jerarquía (un incidente se clasifica en el primero que
# aplica): un segundo eje, exacto, junto a los tipos de la ley hondureña.
TIPOS_GBVIMS = ("violacion", "agresion_sexual", "agresion_fisica", "matrimonio_forzado", "negacion_de_recursos",
                "abuso_psicologico_emocional")
NOMBRES_GBVIMS = {
    "violacion": "Violación",
    "agresion_sexual": "Agresión sexual",
    "agresion_fisica": "Agresión física",
    "matrimonio_forzado": "Matrimonio forzado",
    "negacion_de_recursos": "Negación de recursos, oportunidades o servicios",
    "abuso_psicologico_emocional": "Abuso psicológico o emocional",
}
# Tipos de la ley hondureña -> tipo central del GBVIMS, para estadísticas comparables.
GBVIMS = {
    "fisica": "agresion_fisica",
    "psicologica": "abuso_psicologico_emocional",
    "sexual": "agresion_sexual",
    "patrimonial": "negacion_de_recursos",
    "economica": "negacion_de_recursos",
}
CONTEXTOS = ("pareja", "expareja", "familiar", "comunitaria", "laboral", "institucional", "otro")
NOMBRES_CONTEXTO = {"pareja": "Pareja", "expareja": "Expareja", "familiar": "Familiar",
                    "comunitaria": "Comunitaria", "laboral": "Laboral", "institucional": "Institucional",
                    "otro": "Otro"}
NIVELES_RIESGO = ("bajo", "medio", "alto", "extremo")
NOMBRES_NIVEL_RIESGO = {"bajo": "Bajo", "medio": "Medio", "alto": "Alto", "extremo": "Extremo"}
ESTADOS = ("abierto", "en_seguimiento", "derivado", "cerrado")
TIPOS_SEGUIMIENTO = ("llamada", "visita", "acompanamiento", "atencion", "otro")
DESTINOS = ("cis", "policia", "fiscalia", "juzgado", "ciudad_mujer", "dinaf", "otro")
HORAS_URGENCIA_SEXUAL = 72


def tipos_gbvims(tipos):
    return sorted({GBVIMS[t] for t in tipos})


def exigir_no_cerrado(estado, accion):
    if estado == "cerrado":
        raise Conflicto(f"El caso está cerrado: no admite {accion}.", {"estado": estado}, codigo="ESTADO_INVALIDO")


def estado_tras_seguimiento(estado):
    exigir_no_cerrado(estado, "seguimientos")
    return "en_seguimiento" if estado == "abierto" else estado


def estado_tras_derivacion(estado, consentimiento_derivacion):
    exigir_no_cerrado(estado, "derivaciones")
    if not consentimiento_derivacion:
        raise Conflicto("La sobreviviente no dio su consentimiento para derivar el caso.",
                        {"consentimiento": {"derivacion": False}}, codigo="SIN_CONSENTIMIENTO")
    return "derivado"


def estado_tras_cierre(estado):
    if estado == "cerrado":
        raise Conflicto("El caso ya está cerrado.", {"estado": estado}, codigo="ESTADO_INVALIDO")
    return "cerrado"


def horas_desde_incidente(fecha_incidente, ahora, hora_incidente=None):
    """Sin hora se cuenta desde el inicio del día del incidente."""
    if fecha_incidente is None:
        return None
    momento = datetime.combine(fecha_incidente, hora_incidente or time(0, 0), HONDURAS)
    return max(0, int((ahora - momento).total_seconds() // 3600))


def motivo_urgencia(destino, tipos_violencia, horas, solicitado=False):
    """Por qué una derivación es urgente, o None: la regla de las 72 h (violencia sexual al CIS) manda diga
    lo que diga el cliente; si no, la oficina pudo marcarla urgente por su criterio. El CIS lee el motivo:
    nunca debe decir «violencia sexual» de una derivación que la oficina marcó urgente por otra razón."""
    if destino == "cis" and "sexual" in tipos_violencia and horas is not None and horas <= HORAS_URGENCIA_SEXUAL:
        return "violencia_sexual_72h"
    return "criterio_oficina" if solicitado else None


def es_urgente(destino, tipos_violencia, horas, solicitado=False):
    return motivo_urgencia(destino, tipos_violencia, horas, solicitado) is not None


def mes(fecha: date):
    return fecha.strftime("%Y-%m")
