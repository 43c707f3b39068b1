"""Reglas de notificación, sin infraestructura: las pruebas las llaman directamente."""
import random
from dataclasses import dataclass
from datetime import date, timedelta

from ayudas.contrato import AyudaEntregada, EntregaAnulada, ExistenciasBajas
from capacitaciones.contrato import ParticipanteInscrita, SesionCancelada, SesionProgramada, SesionReprogramada
from casos.contrato import CasoDerivado, SeguimientoVencido

CANALES = ("email", "sms", "webhook", "bandeja")
# «descartada»: no se envió porque dejó de tener sentido (la sesión ya pasó); no es una falla.
ESTADOS = ("pendiente", "enviada", "fallida", "confirmada", "descartada")
CLAVES_DESTINATARIO = ("cis", "coordinadora", "policia", "fiscalia", "juzgado", "ciudad_mujer", "dinaf", "otro")
# Cómo se lee cada clave en un mensaje o un error («participantes»: las inscritas de la actividad).
NOMBRES_DESTINATARIO = {"cis": "CIS", "coordinadora": "Coordinación de la OMM", "policia": "Policía Nacional",
                        "fiscalia": "Fiscalía", "juzgado": "Juzgado", "ciudad_mujer": "Ciudad Mujer", "dinaf": "DINAF",
                        "otro": "Otro contacto", "participantes": "Participantes inscritas"}
MINUTOS_ESCALAMIENTO = 60
MAX_PLANTILLA = 2000  # caracteres de la plantilla propia de una regla (plantillas.py pone los demás límites)


@dataclass(frozen=True)
class ReglaBase:
    codigo: str
    evento: str
    condicion: dict
    destinatario: str
    canales: tuple
    urgente: bool = False
    minutos_escalamiento: int | None = None


# Las reglas por defecto del CONTRACT; cada municipio recibe su copia editable. El evento sale de la clase
# del contrato de su dueño: un cambio de nombre rompe aquí, no deja una regla que nunca se cumple.
REGLAS_POR_DEFECTO = (
    ReglaBase("derivacion_cis", CasoDerivado.tipo_evento, {"destino": "cis", "urgente": False}, "cis",
              ("email", "bandeja")),
    ReglaBase("derivacion_cis_urgente", CasoDerivado.tipo_evento, {"destino": "cis", "urgente": True}, "cis",
              ("sms", "email", "bandeja"), urgente=True, minutos_escalamiento=MINUTOS_ESCALAMIENTO),
    ReglaBase("medicamentos_cis", AyudaEntregada.tipo_evento,
              {"categoria": "economica_medicamentos", "consentimiento_salud": True}, "cis", ("email", "bandeja")),
    ReglaBase("embarazada_cis", ParticipanteInscrita.tipo_evento,
              {"tipo": "club_embarazadas", "consentimiento_salud": True}, "cis", ("email", "bandeja")),
    ReglaBase("sesion_club_cis", SesionProgramada.tipo_evento, {"tipo": "club_embarazadas"}, "cis",
              ("email", "bandeja")),
    ReglaBase("existencias_bajas", ExistenciasBajas.tipo_evento, {}, "coordinadora", ("email", "bandeja")),
    ReglaBase("seguimiento_vencido", SeguimientoVencido.tipo_evento, {}, "coordinadora", ("bandeja",)),
    # Correcciones (issue 19): una sesión movida o cancelada se avisa a las inscritas, de toda actividad, y al
    # CIS si es el club; una ayuda anulada, al CIS solo si el CIS había recibido el aviso de la entrega.
    ReglaBase("sesion_reprogramada_participantes", SesionReprogramada.tipo_evento, {}, "participantes", ("sms",)),
    ReglaBase("sesion_reprogramada_cis", SesionReprogramada.tipo_evento, {"tipo": "club_embarazadas"}, "cis",
              ("email", "bandeja")),
    ReglaBase("sesion_cancelada_participantes", SesionCancelada.tipo_evento, {}, "participantes", ("sms",)),
    ReglaBase("sesion_cancelada_cis", SesionCancelada.tipo_evento, {"tipo": "club_embarazadas"}, "cis",
              ("email", "bandeja")),
    ReglaBase("entrega_anulada_cis", EntregaAnulada.tipo_evento, {"cis_avisado": True}, "cis", ("email", "bandeja")),
)
# Datos que el evento no lleva y notificaciones deduce de lo que ya envió, antes de evaluar las condiciones.
# `cis_avisado`: el AyudaEntregada de esa entrega generó un aviso al CIS (medicamentos con consentimiento).
DATOS_DEDUCIDOS = {EntregaAnulada.tipo_evento: ("cis_avisado",)}
# Avisos sobre una sesión: si su fecha ya pasó en Honduras no se envían (ni al crearlos ni al reintentar).
EVENTOS_DE_SESION = (SesionProgramada.tipo_evento, SesionReprogramada.tipo_evento, SesionCancelada.tipo_evento)
# Reglas que no nacen de un evento sino de una tarea programada.
REGLA_ESCALAMIENTO = ReglaBase("escalamiento", CasoDerivado.tipo_evento, {}, "coordinadora",
                               ("sms", "email", "bandeja"), urgente=True)
REGLA_RECORDATORIO = ReglaBase("recordatorio_club", SesionProgramada.tipo_evento, {"tipo": "club_embarazadas"},
                               "participantes", ("sms",))
# Lo que la administración cambia en una oficina (contactos, cuentas) se avisa a su coordinación: el aviso no
# nace de un evento de otro servicio sino del cambio mismo (aquí o en el gateway, que lo entrega por RPC).
AVISO_ADMINISTRACION = "CambioDeAdministracion"
ACCIONES_ADMINISTRACION = ("usuaria_creada", "usuaria_cambiada", "usuaria_salio", "contrasena_restablecida",
                           "contacto_creado", "contacto_cambiado")
REGLA_AVISO_ADMINISTRACION = ReglaBase("aviso_administracion", AVISO_ADMINISTRACION, {}, "coordinadora",
                                       ("email", "bandeja"))
EVENTOS = sorted({r.evento for r in REGLAS_POR_DEFECTO})


def cumple(condicion, datos):
    """La condición es un conjunto de igualdades; un dato ausente no cumple."""
    return all(k in datos and datos[k] == v for k, v in (condicion or {}).items())


def reglas_que_aplican(reglas, tipo_evento, datos):
    return [r for r in reglas if r.activa and r.evento == tipo_evento and cumple(r.condicion, datos)]


def _fecha(valor):
    if isinstance(valor, date):
        return valor
    try:
        return date.fromisoformat(str(valor))
    except ValueError:
        return None


def sesion_ya_pasada(tipo_evento, datos, hoy):
    """Un aviso de sesión (programada, movida, cancelada o su recordatorio) cuya fecha es anterior a `hoy`
    (la fecha de Honduras) ya no sirve a nadie: avisar a una mujer de una sesión de ayer solo confunde."""
    if tipo_evento not in EVENTOS_DE_SESION:
        return False
    fecha = _fecha((datos or {}).get("fecha"))
    return fecha is not None and fecha < hoy


def espera_reintento(intentos, base, tope=3600, azar=random.random):
    """Espera exponencial con variación: base, 2·base, 4·base... y hasta un 50 % más al azar."""
    espera = min(tope, base * (2 ** max(0, intentos - 1)))
    return espera * (1 + 0.5 * azar())


def debe_escalar(notificacion_urgente, confirmadas_del_evento, ahora):
    """Una derivación urgente al CIS sin acuse pasado su plazo se escala a la coordinadora."""
    return (notificacion_urgente.escalar_en is not None and notificacion_urgente.escalar_en <= ahora
            and not confirmadas_del_evento)


def escalar_en(creado_en, minutos):
    return creado_en + timedelta(minutes=minutos) if minutos else None


def recortar_sms(texto, maximo=160):
    texto = " ".join(texto.split())
    return texto if len(texto) <= maximo else texto[: maximo - 1] + "…"
