"""omm-casos-rotar: vuelve a cifrar todo con la versión actual de la clave y rehace los índices ciegos.

Rotación: 1) CASOS_CLAVES_ANTERIORES='{"1": "<secreto viejo>"}', CASOS_CLAVE_MAESTRA=<nuevo>,
CASOS_CLAVE_VERSION=2; 2) reiniciar los procesos de casos; 3) `omm-casos-rotar`; 4) quitar el
secreto viejo de CASOS_CLAVES_ANTERIORES. Es idempotente: lo ya rotado se salta.
"""
import argparse
import os

import sqlalchemy as sa

from omm_common.db import crear_motor, unidad_de_trabajo

from . import cifrado
from .models import Caso, IndiceCiego, MotivoAuditoria


def _marca(version):
    return f"{cifrado.BOVEDA.MARCA}{version}:"


def rotar(motor, lote=500):
    version = cifrado.version_actual()
    total = 0
    while True:
        with unidad_de_trabajo(motor) as uow:
            s = uow.sesion
            casos = s.scalars(sa.select(Caso).where(~Caso.datos_cifrados.startswith(_marca(version)))
                              .limit(lote)).all()
            for c in casos:
                persona = cifrado.recifrar(c, "datos_cifrados", version)["sobreviviente"]
                cifrado.recifrar(c, "motivo_cierre_cifrado", version)
                for x in c.seguimientos:
                    cifrado.recifrar(x, "nota_cifrada", version)
                for x in (*c.derivaciones, *c.valoraciones, *c.consentimientos):
                    cifrado.recifrar(x, "motivo_cifrado", version)
                s.execute(sa.delete(IndiceCiego).where(IndiceCiego.caso_id == c.id))
                for token in cifrado.indices_ciegos(c.municipio, persona["nombres"], persona["apellidos"],
                                                    persona.get("dni"), version):
                    s.add(IndiceCiego(caso_id=c.id, municipio=c.municipio, version=version, token=token))
            total += len(casos)
        if len(casos) < lote:
            break
    # Los motivos de la bitácora (la bitácora misma no admite UPDATE; sus motivos están aparte).
    while True:
        with unidad_de_trabajo(motor) as uow:
            motivos = uow.sesion.scalars(sa.select(MotivoAuditoria).where(
                ~MotivoAuditoria.motivo_cifrado.startswith(_marca(version))).limit(lote)).all()
            for m in motivos:
                cifrado.recifrar(m, "motivo_cifrado", version)
        if len(motivos) < lote:
            return total


def main(argv=None):
    p = argparse.ArgumentParser(description="Rota la clave de cifrado de los casos")
    p.add_argument("--db-url", default=os.environ.get("CASOS_DB_URL", "sqlite:///var/casos.db"))
    a = p.parse_args(argv)
    print(f"casos recifrados: {rotar(crear_motor(a.db_url))}")


if __name__ == "__main__":
    main()
