"""Importación y exportación en .xlsx (openpyxl): las listas que las oficinas ya llevan en hojas de cálculo."""
import io
import re
import zipfile
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

from omm_common.documentos import fecha_larga, fila_de_texto
from omm_common.errores import ErrorOMM, error_de_campo
from omm_common.municipios import sin_acentos

from .dominio import NOMBRES_CONDICION, NOMBRES_MOTIVO_SIN_DNI

# Encabezados que una oficina escribiría, normalizados (sin acentos, minúsculas, espacios -> _).
SINONIMOS = {
    "nombres": "nombres", "nombre": "nombres", "apellidos": "apellidos", "apellido": "apellidos",
    "dni": "dni", "identidad": "dni", "no_identidad": "dni", "numero_de_identidad": "dni",
    "fecha_de_nacimiento": "fecha_nacimiento", "fecha_nacimiento": "fecha_nacimiento", "nacimiento": "fecha_nacimiento",
    "telefono": "telefono", "celular": "telefono", "comunidad": "comunidad", "aldea": "comunidad",
    "condiciones": "condiciones", "condicion": "condiciones",
    "consentimiento_salud": "consentimiento_salud", "comparte_con_salud": "consentimiento_salud",
    "motivo_sin_dni": "motivo_sin_dni", "sin_dni": "motivo_sin_dni", "motivo_sin_documento": "motivo_sin_dni",
    "motivo_sin_identidad": "motivo_sin_dni", "por_que_no_tiene_dni": "motivo_sin_dni",
}
OBLIGATORIAS = ("nombres", "apellidos", "fecha_nacimiento", "comunidad")
MAX_FILAS = 200_000
# Un .xlsx es un zip de XML: 0,5 MB pueden descomprimirse en gigas (una «bomba»). Antes de dárselo a openpyxl
# se mira el zip, que no cuesta nada, y se recorre su XML una vez sin construir nada. Las cifras dejan pasar
# con holgura la lista más grande que se admite (MAX_FILAS filas de unas decenas de columnas: unos 90 MB de XML,
# razón 12) y nada que tarde minutos o llene la memoria del proceso de ayudas, que atiende a todos.
MAX_COLUMNAS = 100  # celdas por fila
MAX_CELDAS = 4_000_000
MAX_TEXTOS = 1_000_000  # textos compartidos (sharedStrings): openpyxl los carga todos en memoria
MAX_DESCOMPRIMIDO = 200 * 1024 * 1024  # bytes de todo el zip ya descomprimido
MAX_MIEMBRO = 20 * 1024 * 1024  # cualquier parte que no sea una hoja (estilos, libro, textos...)
MAX_HOJA = 150 * 1024 * 1024
MAX_MIEMBROS = 1000
MAX_RAZON = 100  # descomprimido / comprimido de una parte de más de 1 MB; el XML de una lista real da ~12
# Cómo se llama cada columna para quien lee el error (la primera fila de la plantilla).
ETIQUETAS = {
    "nombres": "Nombres", "apellidos": "Apellidos", "dni": "DNI", "motivo_sin_dni": "Motivo sin DNI",
    "fecha_nacimiento": "Fecha de nacimiento", "telefono": "Teléfono", "comunidad": "Comunidad",
    "condiciones": "Condiciones", "consentimiento_salud": "Comparte con salud",
}
FECHA_COMO = "escriba la fecha como dd/mm/aaaa (por ejemplo 03/12/1985)."


def _clave(encabezado):
    return "_".join(sin_acentos(str(encabezado or "")).lower().replace(".", " ").split())


# Se acepta el código o el nombre que lee una persona («Jefa de hogar», «Menor de edad»).
_CONDICION = {**{_clave(v): k for k, v in NOMBRES_CONDICION.items()}, **{k: k for k in NOMBRES_CONDICION}}
_MOTIVO = {**{_clave(v): k for k, v in NOMBRES_MOTIVO_SIN_DNI.items()}, **{k: k for k in NOMBRES_MOTIVO_SIN_DNI},
           "en_tramite": "en_tramite", "tramite": "en_tramite", "menor": "menor_de_edad"}


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


NO_ES_XLSX = ("No es un archivo .xlsx válido: guárdelo desde Excel como «Libro de Excel (.xlsx)» y vuelva a "
              "intentarlo.")
_PREFIJO = rb"<(?:[A-Za-z_][\w.-]*:)?"  # <row, <x:row...: el parser de openpyxl no mira el prefijo
_FILA, _CELDA, _TEXTO = (re.compile(_PREFIJO + nombre + rb"(?=[\s/>])") for nombre in (b"row", b"c", b"si"))
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=\"([A-Za-z0-9:$]+)\"")
_PROHIBIDO = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


def _demasiado(motivo, dividir=True):
    consejo = f" Divida la lista en varios archivos de hasta {MAX_FILAS} filas." if dividir else ""
    return ErrorOMM("El archivo es demasiado grande para importarlo.", {"archivo": [motivo + consejo]},
                    codigo="DEMASIADO_GRANDE")


def _dimension(ref):
    """«A1:G1200» -> (filas, columnas) declaradas; None si no se entiende (no es obligatoria)."""
    try:
        partes = ref.decode().replace("$", "").split(":")
        columna, fila = coordinate_from_string(partes[-1])
        return fila, column_index_from_string(columna)
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def _recorrer(zip_, info):
    """Lee la parte una vez, en trozos, sin construir XML: cuenta filas, celdas por fila y textos compartidos
    (con expresiones regulares, que corren en C: la lista más grande se revisa en segundos)."""
    cuenta = {"row": 0, "c": 0, "si": 0, "en_fila": 0}
    cola, primero = b"", True
    with zip_.open(info) as parte:
        while True:
            trozo = parte.read(1024 * 1024)
            datos = cola + trozo
            if _PROHIBIDO.search(datos):
                raise error_de_campo("archivo", NO_ES_XLSX)  # un libro de Excel nunca declara entidades
            if primero:
                primero = False
                _revisar_dimension(datos)
            # Hasta el último «<»: antes de él toda etiqueta está entera (un atributo no lleva «<»); desde él,
            # va con el trozo siguiente.
            corte = datos.rfind(b"<") if trozo else len(datos)
            if corte <= 0:
                corte = len(datos)
            _contar(cuenta, datos, corte)
            if not trozo:
                return
            cola = datos[corte:]


def _contar(cuenta, datos, corte):
    filas = [m.start() for m in _FILA.finditer(datos, 0, corte)]
    cuenta["row"] += len(filas)
    if cuenta["row"] > MAX_FILAS + 1:
        raise error_de_campo("archivo", f"El archivo supera {MAX_FILAS} filas; divídalo.")
    limites = [0, *filas, corte]
    for i in range(len(limites) - 1):
        celdas = len(_CELDA.findall(datos, limites[i], limites[i + 1]))
        # El primer tramo sigue la fila que venía del trozo anterior; los demás empiezan una.
        cuenta["en_fila"] = cuenta["en_fila"] + celdas if i == 0 else celdas
        cuenta["c"] += celdas
        if cuenta["en_fila"] > MAX_COLUMNAS:
            raise _demasiado(f"Una fila tiene más de {MAX_COLUMNAS} celdas.")
    if cuenta["c"] > MAX_CELDAS:
        raise _demasiado(f"El archivo tiene más de {MAX_CELDAS} celdas.")
    cuenta["si"] += len(_TEXTO.findall(datos, 0, corte))
    if cuenta["si"] > MAX_TEXTOS:
        raise _demasiado(f"El archivo tiene más de {MAX_TEXTOS} textos distintos.")


def _revisar_dimension(datos):
    dimension = _DIMENSION.search(datos)
    declarada = dimension and _dimension(dimension.group(1))
    if declarada and declarada[0] > MAX_FILAS + 1:
        raise _demasiado(f"La hoja declara {declarada[0]} filas.")
    if declarada and declarada[1] > MAX_COLUMNAS:
        raise _demasiado(f"La hoja declara {declarada[1]} columnas (se admiten hasta {MAX_COLUMNAS}).")


def revisar_zip(contenido):
    """Antes de abrir el libro: tamaños declarados (total y por parte), razón de compresión, dimensión de la
    hoja, filas, celdas por fila y textos. Una bomba se rechaza aquí con 413, sin descomprimirla entera."""
    try:
        zip_ = zipfile.ZipFile(io.BytesIO(contenido))
        partes = zip_.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise error_de_campo("archivo", NO_ES_XLSX) from None
    if len(partes) > MAX_MIEMBROS:
        raise _demasiado(f"El archivo tiene más de {MAX_MIEMBROS} partes.")
    total = 0
    for info in partes:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RAZON * max(1, info.compress_size):
            raise _demasiado("Se comprime demasiado para ser una lista real: no se abre (parece hecho para "
                             "saturar el sistema). Guárdelo de nuevo desde Excel.", dividir=False)
        total += info.file_size
        hoja = "worksheets/" in info.filename
        if info.file_size > (MAX_HOJA if hoja else MAX_MIEMBRO) or total > MAX_DESCOMPRIMIDO:
            raise _demasiado(f"Descomprimido pasaría de {MAX_DESCOMPRIMIDO // (1024 * 1024)} MB.")
    try:
        for info in partes:
            if info.filename.endswith(".xml") or info.filename.endswith(".rels"):
                _recorrer(zip_, info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError):
        # zipfile corta en el tamaño declarado: una parte que dice menos de lo que trae da error de CRC aquí
        raise error_de_campo("archivo", NO_ES_XLSX) from None


def leer_beneficiarias(contenido):
    """Devuelve [(numero_de_fila, datos_para_el_esquema)]; un archivo que no es .xlsx es un 400 claro, y uno que
    se descomprime en demasiado, un 413 antes de abrirlo (revisar_zip)."""
    revisar_zip(contenido)
    try:
        libro = load_workbook(io.BytesIO(contenido), read_only=True, data_only=True, keep_links=False)
    except Exception:  # zip corrupto, otro formato...: openpyxl lanza de todo
        raise error_de_campo("archivo", NO_ES_XLSX) from None
    hoja = libro.worksheets[0]
    # Con tope de filas y de columnas: una fila que salta a la 1 048 576 o una celda en la columna XFD no se
    # rellenan de vacías hasta allá.
    filas = hoja.iter_rows(values_only=True, max_row=MAX_FILAS + 2, max_col=MAX_COLUMNAS)
    encabezados = [SINONIMOS.get(_clave(h)) for h in next(filas, [])]
    faltan = [ETIQUETAS[c] for c in OBLIGATORIAS if c not in encabezados]
    if "dni" not in encabezados and "motivo_sin_dni" not in encabezados:
        faltan.append("DNI (o «Motivo sin DNI»)")
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
                valor = [_CONDICION.get(_clave(c), str(c).strip())
                         for c in str(valor).replace(";", ",").split(",") if c.strip()]
            elif campo == "motivo_sin_dni":
                valor = _MOTIVO.get(_clave(valor), str(valor).strip())
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


def _texto(mensajes):
    """Lo que marshmallow dice ({0: [...]}, listas) como una frase, sin formato de Python."""
    if isinstance(mensajes, dict):
        return " ".join(_texto(m) for m in mensajes.values())
    if isinstance(mensajes, (list, tuple)):
        return " ".join(_texto(m) for m in mensajes)
    texto = str(mensajes).strip()
    return texto[:1].lower() + texto[1:]


def _es_fecha_iso(valor):
    try:
        date.fromisoformat(str(valor))
        return True
    except ValueError:
        return False


def _lista(nombres):
    nombres = [f"«{n}»" for n in nombres]
    return nombres[0] if len(nombres) == 1 else ", ".join(nombres[:-1]) + " o " + nombres[-1]


def mensaje_de_campo(campo, mensajes, datos):
    """La frase para una persona sobre un campo de una fila, según lo que se escribió en la hoja."""
    valor = datos.get(campo)
    if campo == "fecha_nacimiento":
        if valor is None:  # vacía: la regla dice cuándo puede faltar
            return _texto(mensajes)
        if _es_fecha_iso(valor):  # se leyó bien: está fuera de rango
            return "la fecha de nacimiento no puede ser posterior a hoy ni anterior al 1 de enero de 1900."
        return FECHA_COMO
    if campo == "condiciones" and isinstance(mensajes, dict):
        malas = [valor[i] for i in mensajes if isinstance(i, int) and i < len(valor or [])]
        return (f"{_lista(malas)} no es una condición conocida; escriba una o varias de "
                f"{_lista(NOMBRES_CONDICION.values())}, separadas por comas.")
    if campo == "motivo_sin_dni":
        return (f"«{valor}» no es un motivo conocido; escriba uno de {_lista(NOMBRES_MOTIVO_SIN_DNI.values())}."
                if valor else _texto(mensajes))
    if campo == "dni" and any("motivo_sin_dni" in str(m) for m in mensajes):
        return ("escriba el DNI o, si no lo tiene, el motivo en la columna «Motivo sin DNI» "
                f"({_lista(NOMBRES_MOTIVO_SIN_DNI.values())}).")
    return _texto(mensajes)


def errores_de_fila(fila, detalles, datos):
    """[{fila, campo, mensaje}] con mensajes como «Fila 4, «Fecha de nacimiento»: escriba la fecha como …»."""
    salida = []
    for campo, mensajes in detalles.items():
        etiqueta = ETIQUETAS.get(campo)
        if etiqueta is None:  # una columna que el esquema no conoce no debería llegar aquí
            etiqueta = campo.replace("_", " ").capitalize()
        salida.append({"fila": fila, "campo": campo,
                       "mensaje": f"Fila {fila}, «{etiqueta}»: {mensaje_de_campo(campo, mensajes, datos)}"})
    return salida


def error_de_candidatas(fila, candidatas):
    primera = candidatas[0]
    otra = f" (y {len(candidatas) - 1} más)" if len(candidatas) > 1 else ""
    return {"fila": fila, "campo": "nombres", "candidatas": [c["id"] for c in candidatas],
            "mensaje": f"Fila {fila}: puede ser la misma persona que {primera['nombres']} {primera['apellidos']}, "
                       + (f"nacida el {fecha_larga(primera['fecha_nacimiento'])}, "
                          if primera["fecha_nacimiento"] else "") + f"de {primera['comunidad']}{otra}, "
                       "ya registrada; no se registró. Si es otra persona, regístrela desde el formulario "
                       "confirmando que es nueva."}


def libro_exportacion(beneficiarias, entregas):
    libro = Workbook(write_only=True)
    hoja = libro.create_sheet("Beneficiarias")
    hoja.append(["Nombres", "Apellidos", "DNI", "Motivo sin DNI", "Fecha de nacimiento", "Edad", "Teléfono",
                 "Comunidad", "Condiciones", "Comparte con salud"])
    for b in beneficiarias:
        hoja.append(fila_de_texto(hoja, [
            b["nombres"], b["apellidos"], b["dni"], NOMBRES_MOTIVO_SIN_DNI.get(b.get("motivo_sin_dni"), ""),
            b["fecha_nacimiento"], b["edad"], b["telefono"], b["comunidad"],
            ", ".join(NOMBRES_CONDICION.get(c, c) for c in b["condiciones"]),
            "sí" if b["consentimiento_salud"] else "no"]))
    hoja = libro.create_sheet("Entregas")
    hoja.append(["Recibo", "Fecha", "DNI", "Beneficiaria", "Tipo", "Categoría", "Cantidad", "Monto (L)",
                 "Excepción justificada", "Estado"])
    for e in entregas:
        hoja.append(fila_de_texto(hoja, list(e)))
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()
