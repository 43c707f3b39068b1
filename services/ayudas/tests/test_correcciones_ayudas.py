"""Reglas de las correcciones sin infraestructura (misma persona, DNI o motivo, recibos, mensajes de la
importación) y la migración 0008 en PostgreSQL y SQLite (clave de nombre de las ya registradas, DNI opcional)."""
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ayudas import dominio, hojas
from omm_common import nombres
from omm_common.errores import ErrorValidacion
from omm_common.migraciones import migrar


def _p(nom, ape, nacimiento=date(1990, 5, 14), comunidad="El Zapote", dni=None):
    return {"clave_nombre": nombres.clave(nom, ape), "fecha_nacimiento": nacimiento, "comunidad": comunidad,
            "dni": dni}


def test_misma_persona_por_nombre_parecido_y_fecha_o_comunidad():
    ana = _p("María José", "Hernández Cruz")
    assert dominio.es_misma_persona(ana, _p("Hernandes Cruz", "Maria Jose"))
    assert dominio.es_misma_persona(ana, _p("María José", "Hernández"))
    assert not dominio.es_misma_persona(ana, _p("María José", "Hernández Cruz", date(1991, 5, 14)))  # otra fecha
    assert not dominio.es_misma_persona(ana, _p("Marta", "Pineda"))
    # Dos DNI distintos son dos personas; uno sin DNI puede ser cualquiera de ellas.
    assert not dominio.es_misma_persona(_p("Ana", "Cruz", dni="0312199000001"), _p("Ana", "Cruz", dni="0312199000002"))
    assert dominio.es_misma_persona(_p("Ana", "Cruz", dni="0312199000001"), _p("Ana", "Cruz"))
    # Sin fecha de nacimiento decide la comunidad.
    assert dominio.es_misma_persona(_p("Ana", "Cruz Mejía", None, "Centro"), _p("Ana", "Cruz Mejia", None, "centro"))
    assert not dominio.es_misma_persona(_p("Ana", "Cruz Mejía", None, "Centro"), _p("Ana", "Cruz Mejía", None, "Lajas"))


def test_dni_o_motivo_y_sin_dni_la_fecha_puede_faltar():
    nacio = date(1990, 1, 1)
    assert dominio.verificar_identidad("0312199000001", "sin_documento", nacio) is None  # con DNI el motivo sobra
    assert dominio.verificar_identidad(None, "menor_de_edad", nacio) == "menor_de_edad"
    assert dominio.verificar_identidad(None, "sin_documento", None) == "sin_documento"
    with pytest.raises(ErrorValidacion) as e:
        dominio.verificar_identidad(None, None, nacio)
    assert "dni" in e.value.detalles and "Sin documento" in e.value.detalles["dni"][0]
    with pytest.raises(ErrorValidacion) as e:
        dominio.verificar_identidad("0312199000001", None, None)
    assert "fecha_nacimiento" in e.value.detalles
    assert dominio.edad(None) is None and dominio.condiciones_con_edad(["jefa_hogar"], None) == ["jefa_hogar"]


def test_recibo_y_lempiras_como_los_lee_una_persona():
    assert dominio.numero_recibo("0309", 2026, 1) == "LEJ-2026-R0001"
    assert dominio.numero_recibo("0312", 2026, 12345) == "OJO-2026-R12345"
    assert dominio.lempiras(1250) == "L 1,250.00"


def test_frecuencia_dice_las_fechas_en_letras():
    from omm_common.errores import Conflicto
    with pytest.raises(Conflicto) as e:
        dominio.verificar_frecuencia(date(2026, 12, 3), date(2026, 12, 10), 30)
    assert "3 de diciembre de 2026" in e.value.mensaje and "2 de enero de 2027" in e.value.mensaje


def test_sin_existencias_nombra_la_ayuda():
    from omm_common.errores import Conflicto
    with pytest.raises(Conflicto) as e:
        dominio.verificar_existencias("bolsa", 1, -2, "Bolsa de alimentos")
    assert "«Bolsa de alimentos»" in e.value.mensaje and e.value.detalles["tipo_codigo"] == "bolsa"


def test_mensajes_de_la_importacion_sin_formato_de_python():
    errores = hojas.errores_de_fila(4, {"fecha_nacimiento": ["Debe ser una fecha AAAA-MM-DD."],
                                        "condiciones": {0: ["Debe ser uno de: tercera_edad, ..."]}},
                                    {"fecha_nacimiento": "31/02/1985", "condiciones": ["brujeria"]})
    assert [e["mensaje"] for e in errores] == [
        "Fila 4, «Fecha de nacimiento»: escriba la fecha como dd/mm/aaaa (por ejemplo 03/12/1985).",
        "Fila 4, «Condiciones»: «brujeria» no es una condición conocida; escriba una o varias de «Tercera edad», "
        "«Enfermedad de base», «Discapacidad», «Bajos recursos», «Jefa de hogar» o «Embarazada», separadas por comas.",
    ]
    [futura] = hojas.errores_de_fila(9, {"fecha_nacimiento": ["Debe ser una fecha entre 1900-01-01 y hoy."]},
                                     {"fecha_nacimiento": "2990-01-01"})
    assert "posterior a hoy" in futura["mensaje"] and "1900-01-01" not in futura["mensaje"]


@pytest.fixture(params=["postgresql", "sqlite"])
def url_en_0007(request, base_pg, tmp_path):
    url = base_pg("ayudas") if request.param == "postgresql" else f"sqlite:///{tmp_path}/ayudas.db"
    migrar("ayudas", url, "0007")
    return url


def test_migracion_0008_rellena_la_clave_y_permite_sin_dni(url_en_0007):
    motor = sa.create_engine(url_en_0007)
    with motor.begin() as c:
        c.execute(sa.text(
            "INSERT INTO beneficiarias (id, municipio, nombres, apellidos, nombre_normalizado, dni, fecha_nacimiento, "
            "comunidad, condiciones, consentimiento_salud) VALUES ('b1', '0309', 'María José', 'de la O Pérez', "
            "'maria jose de la o perez', '0309199000001', '1990-01-01', 'Centro', '[]', false)"))
    motor.dispose()
    migrar("ayudas", url_en_0007, "0008")
    motor = sa.create_engine(url_en_0007)
    with motor.begin() as c:
        assert c.scalar(sa.text("SELECT clave_nombre FROM beneficiarias WHERE id = 'b1'")) == "jose maria o perez"
        for i in (2, 3):  # dos sin DNI en el mismo municipio: la restricción única no las choca
            c.execute(sa.text(
                "INSERT INTO beneficiarias (id, municipio, nombres, apellidos, nombre_normalizado, dni, motivo_sin_dni, "
                f"fecha_nacimiento, comunidad, condiciones, consentimiento_salud) VALUES ('s{i}', '0309', 'Ana', 'Paz', "
                "'ana paz', NULL, 'sin_documento', '1990-01-01', 'Centro', '[]', false)"))
    with pytest.raises(IntegrityError), motor.begin() as c:
        c.execute(sa.text("UPDATE beneficiarias SET dni = '0309199000001' WHERE id = 's2'"))
    motor.dispose()


def test_fusion_en_cadena_y_el_dni_pasa_a_la_que_queda(tmp_path):
    """Con SQLite y los casos de uso directos: C se fusionó en B, luego B en A: C apunta a A; el DNI de B pasa a A."""
    from omm_common.contexto import Identidad
    from omm_common.db import crear_motor, unidad_de_trabajo

    from ayudas import operaciones as op

    url = f"sqlite:///{tmp_path}/ayudas.db"
    migrar("ayudas", url)
    motor = crear_motor(url)
    yo = Identidad(usuario_id="c1", usuario="coordinadora.0312", rol="coordinadora", municipio="0312",
                   nombre="Coordinadora")
    ids = []
    with unidad_de_trabajo(motor) as uow:
        for i, (nom, dni) in enumerate((("Ana", None), ("Berta", "0312-1981-00001"), ("Carla", None))):
            ids.append(op.crear_beneficiaria(uow, yo, {
                "nombres": nom, "apellidos": "Paz", "dni": dni, "motivo_sin_dni": None if dni else "otro",
                "fecha_nacimiento": f"198{i}-01-01", "comunidad": "X", "consentimiento_salud": False})["id"])
    with unidad_de_trabajo(motor) as uow:
        op.fusionar_beneficiarias(uow, yo, ids[1], {"fusionada_id": ids[2], "motivo": "La misma"})
    with unidad_de_trabajo(motor) as uow:
        a = op.fusionar_beneficiarias(uow, yo, ids[0], {"fusionada_id": ids[1], "motivo": "La misma"})
    assert a["dni"] == "0312198100001" and a["motivo_sin_dni"] is None
    with unidad_de_trabajo(motor) as uow:
        b, c = (op.obtener_beneficiaria(uow, yo, i) for i in ids[1:])
        assert op.listar_beneficiarias(uow, yo, {})["total"] == 1
    assert b["fusionada_con"] == c["fusionada_con"] == ids[0] and b["dni"] is None
    assert b["historial"][-1]["cambios"]["dni"] == {"antes": "0312198100001", "despues": None}
    motor.dispose()
