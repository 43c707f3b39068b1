"""Migraciones de casos en SQLite y PostgreSQL: crean lo que declaran los modelos, la 0005 da a los casos
que ya existían su primera valoración y consentimiento, su responsable, su GBVIMS exacto y el aviso al CIS, y la
0006 ata cada cifrado a su fila y campo."""
import uuid
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from casos import cifrado
from casos.models import (
    Auditoria, Base, CambioConsentimiento, Caso, Derivacion, MotivoAuditoria, Seguimiento, ValoracionRiesgo,
)
from omm_common import cifrado as cifrado_comun
from omm_common.db import unidad_de_trabajo
from omm_common.db import crear_motor
from omm_common.migraciones import migrar
from omm_common.tablas import metadata as metadata_comun


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/casos.db"
    return request.getfixturevalue("base_pg")("casos")


def _tabla(conexion, nombre):
    return sa.Table(nombre, sa.MetaData(), autoload_with=conexion)


def test_la_0005_completa_lo_que_ya_habia_y_coincide_con_los_modelos(url):
    migrar("casos", url, "0004")
    motor = crear_motor(url)
    ahora = datetime(2026, 3, 1, 15, tzinfo=timezone.utc)
    casos = {"fisico": ["fisica", "psicologica"], "sexual": ["sexual", "fisica"]}
    ids = {k: str(uuid.uuid4()) for k in casos}
    derivacion, evento = str(uuid.uuid4()), str(uuid.uuid4())
    with motor.begin() as c:
        for n, (clave, tipos) in enumerate(casos.items(), 1):
            c.execute(_tabla(c, "casos").insert(), {
                "id": ids[clave], "municipio": "0311", "codigo": f"MO-2026-{n:04d}", "anio": 2026, "numero": n,
                "estado": "abierto", "fecha_atencion": date(2026, 3, 1), "tipos_violencia": tipos,
                "contexto": "pareja", "nivel_riesgo": "alto", "consentimiento_servicios": True,
                "consentimiento_derivacion": True, "consentimiento_estadisticas": n == 1, "datos_cifrados": "v1:x",
                "creado_por": "tecnica-1", "creado_en": ahora, "actualizado_en": ahora})
        c.execute(_tabla(c, "derivaciones").insert(), {
            "id": derivacion, "caso_id": ids["sexual"], "municipio": "0311", "destino": "cis", "motivo_cifrado": "v1:x",
            "urgente": True, "urgente_solicitado": False, "registrada_por": "tecnica-1", "creado_en": ahora})
        c.execute(_tabla(c, "outbox").insert(), {
            "id": evento, "tipo": "CasoDerivado", "municipio": "0311", "ocurrido_en": ahora, "version": 1,
            "datos": {"derivacion_id": derivacion, "destino": "cis"}, "intentos": 0})
    motor.dispose()
    migrar("casos", url, "0005")
    motor = crear_motor(url)
    with motor.connect() as c:
        caso = {r.id: r for r in c.execute(sa.text("SELECT id, tipo_gbvims, responsable_id FROM casos"))}
        assert caso[ids["fisico"]].tipo_gbvims == "agresion_fisica" and caso[ids["sexual"]].tipo_gbvims is None
        assert {r.responsable_id for r in caso.values()} == {"tecnica-1"}
        valoraciones = c.execute(sa.text("SELECT caso_id, nivel_riesgo, fecha, motivo_cifrado FROM "
                                         "valoraciones_riesgo")).all()
        assert sorted((v.caso_id, v.nivel_riesgo, v.motivo_cifrado) for v in valoraciones) == sorted(
            (i, "alto", None) for i in ids.values())
        consentimientos = dict(c.execute(sa.text("SELECT caso_id, estadisticas FROM consentimientos")).all())
        assert consentimientos == {ids["fisico"]: True, ids["sexual"]: False}
        d = c.execute(sa.text("SELECT evento_id, aviso FROM derivaciones")).one()
        assert (d.evento_id, d.aviso) == (evento, "pendiente")
        # Los meses con casos quedan por resumir (gbvims y atendidos, nuevas).
        assert c.execute(sa.text("SELECT count(*) FROM resumen_pendiente WHERE municipio = '0311'")).scalar() == 1
        diferencias = compare_metadata(MigrationContext.configure(c), Base.metadata)
    motor.dispose()
    comunes = set(metadata_comun.tables)

    def comun(d):
        return (d[0] == "remove_table" and d[1].name in comunes) or (d[0] == "remove_index"
                                                                     and d[1].table.name in comunes)
    assert [d for d in diferencias if not isinstance(d, tuple) or not comun(d)] == []


def _sin_atar(municipio, valor):
    """El formato de antes de la 0006: "v1:", dato asociado = solo el municipio."""
    return "v1:" + cifrado_comun.cifrar(cifrado.BOVEDA.clave(municipio, 1), valor, municipio.encode())


def test_la_0006_ata_lo_cifrado_a_su_fila_y_campo(url):
    migrar("casos", url, "0005")
    motor = crear_motor(url)
    ids = [str(uuid.uuid4()) for _ in range(6)]
    ahora = datetime(2026, 3, 1, 15, tzinfo=timezone.utc)
    comun = {"municipio": "0311", "creado_en": ahora}
    with unidad_de_trabajo(motor) as uow:
        s = uow.sesion
        s.add(Caso(id=ids[0], codigo="MO-2026-0001", anio=2026, numero=1, estado="cerrado",
                   fecha_atencion=date(2026, 3, 1), tipos_violencia=["fisica"], contexto="pareja",
                   nivel_riesgo="alto", creado_por="t", datos_cifrados=_sin_atar("0311", {"relato": "río"}),
                   motivo_cierre_cifrado=_sin_atar("0311", "se mudó"), **comun))
        s.flush()
        s.add_all([
            Seguimiento(id=ids[1], caso_id=ids[0], fecha=date(2026, 3, 2), tipo="llamada", registrado_por="t",
                        nota_cifrada=_sin_atar("0311", "nota"), **comun),
            Derivacion(id=ids[2], caso_id=ids[0], destino="cis", registrada_por="t",
                       motivo_cifrado=_sin_atar("0311", "derivar"), **comun),
            ValoracionRiesgo(id=ids[3], caso_id=ids[0], fecha=date(2026, 3, 1), nivel_riesgo="alto",
                             registrada_por="t", motivo_cifrado=_sin_atar("0311", "valorar"), **comun),
            CambioConsentimiento(id=ids[4], caso_id=ids[0], fecha=date(2026, 3, 1), servicios=True, derivacion=True,
                                 estadisticas=False, registrado_por="t", motivo_cifrado=_sin_atar("0311", "retiro"),
                                 **comun)])
        entrada = Auditoria(municipio="0311", caso_id=ids[0], usuario_id="t", rol="tecnica", accion="cerrar")
        s.add(entrada)
        s.flush()
        s.add(MotivoAuditoria(auditoria_id=entrada.id, municipio="0311", motivo_cifrado=_sin_atar("0311", "cierre")))
    migrar("casos", url)
    esperado = [(Caso, "datos_cifrados", {"relato": "río"}), (Caso, "motivo_cierre_cifrado", "se mudó"),
                (Seguimiento, "nota_cifrada", "nota"), (Derivacion, "motivo_cifrado", "derivar"),
                (ValoracionRiesgo, "motivo_cifrado", "valorar"), (CambioConsentimiento, "motivo_cifrado", "retiro"),
                (MotivoAuditoria, "motivo_cifrado", "cierre")]
    with unidad_de_trabajo(motor) as uow:
        for modelo, campo, valor in esperado:
            fila = uow.sesion.scalars(sa.select(modelo)).one()
            assert getattr(fila, campo).startswith("r1:") and cifrado.leer(fila, campo) == valor
        # Ya atado: copiado a otro campo de la misma fila no se lee.
        caso = uow.sesion.get(Caso, ids[0])
        caso.motivo_cierre_cifrado = caso.datos_cifrados
        with pytest.raises(cifrado_comun.DatoAjeno):
            cifrado.leer(caso, "motivo_cierre_cifrado")
        uow.sesion.rollback()
    # Y de vuelta (downgrade): el formato anterior, legible con su clave de antes.
    from alembic import command
    from omm_common.migraciones import configuracion
    command.downgrade(configuracion("casos", url), "0005")
    with motor.connect() as c:
        texto = c.execute(sa.text("SELECT datos_cifrados FROM casos")).scalar()
    assert texto.startswith("v1:") and cifrado_comun.descifrar(
        cifrado.BOVEDA.clave("0311", 1), texto[3:], b"0311") == {"relato": "río"}
    motor.dispose()
