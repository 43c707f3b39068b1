"""Fotos de actividades: lo guardado no lleva el GPS ni la cámara, y lo que no es imagen se rechaza por su campo."""
import io

import pytest
from PIL import Image

from omm_common import archivos
from omm_common.errores import ErrorValidacion

GPS = 0x8825


def _jpeg_con_gps(ancho=3000, alto=2000):
    img = Image.new("RGB", (ancho, alto), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "CamaraDePrueba"  # Make
    exif[0x0110] = "Modelo X"  # Model
    exif[GPS] = {1: "N", 2: (14.0, 25.0, 3.0), 3: "W", 4: (87.0, 38.0, 10.0)}
    salida = io.BytesIO()
    img.save(salida, "JPEG", exif=exif)
    return salida.getvalue()


def test_la_foto_guardada_no_lleva_gps_ni_camara_y_queda_reducida(tmp_path):
    original = _jpeg_con_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS)  # la prueba empieza con GPS de verdad
    datos, mime, ext, ancho, alto = archivos.limpiar_imagen(original)
    assert (mime, ext) == ("image/jpeg", ".jpg") and max(ancho, alto) == archivos.LADO_MAXIMO
    limpia = Image.open(io.BytesIO(datos))
    assert not limpia.getexif() and b"CamaraDePrueba" not in datos and b"Exif" not in datos
    relativa = archivos.guardar("capacitaciones", "0309", datos, ext, {"OMM_ARCHIVOS_DIR": str(tmp_path)})
    assert relativa.startswith("capacitaciones/0309/")
    assert archivos.leer(relativa, {"OMM_ARCHIVOS_DIR": str(tmp_path)}) == datos


@pytest.mark.parametrize("contenido", [b"", b"%PDF-1.4 no es una imagen", b"GIF89a" + b"\0" * 20])
def test_lo_que_no_es_jpeg_ni_png_es_un_error_del_campo(contenido):
    with pytest.raises(ErrorValidacion) as e:
        archivos.limpiar_imagen(contenido, campo="foto")
    assert "foto" in e.value.detalles


def test_una_ruta_no_sale_del_almacen(tmp_path):
    with pytest.raises(ValueError):
        archivos.carpeta("capacitaciones", "..", {"OMM_ARCHIVOS_DIR": str(tmp_path)})
    with pytest.raises(ValueError):
        archivos.leer("../../etc/passwd", {"OMM_ARCHIVOS_DIR": str(tmp_path)})
