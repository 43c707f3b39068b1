"""Ciclo de vida, consentimiento, regla de 72 horas y cifrado, sin infraestructura."""
from datetime import date, datetime, time, timezone

import pytest

from casos import cifrado, dominio
from casos.models import Caso, Seguimiento, nuevo_id
from omm_common import cifrado as cifrado_comun
from omm_common.cifrado import DatoAjeno
from omm_common.errores import Conflicto


def test_ciclo_de_vida():
    assert dominio.estado_tras_seguimiento("abierto") == "en_seguimiento"
    assert dominio.estado_tras_seguimiento("derivado") == "derivado"
    assert dominio.estado_tras_derivacion("en_seguimiento", True) == "derivado"
    assert dominio.estado_tras_cierre("derivado") == "cerrado"
    for accion in (lambda: dominio.estado_tras_seguimiento("cerrado"),
                   lambda: dominio.estado_tras_derivacion("cerrado", True),
                   lambda: dominio.estado_tras_cierre("cerrado")):
        with pytest.raises(Conflicto) as e:
            accion()
        assert e.value.codigo == "ESTADO_INVALIDO"


def test_derivar_sin_consentimiento():
    with pytest.raises(Conflicto) as e:
        dominio.estado_tras_derivacion("abierto", False)
    assert e.value.codigo == "SIN_CONSENTIMIENTO"


@pytest.mark.parametrize("destino, tipos, horas, pedido, urgente", [
    ("cis", ["sexual"], 71, False, True),
    ("cis", ["sexual", "fisica"], 72, False, True),
    ("cis", ["sexual"], 73, False, False),
    ("cis", ["fisica"], 2, False, False),
    ("policia", ["sexual"], 2, False, False),
    ("cis", ["sexual"], None, False, False),
    ("cis", ["fisica"], 100, True, True),
])
def test_regla_de_las_72_horas(destino, tipos, horas, pedido, urgente):
    assert dominio.es_urgente(destino, tipos, horas, pedido) is urgente


def test_horas_desde_el_incidente_en_hora_de_honduras():
    ahora = datetime(2026, 3, 4, 6, 0, tzinfo=timezone.utc)  # 00:00 del 4 en Honduras
    assert dominio.horas_desde_incidente(date(2026, 3, 1), ahora) == 72
    assert dominio.horas_desde_incidente(date(2026, 3, 1), ahora, time(12, 0)) == 60
    assert dominio.horas_desde_incidente(None, ahora) is None


def test_cada_tipo_tiene_su_tipo_gbvims():
    assert set(dominio.GBVIMS) == set(dominio.TIPOS_VIOLENCIA)
    assert dominio.tipos_gbvims(["patrimonial", "economica"]) == ["negacion_de_recursos"]


def _caso(municipio="0309"):
    return Caso(id=nuevo_id(), municipio=municipio)


def test_cifrado_por_municipio(monkeypatch):
    monkeypatch.setenv("CASOS_CLAVE_MAESTRA", "x" * 40)
    caso = _caso()
    cifrado.poner(caso, "datos_cifrados", {"relato": "Me golpeó en el río"})
    assert "golpe" not in caso.datos_cifrados and caso.datos_cifrados.startswith("r1:")
    assert cifrado.leer(caso, "datos_cifrados") == {"relato": "Me golpeó en el río"}
    caso.municipio = "0302"
    with pytest.raises(DatoAjeno):
        cifrado.leer(caso, "datos_cifrados")  # otro municipio, otra clave
    assert cifrado.indice("0309", "maria") != cifrado.indice("0302", "maria")
    assert cifrado.terminos_busqueda("0309", "María") == [cifrado.indice("0309", "maria")]


def test_un_cifrado_copiado_a_otro_caso_u_otro_campo_no_se_descifra(monkeypatch):
    """Issue 16: el dato asociado ata cada cifrado a su municipio, su tabla y campo y su fila."""
    monkeypatch.setenv("CASOS_CLAVE_MAESTRA", "x" * 40)
    ana, olga = _caso(), _caso()
    cifrado.poner(ana, "datos_cifrados", {"sobreviviente": {"nombres": "Ana"}})
    cifrado.poner(ana, "motivo_cierre_cifrado", "se mudó")
    olga.datos_cifrados = ana.datos_cifrados  # otra fila
    with pytest.raises(DatoAjeno, match="casos.datos_cifrados"):
        cifrado.leer(olga, "datos_cifrados")
    ana.motivo_cierre_cifrado = ana.datos_cifrados  # otro campo de la misma fila
    with pytest.raises(DatoAjeno):
        cifrado.leer(ana, "motivo_cierre_cifrado")
    seg = Seguimiento(id=ana.id, municipio="0309", nota_cifrada=ana.datos_cifrados)  # otra tabla, mismo id
    with pytest.raises(DatoAjeno):
        cifrado.leer(seg, "nota_cifrada")
    # El formato anterior (atado solo al municipio) ya no se lee: la migración 0006 lo convirtió.
    ana.datos_cifrados = "v1:" + cifrado_comun.cifrar(cifrado.BOVEDA.clave("0309", 1), {"x": 1}, b"0309")
    with pytest.raises(DatoAjeno, match="formato"):
        cifrado.leer(ana, "datos_cifrados")


def test_rotacion_lee_lo_viejo_y_escribe_con_la_nueva(monkeypatch):
    monkeypatch.setenv("CASOS_CLAVE_MAESTRA", "a" * 40)
    caso = _caso()
    cifrado.poner(caso, "datos_cifrados", "secreto")
    monkeypatch.setenv("CASOS_CLAVE_MAESTRA", "b" * 40)
    monkeypatch.setenv("CASOS_CLAVE_VERSION", "2")
    monkeypatch.setenv("CASOS_CLAVES_ANTERIORES", '{"1": "' + "a" * 40 + '"}')
    assert cifrado.leer(caso, "datos_cifrados") == "secreto"
    assert cifrado.recifrar(caso, "datos_cifrados", 2) == "secreto"
    assert caso.datos_cifrados.startswith("r2:") and cifrado.leer(caso, "datos_cifrados") == "secreto"


@pytest.mark.parametrize("destino, tipos, horas, pedido, motivo", [
    ("cis", ["sexual"], 10, False, "violencia_sexual_72h"),
    ("cis", ["sexual"], 10, True, "violencia_sexual_72h"),
    ("cis", ["fisica"], 10, True, "criterio_oficina"),
    ("cis", ["sexual"], 100, True, "criterio_oficina"),
    ("policia", ["sexual"], 10, False, None),
])
def test_motivo_de_la_urgencia(destino, tipos, horas, pedido, motivo):
    assert dominio.motivo_urgencia(destino, tipos, horas, pedido) == motivo
