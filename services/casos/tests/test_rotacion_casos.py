"""omm-casos-rotar sobre PostgreSQL: todo queda con la clave nueva, se lee igual y la búsqueda sigue."""
import pytest
import sqlalchemy as sa

from casos import cifrado, operaciones as op
from casos.models import Caso
from omm_common.contexto import Identidad
from omm_common.db import crear_motor, unidad_de_trabajo
from omm_common.migraciones import migrar

pytestmark = pytest.mark.integracion

YO = Identidad(usuario_id="u1", usuario="tecnica.0309", rol="tecnica", municipio="0309")
VIEJA, NUEVA = "v" * 40, "n" * 40


def test_rotar_recifra_todo_y_se_puede_repetir(base_pg, monkeypatch):
    from casos.rotacion import rotar
    url = base_pg("casos")
    migrar("casos", url)
    motor = crear_motor(url)
    monkeypatch.setenv("CASOS_CLAVE_MAESTRA", VIEJA)
    monkeypatch.delenv("CASOS_CLAVE_VERSION", raising=False)
    with unidad_de_trabajo(motor) as uow:
        caso = op.crear_caso(uow, YO, {
            "fecha_atencion": "2026-02-01", "sobreviviente": {"nombres": "Olga", "apellidos": "Suazo",
                                                              "comunidad": "Centro"},
            "tipos_violencia": ["fisica"], "contexto": "pareja", "relato": "relato viejo", "nivel_riesgo": "bajo",
            "consentimiento": {"servicios": True, "derivacion": True, "estadisticas": True}})
        op.registrar_seguimiento(uow, YO, caso["id"], {"fecha": "2026-02-02", "tipo": "llamada", "nota": "nota"})
        # Los motivos de las historias y de la bitácora también se rotan.
        op.reevaluar_riesgo(uow, YO, caso["id"], {"nivel_riesgo": "alto", "motivo": "motivo viejo"})
        op.cambiar_consentimiento(uow, YO, caso["id"], {"servicios": True, "derivacion": False,
                                                        "estadisticas": True, "motivo": "retiro viejo"})
        op.corregir_caso(uow, YO, caso["id"], {"contexto": "expareja", "motivo": "corrección vieja"})
    monkeypatch.setenv("CASOS_CLAVE_MAESTRA", NUEVA)
    monkeypatch.setenv("CASOS_CLAVE_VERSION", "2")
    monkeypatch.setenv("CASOS_CLAVES_ANTERIORES", '{"1": "' + VIEJA + '"}')
    assert rotar(motor) == 1
    assert rotar(motor) == 0  # idempotente
    monkeypatch.delenv("CASOS_CLAVES_ANTERIORES")  # el secreto viejo ya no hace falta
    with unidad_de_trabajo(motor) as uow:
        assert cifrado.version_de(uow.sesion.get(Caso, caso["id"]).datos_cifrados) == 2
        detalle = op.obtener_caso(uow, YO, caso["id"])
        assert detalle["relato"] == "relato viejo" and detalle["seguimientos"][0]["nota"] == "nota"
        assert detalle["valoraciones"][-1]["motivo"] == "motivo viejo"
        assert detalle["consentimientos"][-1]["motivo"] == "retiro viejo"
        coordinadora = Identidad(usuario_id="u2", usuario="coordinadora.0309", rol="coordinadora", municipio="0309")
        assert [a["motivo"] for a in op.auditoria(uow, coordinadora, caso["id"]) if a["accion"] == "corregir"] == [
            "corrección vieja"]
        assert op.listar_casos(uow, YO, {"q": "olga suazo"})["total"] == 1
        assert uow.sesion.scalar(sa.text("SELECT count(*) FROM indices_ciegos WHERE version = 1")) == 0
    motor.dispose()
