"""Importación y exportación en .xlsx (openpyxl): las listas que las oficinas ya llevan en hojas de cálculo."""
import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from omm_common.documentos import fila_de_texto
from omm_common.errores import error_de_campo
from omm_common.municipios import sin_acentos

# Encabezados que una oficina escribiría, normalizados (sin acentos, minúsculas, espacios -> _).
SINONIMOS = {
    "nombres": "nombres", "nombre": "nombres", "apellidos": "apellidos", "apellido": "apellidos",
    "dni": "dni", "identidad": "dni", "no_identidad": "dni", "numero_de_identidad": "dni",
    "fecha_de_nacimiento": "fecha_nacimiento", "fecha_nacimiento": "fecha_nacimiento", "nacimiento": "fecha_nacimiento",
    "telefono": "telefono", "celular": "telefono", "comunidad": "comunidad", "aldea": "comunidad",
    "condiciones": "condiciones", "condicion": "condiciones",
    "consentimiento_salud": "consentimiento_salud", "comparte_con_salud": "consentimiento_salud",
}
OBLIGATORIAS = ("nombres", "apellidos", "dni", "fecha_nacimiento", "comunidad")
MAX_FILAS = 200_000


def _clave(encabezado):
    return "_".join(sin_acentos(str(encabezado or "")).lower().replace(".", " ").split())


def _fecha(valor):
    if isinstance(valor, datetime):
        return valor.date().isoformat()
    if isinstance(valor, date):
        return valor.isoformat()
    texto = str(valor).strip()
    for formato in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(texto, formato).date().isoformat()
        except ValueError:
            continue
    return texto  # el esquema dirá que la fecha es inválida


def _si(valor):
    return sin_acentos(str(valor or "")).strip().lower() in ("si", "s", "x", "1", "true", "verdadero")


def leer_beneficiarias(contenido):
    """Devuelve [(numero_de_fila, datos_para_el_esquema)]; un archivo que no es .xlsx es un 400 claro."""
    try:
        libro = load_workbook(io.BytesIO(contenido), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise error_de_campo("archivo", f"No es un archivo .xlsx válido ({type(exc).__name__}).") from None
    except Exception:  # zip corrupto y similares: openpyxl lanza de todo
        raise error_de_campo("archivo", "No es un archivo .xlsx válido.") from None
    hoja = libro.worksheets[0]
    filas = hoja.iter_rows(values_only=True)
    encabezados = [SINONIMOS.get(_clave(h)) for h in next(filas, [])]
    faltan = [c for c in OBLIGATORIAS if c not in encabezados]
    if faltan:
        raise error_de_campo("archivo", f"Faltan columnas en la primera fila: {', '.join(faltan)}.")
    salida = []
    for numero, fila in enumerate(filas, start=2):
        if numero > MAX_FILAS + 1:
            raise error_de_campo("archivo", f"El archivo supera {MAX_FILAS} filas; divídalo.")
        if not any(v not in (None, "") for v in fila):
            continue
        datos = {}
        for campo, valor in zip(encabezados, fila):
            if campo is None or valor in (None, ""):
                continue
            if campo == "fecha_nacimiento":
                valor = _fecha(valor)
            elif campo == "condiciones":
                valor = [_clave(c) for c in str(valor).replace(";", ",").split(",") if c.strip()]
            elif campo == "consentimiento_salud":
                valor = _si(valor)
            elif campo == "dni" and isinstance(valor, (int, float)):
                valor = f"{int(valor):013d}"  # Excel se come los ceros iniciales
            else:
                valor = str(valor).strip()
            datos[campo] = valor
        datos.setdefault("consentimiento_salud", False)
        salida.append((numero, datos))
    libro.close()
    return salida


def libro_exportacion(beneficiarias, entregas):
    libro = Workbook(write_only=True)
    hoja = libro.create_sheet("Beneficiarias")
    hoja.append(["Nombres", "Apellidos", "DNI", "Fecha de nacimiento", "Edad", "Teléfono", "Comunidad",
                 "Condiciones", "Comparte con salud"])
    for b in beneficiarias:
        hoja.append(fila_de_texto(hoja, [
            b["nombres"], b["apellidos"], b["dni"], b["fecha_nacimiento"], b["edad"], b["telefono"], b["comunidad"],
            ", ".join(b["condiciones"]), "sí" if b["consentimiento_salud"] else "no"]))
    hoja = libro.create_sheet("Entregas")
    hoja.append(["Recibo", "Fecha", "DNI", "Beneficiaria", "Tipo", "Categoría", "Cantidad", "Monto (L)",
                 "Excepción justificada"])
    for e in entregas:
        hoja.append(fila_de_texto(hoja, list(e)))
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()
