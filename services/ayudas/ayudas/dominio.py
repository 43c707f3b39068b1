"""Reglas de las ayudas, sin infraestructura: las pruebas las llaman directamente."""
from datetime import timedelta
from decimal import Decimal

from omm_common import municipios, nombres
from omm_common.textos import fecha_larga, lempiras  # noqa: F401 - lempiras: los recibos la usan desde aquí
from omm_common.errores import Conflicto, ErrorValidacion
from omm_common.tiempo import hoy_honduras

# Públicos: contrato.py los reexporta (otros servicios los muestran).
CATEGORIAS = ("alimentos", "panales", "economica_medicamentos", "otro")
NOMBRES_CATEGORIA = {
    "alimentos": "Entrega de ayuda social de alimentos",
    "panales": "Entrega de ayuda social de pañales",
    "economica_medicamentos": "Ayuda económica para compra de medicamentos",
    "otro": "Otras ayudas sociales",
}
CATEGORIAS_EN_ESPECIE = ("alimentos", "panales")
CONDICIONES = ("tercera_edad", "enfermedad_base", "discapacidad", "bajos_recursos", "jefa_hogar", "embarazada")
NOMBRES_CONDICION = {
    "tercera_edad": "Tercera edad", "enfermedad_base": "Enfermedad de base", "discapacidad": "Discapacidad",
    "bajos_recursos": "Bajos recursos", "jefa_hogar": "Jefa de hogar", "embarazada": "Embarazada",
}
EDAD_TERCERA_EDAD = 60
# Una mujer sin tarjeta de identidad se registra igual, con el motivo; el DNI se agrega después.
MOTIVOS_SIN_DNI = ("sin_documento", "menor_de_edad", "extranjera", "en_tramite", "otro")
NOMBRES_MOTIVO_SIN_DNI = {
    "sin_documento": "Sin documento", "menor_de_edad": "Menor de edad", "extranjera": "Extranjera",
    "en_tramite": "Documento en trámite", "otro": "Otro motivo",
}
ESTADOS_ENTREGA = ("vigente", "anulada")


def numero_recibo(municipio, anio, numero):
    """Número humano del recibo: sigla del municipio, año y consecutivo (Lejamaní: LEJ-2026-R0001)."""
    m = municipios.buscar(municipio)
    return f"{m.sigla if m else municipio}-{anio}-R{numero:04d}"


def verificar_identidad(dni, motivo_sin_dni, fecha_nacimiento):
    """DNI o el motivo por el que no lo tiene; con DNI, el motivo sobra. Solo sin DNI puede faltar la fecha de
    nacimiento (una mujer sin documento a veces no la sabe); entonces las candidatas se buscan por comunidad."""
    if not dni and not motivo_sin_dni:
        raise ErrorValidacion("Hay datos inválidos en la solicitud.", {"dni": [
            "Escriba el DNI o indique por qué no lo tiene en «motivo_sin_dni» (" +
            ", ".join(NOMBRES_MOTIVO_SIN_DNI.values()) + ")."]})
    if dni and fecha_nacimiento is None:
        raise ErrorValidacion("Hay datos inválidos en la solicitud.", {"fecha_nacimiento": [
            "Escriba la fecha de nacimiento: solo puede faltar cuando no tiene DNI."]})
    return None if dni else motivo_sin_dni


def es_misma_persona(a, b):
    """¿Pueden ser la misma mujer? a y b: dict con clave_nombre, fecha_nacimiento, comunidad y dni.

    El nombre debe parecerse (tildes, orden, apellidos, una letra) y además coincidir la fecha de nacimiento;
    si a una le falta la fecha, la comunidad. Dos DNI distintos son dos personas.
    """
    if a.get("dni") and b.get("dni") and a["dni"] != b["dni"]:
        return False
    if not nombres.es_candidata(a["clave_nombre"] or "", b["clave_nombre"] or ""):
        return False
    if a.get("fecha_nacimiento") and b.get("fecha_nacimiento"):
        return a["fecha_nacimiento"] == b["fecha_nacimiento"]
    return nombres.clave(a.get("comunidad")) == nombres.clave(b.get("comunidad"))


def edad(fecha_nacimiento, hoy=None):
    if fecha_nacimiento is None:  # sin DNI puede no saberse
        return None
    hoy = hoy or hoy_honduras()
    return hoy.year - fecha_nacimiento.year - ((hoy.month, hoy.day) < (fecha_nacimiento.month, fecha_nacimiento.day))


def condiciones_con_edad(condiciones, fecha_nacimiento, hoy=None):
    """`tercera_edad` se deriva de la fecha de nacimiento; lo que escriba el cliente no cuenta."""
    resto = [c for c in dict.fromkeys(condiciones) if c != "tercera_edad"]
    if fecha_nacimiento and edad(fecha_nacimiento, hoy) >= EDAD_TERCERA_EDAD:
        resto.insert(0, "tercera_edad")
    return resto


def proxima_fecha(ultima_fecha, frecuencia_dias):
    """Desde cuándo la frecuencia permite otra entrega de esa ayuda; None: desde ya (nunca la recibió o no
    tiene frecuencia). La misma regla para avisar antes (la página de la persona) y para rechazar después."""
    if ultima_fecha is None or frecuencia_dias <= 0:
        return None
    return ultima_fecha + timedelta(days=frecuencia_dias)


def verificar_frecuencia(ultima_fecha, fecha, frecuencia_dias, justificacion=None, rol=None):
    """Una misma ayuda no se repite dentro de su ventana, salvo excepción justificada por la coordinadora."""
    proxima = proxima_fecha(ultima_fecha, frecuencia_dias)
    if proxima is None or fecha >= proxima:
        return
    if justificacion and rol == "coordinadora":
        return
    detalles = {"ultima_entrega": ultima_fecha.isoformat(), "proxima_fecha_permitida": proxima.isoformat()}
    if justificacion:
        detalles["justificacion_excepcion"] = ["Solo una coordinadora puede autorizar una excepción."]
    raise Conflicto(
        f"Esta ayuda ya se entregó el {fecha_larga(ultima_fecha)}; la próxima entrega se permite desde el "
        f"{fecha_larga(proxima)}.", detalles, codigo="FRECUENCIA_EXCEDIDA")


def verificar_monto(categoria, monto, monto_maximo):
    if categoria == "economica_medicamentos" and monto is None:
        raise ErrorValidacion("Hay datos inválidos en la solicitud.",
                              {"monto": ["Una ayuda económica requiere el monto entregado."]})
    if monto is not None and monto_maximo is not None and Decimal(monto) > Decimal(monto_maximo):
        raise ErrorValidacion("Hay datos inválidos en la solicitud.",
                              {"monto": [f"El monto supera el máximo de este tipo de ayuda ({lempiras(monto_maximo)})."]})


MOTIVOS_MOVIMIENTO = ("donacion", "compra", "ajuste")
# Los que escribe el sistema: la salida por una entrega y la devolución por su anulación.
NOMBRES_MOVIMIENTO = {"donacion": "Donación", "compra": "Compra", "ajuste": "Ajuste", "entrega": "Entrega",
                      "anulacion": "Anulación de una entrega"}


def es_en_especie(categoria):
    return categoria in CATEGORIAS_EN_ESPECIE


def verificar_existencias(tipo_codigo, disponible, cambio, nombre=None):
    """La regla del inventario, una sola para entregas y movimientos: nada deja existencias negativas.

    La base la respalda con CHECK (existencia >= 0) y las entregas la aplican con un UPDATE condicionado.
    El mensaje nombra la ayuda como la lee la oficina («Bolsa de alimentos»), no por su código.
    """
    if disponible + cambio < 0:
        raise Conflicto(f"No hay existencias suficientes de «{nombre or tipo_codigo}»: quedan {disponible}, "
                        f"se pidieron {-cambio}.",
                        {"tipo_codigo": tipo_codigo, "disponible": disponible, "solicitada": -cambio},
                        codigo="SIN_EXISTENCIAS")


def cruza_minimo(antes, despues, minimo):
    """ExistenciasBajas se avisa al cruzar el mínimo, no en cada entrega por debajo de él."""
    return minimo > 0 and antes >= minimo > despues


def verificar_movimiento(tipo_codigo, motivo, cantidad, origen, existencia, nombre=None):
    if motivo != "ajuste" and cantidad <= 0:
        raise ErrorValidacion("Hay datos inválidos en la solicitud.",
                              {"cantidad": ["Una donación o compra suma unidades: use una cantidad positiva."]})
    if motivo == "ajuste" and not origen:
        raise ErrorValidacion("Hay datos inválidos en la solicitud.",
                              {"origen": ["Un ajuste requiere el motivo (p. ej. «bolsas vencidas»)."]})
    verificar_existencias(tipo_codigo, existencia, cantidad, nombre)


def verificar_presupuesto(presupuesto, gastado, monto):
    """Sin presupuesto registrado no hay tope; con él, una entrega no puede excederlo."""
    if presupuesto is None or monto is None:
        return
    restante = Decimal(presupuesto) - Decimal(gastado or 0)
    if Decimal(monto) > restante:
        raise Conflicto(f"La entrega excede el presupuesto anual de ayudas económicas: quedan L {restante:.2f}.",
                        {"presupuesto": float(presupuesto), "restante": float(restante), "monto": float(monto)},
                        codigo="PRESUPUESTO_EXCEDIDO")
