"""Reglas de las capacitaciones, sin infraestructura: las pruebas las llaman directamente."""
import calendar
import hashlib
import hmac
from datetime import date, timedelta
from decimal import Decimal

from omm_common.errores import Conflicto, ErrorOMM, ErrorValidacion, incoherentes
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


def clave_persona(indice_dni, nombre_normalizado, fecha_nacimiento):
    """Con DNI, la persona es su DNI (su índice ciego, nunca el DNI en claro); sin él, su nombre normalizado y su
    fecha de nacimiento."""
    if indice_dni:
        return f"dni:{indice_dni}"
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
        # Ids bien formados de inscripciones que aquí no existen: 404 que nombra el campo.
        raise ErrorOMM("Hay personas que no están inscritas en esta actividad.", {
            "presentes": [f"No está inscrita en esta actividad: {p}." for p in ajenas]}, codigo="REFERENCIA_INEXISTENTE")


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


def cancelada(s):
    """Una sesión cancelada (dict u objeto con `cancelada_en`, o `estado`) no se realizó ni se realizará."""
    if isinstance(s, dict):
        return s.get("estado") == "cancelada" or s.get("cancelada_en") is not None
    return getattr(s, "cancelada_en", None) is not None


def sesiones_realizadas(sesiones, hoy=None):
    """Sesiones ya realizadas: fecha hasta hoy y no canceladas. Cada una: dict o objeto con `fecha`.

    Una sesión cancelada no cuenta como realizada: ni para el 75 % de la constancia, ni en los informes.
    """
    hoy = hoy or hoy_honduras()
    return [s for s in sesiones if _valor(s, "fecha") <= hoy and not cancelada(s)]


def estado_sesion(s, hoy=None):
    """"cancelada", "realizada" (fecha hasta hoy) o "programada" (aún por venir)."""
    if cancelada(s):
        return "cancelada"
    return "realizada" if _valor(s, "fecha") <= (hoy or hoy_honduras()) else "programada"


ESTADOS_SESION = {"programada": "Programada", "realizada": "Realizada", "cancelada": "Cancelada"}


# --- cambios de una sesión: reprogramar, cancelar ---

def verificar_reprogramable(s, tiene_asistencia, hoy=None):
    """Solo se reprograma una sesión que aún no se realizó, no cancelada y sin asistencia registrada."""
    hoy = hoy or hoy_honduras()
    if cancelada(s):
        raise Conflicto("La sesión está cancelada: no se puede reprogramar. Agregue una sesión nueva.",
                        {"estado": "cancelada"}, codigo="ESTADO_INVALIDO")
    if _valor(s, "fecha") < hoy or tiene_asistencia:
        raise Conflicto("La sesión ya se realizó o tiene asistencia o conteo registrado: no se puede reprogramar.",
                        {"estado": "realizada"}, codigo="ESTADO_INVALIDO")


def verificar_nueva_fecha(fecha, hoy=None):
    if fecha < (hoy or hoy_honduras()):
        raise ErrorValidacion("Hay datos inválidos en la solicitud.", {
            "fecha": ["La nueva fecha no puede ser anterior a hoy."]})


def verificar_cancelable(s, tiene_asistencia):
    """Se cancela una sesión sin asistencia ni conteo; cancelar otra vez no cambia nada (la llamada lo decide)."""
    if tiene_asistencia:
        raise Conflicto("La sesión tiene asistencia o conteo registrado: no se puede cancelar.",
                        {"estado": "realizada"}, codigo="ESTADO_INVALIDO")


def verificar_sesion_para_asistencia(s, hoy=None):
    """Asistencia y conteo solo de una sesión ya llegada (hoy o antes, en Honduras) y no cancelada."""
    if cancelada(s):
        raise Conflicto("La sesión está cancelada: no se registra asistencia ni conteo.",
                        {"estado": "cancelada"}, codigo="ESTADO_INVALIDO")
    hoy = hoy or hoy_honduras()
    if _valor(s, "fecha") > hoy:
        raise Conflicto("La sesión todavía no se ha realizado: la asistencia y el conteo se registran el día de la "
                        "sesión o después.", {"fecha": _valor(s, "fecha").isoformat()}, codigo="ESTADO_INVALIDO")


def se_avisa(fecha, hoy=None):
    """Solo se anuncia (SesionProgramada, reprogramación, cancelación) una sesión de hoy en adelante:
    registrar una actividad que ya pasó no debe mandar avisos de "sesión programada"."""
    return fecha >= (hoy or hoy_honduras())


# --- conteo de participantes (charlas abiertas, sin inscripción con nombre) ---

# Grupos de edad como los informan las oficinas municipales (Ley de la Niñez: hasta 11 niñez y
# 12-17 adolescencia; juventud hasta 29; adulto mayor desde 60, Ley Integral del Adulto Mayor).
GRUPOS_EDAD = ("ninez", "adolescencia", "juventud", "adultez", "adulto_mayor")
NOMBRES_GRUPO_EDAD = {
    "ninez": "Niñez (0 a 11 años)",
    "adolescencia": "Adolescencia (12 a 17 años)",
    "juventud": "Juventud (18 a 29 años)",
    "adultez": "Personas adultas (30 a 59 años)",
    "adulto_mayor": "Personas adultas mayores (60 años y más)",
}


def conteo_normalizado(mujeres, hombres, por_grupo_edad=None):
    """{mujeres, hombres, total, por_grupo_edad} con todos los grupos; el desglose por edad, si se da,
    debe sumar lo mismo que mujeres + hombres (409 DATOS_INCOHERENTES que nombra `por_grupo_edad`)."""
    total = mujeres + hombres
    grupos = dict.fromkeys(GRUPOS_EDAD, 0)
    if por_grupo_edad:
        grupos.update({k: int(v or 0) for k, v in por_grupo_edad.items()})
        suma = sum(grupos.values())
        if suma != total:
            raise incoherentes({"por_grupo_edad": [
                f"La suma por grupo de edad ({suma}) debe ser igual al total de mujeres y hombres ({total})."]})
    return {"mujeres": mujeres, "hombres": hombres, "total": total,
            "por_grupo_edad": grupos if por_grupo_edad else None}


def presentes_sesion(conteo_total, nombradas):
    """Personas en una sesión: el conteo es de todo el salón (incluye a las inscritas que firmaron), así
    que vale el mayor de los dos; sin conteo, las nombradas en la asistencia."""
    return max(conteo_total or 0, nombradas or 0)


def participantes_actividad(inscritas, conteos_realizadas):
    """Participantes de una actividad (regla del informe).

    - Con inscripción con nombre y sin conteos: las inscritas.
    - Con conteos: cada conteo es la gente de una sesión, no se sabe si son las mismas de otra sesión; para
      no contar a nadie dos veces vale el conteo más alto de sus sesiones realizadas (no canceladas).
    - Con las dos: el mayor entre las inscritas y ese conteo (el conteo incluye a las inscritas presentes).
    Las personas sin nombre que la actividad suma sobre sus inscritas son max(0, conteo mayor − inscritas).
    """
    mayor = max((c or 0 for c in conteos_realizadas), default=0)
    return max(inscritas, mayor)


def sin_nombre(inscritas, conteo_mayor):
    """Personas contadas que no están inscritas con nombre (lo que la región suma a las personas distintas)."""
    return max(0, (conteo_mayor or 0) - inscritas)


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
