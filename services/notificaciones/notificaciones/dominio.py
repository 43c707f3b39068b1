"""Reglas de notificación, sin infraestructura: las pruebas las llaman directamente."""
import random
from dataclasses import dataclass
from datetime import timedelta

from ayudas.contrato import AyudaEntregada, ExistenciasBajas
from capacitaciones.contrato import ParticipanteInscrita, SesionProgramada
from casos.contrato import CasoDerivado, SeguimientoVencido

CANALES = ("email", "sms", "webhook", "bandeja")
ESTADOS = ("pendiente", "enviada", "fallida", "confirmada")
CLAVES_DESTINATARIO = ("cis", "coordinadora", "policia", "fiscalia", "juzgado", "ciudad_mujer", "dinaf", "otro")
MINUTOS_ESCALAMIENTO = 60


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
)
# Reglas que no nacen de un evento sino de una tarea programada.
REGLA_ESCALAMIENTO = ReglaBase("escalamiento", CasoDerivado.tipo_evento, {}, "coordinadora",
                               ("sms", "email", "bandeja"), urgente=True)
REGLA_RECORDATORIO = ReglaBase("recordatorio_club", SesionProgramada.tipo_evento, {"tipo": "club_embarazadas"},
                               "participantes", ("sms",))
EVENTOS = sorted({r.evento for r in REGLAS_POR_DEFECTO})


def cumple(condicion, datos):
    """La condición es un conjunto de igualdades; un dato ausente no cumple."""
    return all(k in datos and datos[k] == v for k, v in (condicion or {}).items())


def reglas_que_aplican(reglas, tipo_evento, datos):
    return [r for r in reglas if r.activa and r.evento == tipo_evento and cumple(r.condicion, datos)]


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
