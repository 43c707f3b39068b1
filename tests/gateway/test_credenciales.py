"""Vigencia de los tokens tras un cambio de credenciales y cambio obligatorio (reglas de auth, SQLite real).

El JWT guarda `iat` en segundos enteros: un token robado emitido en el mismo segundo que el cambio no debe
sobrevivir, y uno emitido justo después sí debe valer.
"""
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway import auth
from gateway.models import Base, IntentoFallido, Usuario
from omm_common.contexto import AUD_API, verificar_token
from omm_common.errores import ErrorOMM, NoAutenticado


@pytest.fixture(autouse=True)
def secreto(monkeypatch):
    monkeypatch.setenv("OMM_JWT_SECRETO", "s" * 64)


@pytest.fixture
def sesion():
    motor = sa.create_engine("sqlite://")
    Base.metadata.create_all(motor)
    with Session(motor) as s:
        s.add(Usuario(usuario="tecnica.0315", nombre="Técnica de San José del Potrero", rol="tecnica",
                      municipio=None, hash_contrasena=auth.hashear("la-de-siempre-123")))
        s.commit()
        yield s


def _vale(sesion, token):
    u = sesion.scalar(sa.select(Usuario))
    _, reclamos = verificar_token(token, AUD_API)
    auth.exigir_vigente(auth.estado_de(sesion, u.id), reclamos)


def test_el_token_de_antes_del_cambio_no_vale_aunque_sea_del_mismo_segundo(sesion):
    robado = auth.iniciar_sesion(sesion, "tecnica.0315", "la-de-siempre-123", "10.0.0.1")["access_token"]
    _vale(sesion, robado)
    u = sesion.scalar(sa.select(Usuario))
    auth.fijar_contrasena(sesion, u, "otra-contrasena-456")  # casi siempre en el mismo segundo que el robado
    sesion.commit()
    with pytest.raises(NoAutenticado, match="inicie sesión de nuevo"):
        _vale(sesion, robado)
    # El de después espera, si hace falta, al segundo siguiente: vale sin carrera.
    nuevo = auth.iniciar_sesion(sesion, "tecnica.0315", "otra-contrasena-456", "10.0.0.1")
    _vale(sesion, nuevo["access_token"])
    assert auth.iniciar_sesion(sesion, "tecnica.0315", "la-de-siempre-123", "10.0.0.1") is None


def test_temporal_obliga_a_cambiarla_y_levanta_el_bloqueo(sesion):
    for _ in range(auth.FALLOS_POR_USUARIO):
        assert auth.iniciar_sesion(sesion, "tecnica.0315", "no-es", "10.0.0.2") is None
    assert sesion.get(IntentoFallido, "u:tecnica.0315|ip:10.0.0.2").bloqueado_hasta is not None
    u = sesion.scalar(sa.select(Usuario))
    auth.fijar_contrasena(sesion, u, "temporal-dictada", temporal=True)
    sesion.commit()
    assert sesion.get(IntentoFallido, "u:tecnica.0315") is None
    assert sesion.get(IntentoFallido, "u:tecnica.0315|ip:10.0.0.2") is None
    r = auth.iniciar_sesion(sesion, "tecnica.0315", "temporal-dictada", "10.0.0.3")
    assert r["debe_cambiar_contrasena"] is True and r["usuario"]["debe_cambiar_contrasena"] is True
    estado = auth.estado_de(sesion, u.id)
    auth.exigir_sin_cambio_pendiente(estado, permitida=True)
    with pytest.raises(auth.CambioDeContrasenaRequerido) as exc:
        auth.exigir_sin_cambio_pendiente(estado, permitida=False)
    assert exc.value.estado_http == 403 and exc.value.codigo == "CAMBIO_DE_CONTRASENA_REQUERIDO"


def test_un_fallo_con_la_contrasena_actual_cuenta_para_el_bloqueo(sesion):
    u = sesion.scalar(sa.select(Usuario))
    assert not auth.verificar_contrasena_actual(sesion, u, "no-es", "10.0.0.4")
    assert sesion.get(IntentoFallido, "u:tecnica.0315").fallos == 1
    assert sesion.get(IntentoFallido, "ip:10.0.0.4") is None  # una sola cuenta: no frena a la oficina
    for _ in range(auth.FALLOS_POR_USUARIO - 1):
        assert not auth.verificar_contrasena_actual(sesion, u, "no-es", "10.0.0.4")
    # Bloqueada: ni la correcta pasa por aquí, ni por el inicio de sesión.
    for intento in (lambda: auth.verificar_contrasena_actual(sesion, u, "la-de-siempre-123", "10.0.0.4"),
                    lambda: auth.iniciar_sesion(sesion, "tecnica.0315", "la-de-siempre-123", "10.0.0.4")):
        with pytest.raises(ErrorOMM) as exc:
            intento()
        assert exc.value.codigo == "DEMASIADOS_INTENTOS"


def test_la_contrasena_actual_correcta_limpia_los_fallos(sesion):
    u = sesion.scalar(sa.select(Usuario))
    assert not auth.verificar_contrasena_actual(sesion, u, "no-es", "10.0.0.4")
    assert auth.verificar_contrasena_actual(sesion, u, "la-de-siempre-123", "10.0.0.4")
    assert sesion.get(IntentoFallido, "u:tecnica.0315") is None


def test_la_administracion_pide_contrasenas_mas_largas():
    assert auth.error_de_politica("admin", "once-letras") is not None
    assert auth.error_de_politica("admin", "doce-letras!") is None
    assert auth.error_de_politica("tecnica", "diez-letra") is None


def test_la_temporal_generada_es_larga_y_distinta_cada_vez():
    a, b = auth.contrasena_temporal(), auth.contrasena_temporal()
    assert a != b and len(a) >= 16 and not set(a) & set("0O1l")
