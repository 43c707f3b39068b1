"""Reglas de los casos, sin infraestructura: ciclo de vida, consentimiento y la regla de las 72 horas."""
from datetime import date, datetime, time

from omm_common.textos import fecha_larga
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
# Tipos de la ley hondureña -> tipo central del GBVIMS, aproximado (solo para `tipos_gbvims` del detalle, que se
# conserva por compatibilidad). La clasificación exacta es `tipo_gbvims` (ver gbvims_derivado y validar_gbvims).
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


SIN_CLASIFICAR = "sin_clasificar"
NOMBRES_GBVIMS_CON_VACIO = {**NOMBRES_GBVIMS, SIN_CLASIFICAR: "Sin clasificar"}


def gbvims_derivado(tipos_violencia):
    """El tipo GBVIMS que los tipos de la ley determinan sin duda, o None («sin clasificar»).

    El GBVIMS clasifica cada incidente en el primer tipo de su jerarquía que aplica: violación, agresión
    sexual, agresión física, matrimonio forzado, negación de recursos, abuso psicológico o emocional.
    - Con violencia sexual: violación o agresión sexual, pero la ley no distingue la penetración → None.
    - Con violencia física y sin sexual: agresión física, exacto (está por encima de todo lo que queda).
    - Solo psicológica, patrimonial o económica: podría ser un matrimonio forzado (que la ley no tipifica
      aparte) o una negación de recursos → None; la técnica lo elige.
    """
    tipos = set(tipos_violencia or ())
    if "sexual" in tipos:
        return None
    if "fisica" in tipos:
        return "agresion_fisica"
    return None


def validar_gbvims(tipos_violencia, tipo_gbvims):
    """Mensaje de error si el tipo GBVIMS elegido contradice los tipos de la ley (la jerarquía manda), o None."""
    if tipo_gbvims is None:
        return None
    tipos = set(tipos_violencia or ())
    sexuales = ("violacion", "agresion_sexual")
    if tipo_gbvims in sexuales and "sexual" not in tipos:
        return f"«{NOMBRES_GBVIMS[tipo_gbvims]}» requiere que el caso incluya violencia sexual."
    if "sexual" in tipos and tipo_gbvims not in sexuales:
        return "Con violencia sexual, el GBVIMS clasifica el caso como «Violación» o «Agresión sexual»."
    if "fisica" in tipos and "sexual" not in tipos and tipo_gbvims != "agresion_fisica":
        return "Con violencia física (y sin sexual), el GBVIMS clasifica el caso como «Agresión física»."
    if tipo_gbvims == "agresion_fisica" and "fisica" not in tipos:
        return "«Agresión física» requiere que el caso incluya violencia física."
    return None


def gbvims_tras_cambio(tipos_violencia, actual):
    """Tras corregir los tipos de la ley sin decir el GBVIMS: se conserva si sigue siendo coherente."""
    if actual is not None and validar_gbvims(tipos_violencia, actual) is None:
        return actual
    return gbvims_derivado(tipos_violencia)


def vigente(entradas):
    """La entrada vigente de una historia (valoraciones o consentimientos): la de fecha más reciente y,
    el mismo día, la registrada después. `entradas`: objetos con `fecha` y `creado_en`."""
    return max(entradas, key=lambda e: (e.fecha, e.creado_en), default=None)


def error_incidente(fecha_incidente, fecha_atencion, nombrar_atencion=False):
    """El mensaje si el incidente queda después de la atención, o None. `nombrar_atencion`: la fecha de la
    atención no está en la misma solicitud (una corrección), así que el mensaje la dice."""
    if fecha_incidente and fecha_incidente > fecha_atencion:
        cual = f" ({fecha_larga(fecha_atencion)})" if nombrar_atencion else ""
        return f"El incidente no puede ser posterior a la atención{cual}."
    return None


def error_fechas_seguimiento(fecha_atencion, fecha, proxima_fecha, hoy):
    """{campo: mensaje} con lo que está fuera de orden en un seguimiento, vacío si nada."""
    errores = {}
    if fecha < fecha_atencion:
        errores["fecha"] = (f"La fecha del seguimiento no puede ser anterior a la atención del caso "
                            f"({fecha_larga(fecha_atencion)}).")
    elif fecha > hoy:
        errores["fecha"] = "La fecha del seguimiento no puede ser futura."
    if proxima_fecha is not None and proxima_fecha < fecha:
        errores["proxima_fecha"] = "La próxima fecha no puede ser anterior a la fecha del seguimiento."
    return errores


def error_fecha_registro(fecha_atencion, fecha, hoy, que="la valoración"):
    """Mensaje si la fecha de una valoración o cambio de consentimiento está fuera de [atención, hoy]."""
    if fecha < fecha_atencion:
        return f"La fecha de {que} no puede ser anterior a la atención del caso ({fecha_larga(fecha_atencion)})."
    if fecha > hoy:
        return f"La fecha de {que} no puede ser futura."
    return None


def estado_tras_reapertura(estado, con_seguimientos):
    """Solo un caso cerrado se reabre (repetir la reapertura es un 409 claro); vuelve a seguimiento si ya tenía."""
    if estado != "cerrado":
        raise Conflicto("El caso no está cerrado: solo se puede reabrir un caso cerrado.", {"estado": estado},
                        codigo="ESTADO_INVALIDO")
    return "en_seguimiento" if con_seguimientos else "abierto"


ROLES_RESPONSABLE = ("coordinadora", "tecnica")


def error_responsable(usuario, municipio):
    """Quién puede ser responsable de un caso: activa, del municipio, coordinadora o técnica. `usuario`:
    objeto con municipio, activo y rol, o None."""
    if usuario is None or usuario.municipio != municipio:
        return "No existe esa usuaria en el municipio."
    if not usuario.activo:
        return "Esa usuaria está desactivada."
    if usuario.rol not in ROLES_RESPONSABLE:
        return "La responsable de un caso debe ser una coordinadora o una técnica."
    return None


def iniciales(nombres, apellidos):
    """'María José', 'López Díaz' -> 'M. J. L. D.': para listas diarias sin el nombre completo."""
    return " ".join(f"{p[0].upper()}." for p in f"{nombres} {apellidos}".split() if p[:1].isalpha())


def dias_vencido(proxima_fecha, hoy):
    return max(0, (hoy - proxima_fecha).days)


ORDEN_AVISO = ("pendiente", "enviada", "confirmada")


AVISOS = {"NotificacionEnviada": "enviada", "NotificacionConfirmada": "confirmada"}


def aviso_del_evento(tipo_evento, destinatario, evento_tipo=None):
    """Qué dice un evento de notificaciones del aviso al CIS, o None. El escalamiento a la coordinadora lleva el
    mismo evento_id que el aviso al CIS: si contara, la técnica vería «enviada» un aviso que el CIS nunca recibió.
    El aviso de otra cosa (una entrega, una sesión: `evento_tipo`) no es de una derivación. Sin destinatario ni
    evento_tipo (eventos anteriores a esos campos) se acepta, como antes."""
    if destinatario not in (None, "cis") or evento_tipo not in (None, "CasoDerivado"):
        return None
    return AVISOS.get(tipo_evento)


def aviso_tras(actual, nuevo):
    """El aviso de una derivación al CIS solo avanza: un evento de envío atrasado no deshace la confirmación."""
    if actual is None or ORDEN_AVISO.index(nuevo) > ORDEN_AVISO.index(actual):
        return nuevo
    return actual


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
