"""Reglas de las capacitaciones, sin infraestructura: las pruebas las llaman directamente."""
import calendar
import hashlib
import hmac
from datetime import date, timedelta
from decimal import Decimal

from omm_common.errores import Conflicto, ErrorValidacion
from omm_common.tiempo import hoy_honduras

# Públicos: contrato.py los reexporta (otros servicios los muestran).
TIPOS = ("capacitacion", "taller", "sensibilizacion", "club_embarazadas", "escuela_emprendimiento",
         "socializacion", "asesoria_tecnica")
NOMBRES_TIPO = {
    "capacitacion": "Capacitación",
    "taller": "Taller",
    "sensibilizacion": "Sensibilización",
    "club_embarazadas": "Club de embarazadas",
    "escuela_emprendimiento": "Escuela de emprendimiento",
    "socializacion": "Socialización",
    "asesoria_tecnica": "Asesoría técnica",
}
PORCENTAJE_CONSTANCIA = 75
MAX_MESES_RECURRENCIA = 24
DURACION_HORAS = Decimal(2)
SEMANAS_EMBARAZO_MAX = 42
DIAS_EMBARAZO = 280
def verificar_cupo(cupo, inscritas):
    if cupo is not None and inscritas >= cupo:
        raise Conflicto("La actividad ya no tiene cupo disponible.", {"cupo": cupo, "inscritas": inscritas},
                        codigo="CUPO_LLENO")


def clave_persona(dni, nombre_normalizado, fecha_nacimiento):
    """Con DNI, la persona es su DNI; sin él, su nombre normalizado y su fecha de nacimiento."""
    if dni:
        return f"dni:{dni}"
    return f"nombre:{nombre_normalizado}|{fecha_nacimiento.isoformat() if fecha_nacimiento else ''}"


def buscar_duplicado(nueva, existentes):
    """`nueva` y cada existente: dict con id, dni, nombre_normalizado, fecha_nacimiento.

    Si ambas traen DNI manda el DNI (dos homónimas con DNI distinto son dos personas);
    si a alguna le falta, se compara nombre normalizado y fecha de nacimiento.
    """
    for otra in existentes:
        if nueva.get("dni") and otra.get("dni"):
            if nueva["dni"] == otra["dni"]:
                return otra
            continue
        if (nueva["nombre_normalizado"] == otra["nombre_normalizado"]
                and nueva.get("fecha_nacimiento") == otra.get("fecha_nacimiento")):
            return otra
    return None


def verificar_duplicado(nueva, existentes):
    otra = buscar_duplicado(nueva, existentes)
    if otra is not None:
        raise Conflicto("Esta persona ya está inscrita en la actividad.", {"id": otra["id"]}, codigo="DUPLICADO")


def verificar_presentes(presentes, inscritas_ids):
    """Solo se registra asistencia de personas inscritas en esta misma actividad."""
    ajenas = [p for p in presentes if p not in set(inscritas_ids)]
    if ajenas:
        raise ErrorValidacion("Hay datos inválidos en la solicitud.", {
            "presentes": [f"No está inscrita en esta actividad: {p}." for p in ajenas]})


def sumar_meses(fecha, meses):
    """El mismo día del mes siguiente; si no existe (31 de enero + 1), el último día de ese mes."""
    total = fecha.month - 1 + meses
    anio, mes = fecha.year + total // 12, total % 12 + 1
    return date(anio, mes, min(fecha.day, calendar.monthrange(anio, mes)[1]))


def sesiones_mensuales(primera, meses):
    """`meses` sesiones una vez al mes desde la primera (el club del CIS es mensual)."""
    if not 1 <= meses <= MAX_MESES_RECURRENCIA:
        raise ErrorValidacion("Hay datos inválidos en la solicitud.", {
            "recurrencia": {"meses": [f"Debe estar entre 1 y {MAX_MESES_RECURRENCIA}."]}})
    return [{**primera, "fecha": sumar_meses(primera["fecha"], i)} for i in range(meses)]


def expandir_sesiones(sesiones, recurrencia=None):
    """Las sesiones pedidas; con recurrencia, la primera se repite cada mes. Sin fechas repetidas."""
    if recurrencia:
        sesiones = sesiones_mensuales(sesiones[0], recurrencia["meses"]) + list(sesiones[1:])
    vistas, resultado = set(), []
    for s in sorted(sesiones, key=lambda x: (x["fecha"], x.get("hora") or "")):
        clave = (s["fecha"], s.get("hora"))
        if clave not in vistas:
            vistas.add(clave)
            resultado.append(s)
    return resultado


def sesiones_realizadas(sesiones, hoy=None):
    """Sesiones ya realizadas: fecha hasta hoy. Cada una: dict o objeto con `fecha`."""
    hoy = hoy or hoy_honduras()
    return [s for s in sesiones if _valor(s, "fecha") <= hoy]


def porcentaje_asistencia(sesiones, asistidas_ids, hoy=None):
    """Porcentaje sobre las sesiones realizadas; sin sesiones realizadas, 0."""
    realizadas = sesiones_realizadas(sesiones, hoy)
    if not realizadas:
        return 0.0
    presentes = sum(1 for s in realizadas if _valor(s, "id") in set(asistidas_ids))
    return round(100 * presentes / len(realizadas), 1)


def puede_recibir_constancia(porcentaje):
    return porcentaje >= PORCENTAJE_CONSTANCIA


def verificar_constancia(porcentaje):
    if not puede_recibir_constancia(porcentaje):
        raise Conflicto(
            f"La constancia requiere al menos {PORCENTAJE_CONSTANCIA} % de asistencia a las sesiones realizadas; "
            f"tiene {porcentaje} %.",
            {"porcentaje_asistencia": porcentaje, "minimo": PORCENTAJE_CONSTANCIA}, codigo="ESTADO_INVALIDO")


def semanas_gestacion_actual(semanas_al_registro, fecha_registro, hoy=None):
    """Semanas de hoy; None si no se sabe o si ya pasó el término del embarazo."""
    if semanas_al_registro is None or fecha_registro is None:
        return None
    semanas = semanas_al_registro + ((hoy or hoy_honduras()) - fecha_registro).days // 7
    return semanas if semanas <= SEMANAS_EMBARAZO_MAX else None


def fecha_probable_parto(semanas_al_registro, fecha_registro):
    """FPP = fecha de registro − semanas de gestación + 280 días."""
    if semanas_al_registro is None or fecha_registro is None:
        return None
    return fecha_registro - timedelta(weeks=semanas_al_registro) + timedelta(days=DIAS_EMBARAZO)


def verificar_embarazo(tipo, embarazada, semanas):
    """Devuelve `embarazada` resuelta: en el club de embarazadas se supone que sí, salvo que se diga."""
    if embarazada is None:
        embarazada = tipo == "club_embarazadas" or semanas is not None
    if semanas is not None and not embarazada:
        raise ErrorValidacion("Hay datos inválidos en la solicitud.", {
            "participante": {"semanas_gestacion": ["Solo aplica si la participante está embarazada."]}})
    return embarazada


def horas_asistidas(sesiones, asistidas_ids, hoy=None):
    realizadas = [s for s in sesiones_realizadas(sesiones, hoy) if _valor(s, "id") in set(asistidas_ids)]
    horas = sum((Decimal(str(_valor(s, "duracion_horas") or DURACION_HORAS)) for s in realizadas), Decimal(0))
    return len(realizadas), horas


def codigo_verificacion(secreto, inscripcion_id):
    """Código corto para verificar una constancia: no se puede inventar sin el secreto del servidor."""
    firma = hmac.new(secreto.encode(), f"constancia:{inscripcion_id}".encode(), hashlib.sha256).hexdigest()
    return "-".join(firma[i:i + 4] for i in range(0, 12, 4)).upper()


def _valor(x, nombre):
    return x[nombre] if isinstance(x, dict) else getattr(x, nombre)
