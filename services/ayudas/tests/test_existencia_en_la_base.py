"""La base también se niega a guardar existencias negativas (CHECK), en PostgreSQL y en SQLite."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from omm_common.migraciones import migrar


@pytest.fixture(params=["postgresql", "sqlite"])
def url(request, base_pg, tmp_path):
    url = base_pg("ayudas") if request.param == "postgresql" else f"sqlite:///{tmp_path}/ayudas.db"
    migrar("ayudas", url)
    return url


def test_check_existencia_no_negativa(url):
    motor = sa.create_engine(url)
    with motor.begin() as c:
        c.execute(sa.text("INSERT INTO tipos_ayuda (id, municipio, codigo, nombre, categoria, unidad, frecuencia_dias, "
                          "existencia_minima, existencia) VALUES ('t1', '0309', 'bolsa', 'Bolsa', 'alimentos', 'bolsa', "
                          "30, 0, 2)"))
    with pytest.raises(IntegrityError), motor.begin() as c:
        c.execute(sa.text("UPDATE tipos_ayuda SET existencia = existencia - 3 WHERE id = 't1'"))
    with motor.connect() as c:
        assert c.scalar(sa.text("SELECT existencia FROM tipos_ayuda WHERE id = 't1'")) == 2
    motor.dispose()
