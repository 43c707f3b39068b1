"""Archivos de las oficinas (fotos de actividades, logos) fuera de la base: un directorio por servicio y municipio.

Una foto de teléfono lleva en su EXIF dónde se tomó (GPS) y con qué cámara: en una actividad con
sobrevivientes eso puede señalar una casa. Por eso lo que se guarda nunca es el archivo recibido, sino la
imagen vuelta a codificar desde sus píxeles, reducida, sin ningún metadato.
"""
import io
import os
import re
import uuid
from pathlib import Path

from .errores import error_de_campo

LADO_MAXIMO = 1600  # px: basta para un informe impreso y deja la foto en unos cientos de KB
BYTES_MAXIMOS = 12 * 1024 * 1024
PIXELES_MAXIMOS = 50_000_000  # una imagen que se expande a más es una bomba, no una foto
FORMATOS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
_NOMBRE_SEGURO = re.compile(r"^[A-Za-z0-9_.-]+$")


def raiz(entorno=None):
    """`OMM_ARCHIVOS_DIR`, o `archivos/` dentro de `OMM_VAR` (donde scripts/run guarda todo lo local)."""
    entorno = os.environ if entorno is None else entorno
    return Path(entorno.get("OMM_ARCHIVOS_DIR") or Path(entorno.get("OMM_VAR") or "var") / "archivos")


def carpeta(servicio, municipio, entorno=None):
    for parte in (servicio, municipio):
        if not parte or not _NOMBRE_SEGURO.match(parte) or parte in (".", ".."):
            raise ValueError(f"parte de ruta no válida: {parte!r}")
    return raiz(entorno) / servicio / municipio


def limpiar_imagen(contenido, campo="archivo", lado=LADO_MAXIMO):
    """JPEG o PNG → (bytes sin metadatos, tipo MIME, extensión, ancho, alto). Otra cosa: error del campo."""
    # Pillow al primer uso: notificaciones y el worker de Celery importan este módulo solo por escribir_privado.
    from PIL import Image, ImageOps, UnidentifiedImageError
    if not contenido:
        raise error_de_campo(campo, "El archivo está vacío.")
    if len(contenido) > BYTES_MAXIMOS:
        raise error_de_campo(campo, f"La imagen pesa más de {BYTES_MAXIMOS // (1024 * 1024)} MB.")
    try:
        with Image.open(io.BytesIO(contenido)) as img:
            formato = img.format
            if formato not in FORMATOS:
                raise error_de_campo(campo, "La imagen debe ser JPEG o PNG.")
            if img.width * img.height > PIXELES_MAXIMOS:
                raise error_de_campo(campo, "La imagen es demasiado grande (demasiados píxeles).")
            img.load()
            img = ImageOps.exif_transpose(img)  # la orientación se aplica a los píxeles antes de perder el EXIF
            img.thumbnail((lado, lado))
            modo = "RGB" if formato == "JPEG" else ("RGBA" if "A" in img.getbands() else "RGB")
            limpia = Image.new(modo, img.size)
            limpia.paste(img.convert(modo))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise error_de_campo(campo, "El archivo no es una imagen JPEG o PNG válida.") from None
    salida = io.BytesIO()
    if formato == "JPEG":
        limpia.save(salida, "JPEG", quality=85, optimize=True)
    else:
        limpia.save(salida, "PNG", optimize=True)
    mime, extension = FORMATOS[formato]
    return salida.getvalue(), mime, extension, limpia.width, limpia.height


def escribir_privado(destino, nombre, datos):
    """Un archivo que solo lee el usuario del proceso (0600), en carpetas que solo él abre (0700), escrito de
    forma atómica: una foto de una actividad muestra rostros; un .eml, el nombre y el teléfono de una persona."""
    destino = Path(destino)
    destino.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(destino, 0o700)  # también la que dejó una versión anterior con 0755
    temporal = destino / f".{nombre}.tmp"
    descriptor = os.open(temporal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as archivo:
        archivo.write(datos)
    os.replace(temporal, destino / nombre)


def guardar(servicio, municipio, datos, extension, entorno=None):
    """Escribe con un nombre nuevo (uuid); devuelve la ruta relativa a la raíz."""
    base = raiz(entorno)
    for nivel in (base, base / servicio):
        nivel.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(nivel, 0o700)
    nombre = f"{uuid.uuid4().hex}{extension}"
    escribir_privado(carpeta(servicio, municipio, entorno), nombre, datos)
    return f"{servicio}/{municipio}/{nombre}"


def leer(relativa, entorno=None):
    base = raiz(entorno).resolve()
    ruta = (base / relativa).resolve()
    if base not in ruta.parents:
        raise ValueError("ruta fuera del almacén de archivos")
    return ruta.read_bytes()


def borrar(relativa, entorno=None):
    base = raiz(entorno).resolve()
    ruta = (base / relativa).resolve()
    if base in ruta.parents:
        ruta.unlink(missing_ok=True)
