"""La lista de entregas en una sola consulta (página, nombre del tipo y total): lo mismo que antes en PostgreSQL
y en SQLite, con los filtros, la página más allá del final y sin mezclar el tipo de igual código de otro
municipio."""
from datetime import date

import pytest

from omm_common.contexto import Identidad
from omm_common.db import crear_motor, unidad_de_trabajo
from omm_common.migraciones import migrar

from ayudas import operaciones as op


@pytest.fixture(params=["postgresql", "sqlite"])
def motor(request, base_pg, tmp_path):
    url = base_pg("ayudas") if request.param == "postgresql" else f"sqlite:///{tmp_path}/ayudas.db"
    migrar("ayudas", url)
    motor = crear_motor(url)
    yield motor
    motor.dispose()


def _oficina(uow, municipio, nombre_kit):
    yo = Identidad(usuario_id=f"t{municipio}", usuario=f"tecnica.{municipio}", rol="tecnica", municipio=municipio,
                   nombre="Técnica")
    op.crear_tipo(uow, yo, {"codigo": "kit", "nombre": nombre_kit, "categoria": "otro", "unidad": "kits",
                            "frecuencia_dias": 0})
    op.crear_tipo(uow, yo, {"codigo": "med", "nombre": "Ayuda para medicamentos", "unidad": "lempiras",
                            "categoria": "economica_medicamentos", "frecuencia_dias": 0})
    b = op.crear_beneficiaria(uow, yo, {"nombres": "Rosa", "apellidos": f"Mejía {municipio}",
                                        "dni": f"{municipio}-1980-00001", "fecha_nacimiento": "1980-01-01",
                                        "comunidad": "Centro", "consentimiento_salud": False})
    return yo, b


def test_pagina_nombres_y_total_en_una_consulta(motor):
    with unidad_de_trabajo(motor) as uow:
        yo, b = _oficina(uow, "0416", "Kit de higiene")
        otra, ob = _oficina(uow, "0415", "Kit escolar")  # mismo código, otro nombre, otro municipio
        for dia in range(1, 8):
            op.registrar_entrega(uow, yo, {"beneficiaria_id": b["id"], "tipo_codigo": "kit", "cantidad": 1,
                                           "fecha": date(2026, 3, dia).isoformat()})
        op.registrar_entrega(uow, yo, {"beneficiaria_id": b["id"], "tipo_codigo": "med", "cantidad": 1,
                                       "monto": 250, "fecha": "2026-03-09"})
        op.registrar_entrega(uow, otra, {"beneficiaria_id": ob["id"], "tipo_codigo": "kit", "cantidad": 1,
                                         "fecha": "2026-03-10"})
    with unidad_de_trabajo(motor) as uow:
        primera = op.listar_entregas(uow, yo, {"pagina": "1", "por_pagina": "3"})
        segunda = op.listar_entregas(uow, yo, {"pagina": "3", "por_pagina": "3"})
        lejos = op.listar_entregas(uow, yo, {"pagina": "9", "por_pagina": "3"})
        kits = op.listar_entregas(uow, yo, {"tipo_codigo": "kit", "desde": "2026-03-03", "hasta": "2026-03-05"})
        nada = op.listar_entregas(uow, yo, {"tipo_codigo": "no-existe"})
    assert primera["total"] == 8 and segunda["total"] == 8 and lejos["total"] == 8
    assert [e["fecha"] for e in primera["items"]] == ["2026-03-09", "2026-03-07", "2026-03-06"]
    assert [e["tipo_nombre"] for e in primera["items"]] == ["Ayuda para medicamentos", "Kit de higiene",
                                                            "Kit de higiene"]
    assert primera["items"][0]["beneficiaria_nombre"] == "Rosa Mejía 0416"
    assert primera["items"][0]["numero_recibo"].endswith("-2026-R0008") and primera["items"][0]["estado"] == "vigente"
    assert "total" not in primera["items"][0]
    assert [e["fecha"] for e in segunda["items"]] == ["2026-03-02", "2026-03-01"]
    assert lejos["items"] == [] and lejos["pagina"] == 9
    assert kits["total"] == 3 and [e["fecha"] for e in kits["items"]] == ["2026-03-05", "2026-03-04", "2026-03-03"]
    assert nada == {"items": [], "total": 0, "pagina": 1, "por_pagina": nada["por_pagina"]}
