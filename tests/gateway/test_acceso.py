"""Freno a quien adivina contraseñas: por usuaria y por dirección (reglas de auth con una base real SQLite)."""
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway import auth
from gateway.models import Base, Usuario
from omm_common.errores import ErrorOMM
from omm_common.eventos import como_utc


@pytest.fixture
def sesion():
    motor = sa.create_engine("sqlite://")
    Base.metadata.create_all(motor)
    with Session(motor) as s:
        s.add(Usuario(usuario="tecnica.0309", nombre="Técnica", rol="tecnica", municipio="0309",
                      hash_contrasena=auth.hashear("la-buena-contrasena")))
        s.commit()
        yield s


def _entrar(sesion, usuario, contrasena, direccion):
    try:
        return auth.iniciar_sesion(sesion, usuario, contrasena, direccion)
    except ErrorOMM as exc:
        return exc.codigo


def test_rociar_contrasenas_desde_una_direccion_la_frena_para_todas(sesion):
    # 30 usuarias distintas desde la misma dirección: ninguna llega a su propio límite, la dirección sí.
    for n in range(auth.FALLOS_POR_DIRECCION):
        assert _entrar(sesion, f"usuaria{n}", "adivinada", "10.0.0.9") is None
    assert _entrar(sesion, "tecnica.0309", "la-buena-contrasena", "10.0.0.9") == "DEMASIADOS_INTENTOS"
    # Desde otra dirección la usuaria entra: el bloqueo es de la dirección, no de ella.
    assert _entrar(sesion, "tecnica.0309", "la-buena-contrasena", "10.0.0.10")["access_token"]


def test_la_usuaria_se_bloquea_desde_cualquier_direccion_y_la_espera_crece(sesion):
    for n in range(auth.FALLOS_POR_USUARIO):
        assert _entrar(sesion, "tecnica.0309", "mala", f"10.0.1.{n}") is None
    assert _entrar(sesion, "tecnica.0309", "la-buena-contrasena", "10.0.1.99") == "DEMASIADOS_INTENTOS"
    antes = sesion.get(auth.IntentoFallido, "u:tecnica.0309").bloqueado_hasta
    sesion.get(auth.IntentoFallido, "u:tecnica.0309").bloqueado_hasta = None  # pasó la espera
    assert _entrar(sesion, "tecnica.0309", "mala", "10.0.1.100") is None
    despues = sesion.get(auth.IntentoFallido, "u:tecnica.0309").bloqueado_hasta
    # Un fallo más después del bloqueo: la espera se dobla (de 1 a 2 minutos).
    assert como_utc(despues) - como_utc(antes) > auth.BLOQUEO_BASE / 2


def test_una_usuaria_desactivada_no_entra_ni_con_su_contrasena(sesion):
    sesion.scalar(sa.select(Usuario)).activo = False
    assert _entrar(sesion, "tecnica.0309", "la-buena-contrasena", "10.0.2.1") is None
