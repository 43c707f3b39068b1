"""La página de la persona dice, por cada ayuda, desde cuándo la frecuencia permite otra entrega: la misma regla
(dominio.proxima_fecha) que después rechaza con FRECUENCIA_EXCEDIDA; las anuladas no cuentan."""
from datetime import date, timedelta

import pytest

from ayudas import dominio
from omm_common.errores import Conflicto
from omm_common.migraciones import migrar
from omm_common.tiempo import hoy_honduras


def test_proxima_fecha_es_la_de_la_regla():
    assert dominio.proxima_fecha(None, 30) is None  # nunca la recibió
    assert dominio.proxima_fecha(date(2026, 3, 1), 0) is None  # sin frecuencia
    assert dominio.proxima_fecha(date(2026, 12, 3), 30) == date(2027, 1, 2)
    with pytest.raises(Conflicto) as e:
        dominio.verificar_frecuencia(date(2026, 12, 3), date(2027, 1, 1), 30)
    assert e.value.detalles["proxima_fecha_permitida"] == "2027-01-02"
    dominio.verificar_frecuencia(date(2026, 12, 3), date(2027, 1, 2), 30)


def test_la_beneficiaria_trae_la_proxima_fecha_de_cada_ayuda(tmp_path):
    from omm_common.contexto import Identidad
    from omm_common.db import crear_motor, unidad_de_trabajo

    from ayudas import operaciones as op

    url = f"sqlite:///{tmp_path}/ayudas.db"
    migrar("ayudas", url)
    motor = crear_motor(url)
    yo = Identidad(usuario_id="c1", usuario="coordinadora.0402", rol="coordinadora", municipio="0402",
                   nombre="Coordinadora")
    hoy = hoy_honduras()
    with unidad_de_trabajo(motor) as uow:
        op.crear_tipo(uow, yo, {"codigo": "kit", "nombre": "Kit de higiene", "categoria": "otro", "unidad": "kits",
                                "frecuencia_dias": 30})
        op.crear_tipo(uow, yo, {"codigo": "med", "nombre": "Ayuda para medicamentos", "unidad": "lempiras",
                                "categoria": "economica_medicamentos", "frecuencia_dias": 90})
        op.crear_tipo(uow, yo, {"codigo": "libre", "nombre": "Charla", "categoria": "otro", "unidad": "veces",
                                "frecuencia_dias": 0})
        b = op.crear_beneficiaria(uow, yo, {"nombres": "Ana", "apellidos": "Paz", "dni": "0402-1980-00001",
                                            "fecha_nacimiento": "1980-01-01", "comunidad": "Centro",
                                            "consentimiento_salud": False})
    hace10 = hoy - timedelta(days=10)
    with unidad_de_trabajo(motor) as uow:
        op.registrar_entrega(uow, yo, {"beneficiaria_id": b["id"], "tipo_codigo": "kit", "cantidad": 1,
                                       "fecha": hace10.isoformat()})
        med = op.registrar_entrega(uow, yo, {"beneficiaria_id": b["id"], "tipo_codigo": "med", "cantidad": 1,
                                             "monto": 100, "fecha": hoy.isoformat()})
        op.registrar_entrega(uow, yo, {"beneficiaria_id": b["id"], "tipo_codigo": "libre", "cantidad": 1,
                                       "fecha": hoy.isoformat()})
    with unidad_de_trabajo(motor) as uow:
        op.anular_entrega(uow, yo, med["id"], {"motivo": "Error"})
        detalle = op.obtener_beneficiaria(uow, yo, b["id"])
    proximas = {p["tipo_codigo"]: p for p in detalle["proximas_entregas"]}
    assert proximas["kit"] == {"tipo_codigo": "kit", "tipo_nombre": "Kit de higiene", "frecuencia_dias": 30,
                               "ultima_entrega": hace10.isoformat(),
                               "proxima_fecha": (hace10 + timedelta(days=30)).isoformat(), "permitida_hoy": False}
    # La anulada no cuenta; sin frecuencia, siempre se puede.
    assert proximas["med"]["ultima_entrega"] is None and proximas["med"]["permitida_hoy"] is True
    assert proximas["libre"]["proxima_fecha"] is None and proximas["libre"]["permitida_hoy"] is True
    # Lo que la página anunció es lo que la regla aplica.
    with pytest.raises(Conflicto) as e, unidad_de_trabajo(motor) as uow:
        op.registrar_entrega(uow, yo, {"beneficiaria_id": b["id"], "tipo_codigo": "kit", "cantidad": 1,
                                       "fecha": hoy.isoformat()})
    assert e.value.detalles["proxima_fecha_permitida"] == proximas["kit"]["proxima_fecha"]
    motor.dispose()
