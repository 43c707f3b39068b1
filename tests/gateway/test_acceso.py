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


def test_la_cuenta_se_bloquea_si_la_adivinan_desde_muchas_direcciones_y_la_espera_crece(sesion):
    for n in range(auth.FALLOS_POR_CUENTA):
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


def test_quien_adivina_se_bloquea_a_si_misma_no_a_la_duena_de_la_cuenta(sesion):
    # Issue 16: desde su dirección, alguien prueba contraseñas de tecnica.0309 para dejarla fuera a propósito.
    for _ in range(auth.FALLOS_POR_USUARIO):
        assert _entrar(sesion, "tecnica.0309", "adivinada", "198.51.100.7") is None
    assert _entrar(sesion, "tecnica.0309", "la-buena-contrasena", "198.51.100.7") == "DEMASIADOS_INTENTOS"
    # La técnica, desde su oficina, entra como siempre.
    assert _entrar(sesion, "tecnica.0309", "la-buena-contrasena", "10.0.0.1")["access_token"]


def test_una_oficina_detras_de_una_direccion_no_queda_fuera_por_errores_de_semanas(sesion):
    """Toda la oficina sale por 10.0.0.1 (NAT). Durante semanas cada una se equivoca a veces y luego entra:
    más de FALLOS_POR_DIRECCION errores en total, y nadie queda bloqueada."""
    for n in range(8):
        sesion.add(Usuario(usuario=f"oficina{n}", nombre="Persona", rol="tecnica", municipio="0309",
                           hash_contrasena=auth.hashear("contrasena-de-la-oficina")))
    sesion.commit()
    errores = 0
    for dia in range(20):
        for n in range(8):
            if (dia + n) % 3 == 0:  # un error de tipeo...
                assert _entrar(sesion, f"oficina{n}", "contrasena-de-la-ofcina", "10.0.0.1") is None
                errores += 1
            resultado = _entrar(sesion, f"oficina{n}", "contrasena-de-la-oficina", "10.0.0.1")  # ...y entra
            assert isinstance(resultado, dict), (dia, n, resultado)
        # Pasa un día: los contadores sin fallos nuevos en 24 h se olvidan.
        for fila in sesion.scalars(sa.select(auth.IntentoFallido)):
            fila.actualizado_en = como_utc(fila.actualizado_en) - auth.OLVIDO - auth.BLOQUEO_BASE
    assert errores > auth.FALLOS_POR_DIRECCION


def test_los_errores_de_ayer_no_suman_con_los_de_hoy(sesion):
    for _ in range(auth.FALLOS_POR_USUARIO - 1):
        assert _entrar(sesion, "tecnica.0309", "mala", "10.0.0.2") is None
    for fila in sesion.scalars(sa.select(auth.IntentoFallido)):
        fila.actualizado_en = como_utc(fila.actualizado_en) - auth.OLVIDO - auth.BLOQUEO_BASE
    for _ in range(auth.FALLOS_POR_USUARIO - 1):
        assert _entrar(sesion, "tecnica.0309", "mala", "10.0.0.2") is None
    assert _entrar(sesion, "tecnica.0309", "la-buena-contrasena", "10.0.0.2")["access_token"]
