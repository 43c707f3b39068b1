"""Piezas comunes sin infraestructura: DNI, mensajes, tokens, sobre y unidad de trabajo sobre SQLite."""
import dataclasses
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import jwt
import pytest
import sqlalchemy as sa

from omm_common import claves, contexto, municipios
from omm_common.db import crear_motor, unidad_de_trabajo
from omm_common.errores import ErrorOMM, NoAutenticado, desde_error_remoto
from omm_common.eventos import Evento, SobreInvalido, crear_sobre, validar_sobre
from omm_common.tablas import metadata, outbox, siguiente_numero


@pytest.mark.parametrize("texto", ["0309-1985-00123", "0309198500123", " 0309 1985 00123 "])
def test_dni_valido_se_guarda_sin_guiones(texto):
    assert municipios.normalizar_dni(texto) == "0309198500123"


@pytest.mark.parametrize("texto, motivo", [
    ("0309-1985-0012", "13 dígitos"),
    ("9999-1985-00123", "no es un código de municipio"),
    ("0309-1850-00123", "no es plausible"),
    ("0309-2999-00123", "no es plausible"),
    ("abcd-1985-00123", "13 dígitos"),
])
def test_dni_invalido_dice_por_que(texto, motivo):
    with pytest.raises(ValueError, match=motivo):
        municipios.normalizar_dni(texto, hoy=date(2026, 1, 1))


def test_298_municipios_y_sigla():
    assert len(municipios.todos()) == 298
    assert municipios.buscar("0309").nombre == "Lejamaní"
    assert municipios.buscar("0309").sigla == "LEJ"
    assert municipios.normalizar_nombre("  María   LÓPEZ ") == "maria lopez"


def _identidad(rol="tecnica"):
    return contexto.Identidad(usuario_id="u1", usuario="ana", rol=rol, municipio="0309")


def test_token_firmado_ida_y_vuelta():
    yo, _ = contexto.verificar_token(contexto.emitir_token(_identidad()))
    assert (yo.rol, yo.municipio) == ("tecnica", "0309")


def test_token_vencido_otra_clave_o_rol_cambiado_no_pasa():
    vencido = contexto.emitir_token(_identidad(), minutos=5, ahora=datetime.now(timezone.utc) - timedelta(hours=1))
    with pytest.raises(NoAutenticado, match="venció"):
        contexto.verificar_token(vencido)
    reclamos = jwt.decode(contexto.emitir_token(_identidad()), options={"verify_signature": False})
    otra_clave = jwt.encode(reclamos, "x" * 40, algorithm="HS256")
    with pytest.raises(NoAutenticado):
        contexto.verificar_token(otra_clave)
    # Cambiar el rol en la carga sin volver a firmar invalida la firma.
    cabecera, _, firma = contexto.emitir_token(_identidad()).split(".")
    carga = jwt.utils.base64url_encode(json.dumps({**reclamos, "rol": "coordinadora"}).encode())
    with pytest.raises(NoAutenticado):
        contexto.verificar_token(f"{cabecera}.{carga.decode()}.{firma}")
    sin_firma = jwt.encode(reclamos, None, algorithm="none")
    with pytest.raises(NoAutenticado):
        contexto.verificar_token(sin_firma)


def _firmado_por(emisor, **cambios):
    """Lo que haría quien robó la clave privada de `emisor` (un servicio comprometido) o la de un test."""
    reclamos = jwt.decode(contexto.emitir_token(_identidad()), options={"verify_signature": False})
    reclamos.update(cambios)
    return jwt.encode(reclamos, claves.privada(emisor), algorithm="EdDSA")


def test_solo_el_gateway_emite_tokens_de_personas():
    # Issue 16: con un secreto compartido, cualquier proceso podía acuñar cualquier rol. Ahora un servicio
    # comprometido (casos) firma con su clave, y su token de «admin» o «tecnica» no vale en ningún lado.
    for rol in ("admin", "tecnica", "coordinadora"):
        with pytest.raises(NoAutenticado):
            contexto.verificar_token(_firmado_por("casos", iss="casos", rol=rol))
    # Tampoco puede hacerse pasar por otro servicio, ni por el gateway con su propia clave.
    with pytest.raises(NoAutenticado):
        contexto.verificar_token(_firmado_por("casos", iss="casos", rol="servicio", usr="notificaciones"))
    with pytest.raises(NoAutenticado):
        contexto.verificar_token(_firmado_por("casos", iss="gateway"))
    # En nombre propio, sí.
    yo, _ = contexto.verificar_token(contexto.token_de_servicio("casos"))
    assert (yo.rol, yo.usuario) == ("servicio", "casos")


def test_el_token_de_la_api_no_abre_los_servicios():
    # Quien copia el token de una hora de la API y lo manda directo por AMQP: los servicios piden la audiencia
    # omm-rpc, que el gateway solo da (por minutos) tras comprobar que la cuenta sigue activa.
    de_la_api = contexto.emitir_token(_identidad(), 60, audiencia=contexto.AUD_API)
    with pytest.raises(NoAutenticado):
        contexto.verificar_token(de_la_api)
    assert contexto.verificar_token(de_la_api, contexto.AUD_API)[0].rol == "tecnica"
    with pytest.raises(NoAutenticado):
        contexto.verificar_token(contexto.emitir_token(_identidad()), contexto.AUD_API)


def test_rol_no_permitido_es_prohibido():
    with pytest.raises(ErrorOMM) as e:
        _identidad("promotora").exigir_rol("coordinadora", "tecnica")
    assert e.value.codigo == "PROHIBIDO" and e.value.estado_http == 403


def test_error_cruza_rpc_como_texto_y_vuelve_igual():
    from nameko.exceptions import RemoteError, serialize
    original = ErrorOMM("Sin cupo.", {"cupo": 10}, codigo="CUPO_LLENO")
    datos = serialize(original)
    remoto = RemoteError(datos["exc_type"], datos["value"])
    vuelto = desde_error_remoto(remoto)
    assert vuelto.a_dict() == original.a_dict() and vuelto.estado_http == 409
    assert desde_error_remoto(RemoteError("KeyError", "'x'")) is None


def test_sobre_del_evento():
    sobre = crear_sobre("AyudaEntregada", "0309", {"entrega_id": "e1"})
    assert set(sobre) == {"id", "tipo", "municipio", "ocurrido_en", "version", "datos"}
    assert datetime.fromisoformat(sobre["ocurrido_en"]).utcoffset() == timedelta(0)
    validar_sobre(sobre)
    with pytest.raises(SobreInvalido):
        validar_sobre({**sobre, "id": "no-uuid"})
    with pytest.raises(SobreInvalido):
        validar_sobre({"tipo": "X"})


@pytest.fixture
def motor(tmp_path):
    m = crear_motor(f"sqlite:///{tmp_path}/prueba.db")
    metadata.create_all(m)
    yield m
    m.dispose()


@dataclass(frozen=True, kw_only=True)
class EntregaDePrueba(Evento):
    entrega_id: str


@dataclass(frozen=True, kw_only=True)
class CosaDePrueba(Evento):
    version = 2
    cosa_id: str
    fecha: date | None
    monto: Decimal | None
    etiquetas: tuple[str, ...]


def test_el_evento_y_el_cambio_se_confirman_juntos_o_ninguno(motor):
    with unidad_de_trabajo(motor) as uow:
        uow.emitir(EntregaDePrueba(entrega_id="a"), "0309")
    with pytest.raises(RuntimeError):
        with unidad_de_trabajo(motor) as uow:
            uow.emitir(EntregaDePrueba(entrega_id="b"), "0309")
            raise RuntimeError("falla el dominio después de emitir")
    with motor.connect() as c:
        filas = [(fila.tipo, fila.version, fila.datos) for fila in c.execute(sa.select(outbox))]
    assert filas == [("EntregaDePrueba", 1, {"entrega_id": "a"})]


@pytest.mark.parametrize("a_mano", [{"entrega_id": "a"}, "EntregaDePrueba", None])
def test_emitir_solo_acepta_eventos_del_contrato(motor, a_mano):
    with unidad_de_trabajo(motor) as uow:
        with pytest.raises(TypeError, match="evento del contrato"):
            uow.emitir(a_mano, "0309")
        # La forma de antes (tipo, municipio, datos) tampoco pasa.
        with pytest.raises(TypeError):
            uow.emitir("EntregaDePrueba", "0309", {"entrega_id": "a"})
        assert uow.eventos == []


def test_el_evento_da_sus_datos_listos_para_json_con_su_tipo_y_version():
    evento = CosaDePrueba(cosa_id="c1", fecha=date(2026, 3, 1), monto=Decimal("800.50"), etiquetas=["a", "b"])
    assert (CosaDePrueba.tipo_evento, CosaDePrueba.version, EntregaDePrueba.version) == ("CosaDePrueba", 2, 1)
    assert evento.datos() == {"cosa_id": "c1", "fecha": "2026-03-01", "monto": 800.5, "etiquetas": ["a", "b"]}
    assert json.loads(json.dumps(evento.datos())) == evento.datos()
    assert evento.etiquetas == ("a", "b")  # la lista quedó tupla: nada la cambia después
    with pytest.raises(dataclasses.FrozenInstanceError):
        evento.cosa_id = "otro"
    with pytest.raises(TypeError):
        CosaDePrueba(cosa_id="c1", fecha=None, monto=None, etiquetas=[], nombre="Marta")  # un campo de más no entra


def test_un_evento_que_no_es_dataclass_congelada_no_se_puede_declarar():
    with pytest.raises(TypeError):
        @dataclass(kw_only=True)
        class Suelta(Evento):
            algo: str


def test_consecutivo_por_municipio_serie_y_anio(motor):
    with unidad_de_trabajo(motor) as uow:
        numeros = [siguiente_numero(uow.sesion, "0309", "caso", 2026) for _ in range(3)]
        otro = siguiente_numero(uow.sesion, "0302", "caso", 2026)
        nuevo_anio = siguiente_numero(uow.sesion, "0309", "caso", 2027)
    assert numeros == [1, 2, 3] and otro == 1 and nuevo_anio == 1


def test_el_dockerfile_filtra_los_mismos_avisos_que_scripts_run():
    from pathlib import Path

    from omm_common.avisos import PYTHONWARNINGS
    assert f'ENV PYTHONWARNINGS="{PYTHONWARNINGS}"' in (Path(__file__).parents[2] / "deploy" / "Dockerfile").read_text()


def test_un_caracter_de_control_se_rechaza_con_su_campo_y_no_rompe_una_hoja():
    """Lo que schemathesis encontró: un nombre con \\x01 guardado hacía 500 la exportación .xlsx entera."""
    from openpyxl import Workbook
    from marshmallow import ValidationError
    from omm_common.documentos import fila_de_texto
    from omm_common.esquemas import Texto
    with pytest.raises(ValidationError):
        Texto(required=True).deserialize("Ana\x01")
    assert Texto().deserialize(" relato\ncon\tsaltos ") == "relato\ncon\tsaltos"
    libro = Workbook(write_only=True)
    hoja = libro.create_sheet("x")
    hoja.append(fila_de_texto(hoja, ["guardado antes\x01\x1f", 3]))
    libro.save(io.BytesIO())


def test_choque_de_unicidad_distingue_la_restriccion_unica_de_otros_errores():
    from sqlalchemy.exc import IntegrityError
    from omm_common.db import choque_de_unicidad
    motor = sa.create_engine("sqlite://")
    with motor.begin() as c:
        c.execute(sa.text("CREATE TABLE t (a INTEGER UNIQUE, b INTEGER NOT NULL)"))
        c.execute(sa.text("INSERT INTO t VALUES (1, 1)"))
    for sentencia, unica in (("INSERT INTO t VALUES (1, 2)", True), ("INSERT INTO t VALUES (2, NULL)", False)):
        with pytest.raises(IntegrityError) as e, motor.begin() as c:
            c.execute(sa.text(sentencia))
        assert choque_de_unicidad(e.value) is unica


def test_un_token_verificado_se_recuerda_hasta_que_vence_y_no_despues(monkeypatch):
    import time_machine
    yo = contexto.Identidad(usuario_id="u-cache", usuario="tecnica.0309", rol="tecnica", municipio="0309")
    token = contexto.emitir_token(yo, minutos=5)
    verificaciones = []
    original = contexto._verificar
    monkeypatch.setattr(contexto, "_verificar", lambda *a: verificaciones.append(a) or original(*a))
    for _ in range(3):
        assert contexto.verificar_token(token)[0].usuario_id == "u-cache"
    assert len(verificaciones) == 1
    # Otra audiencia es otra verificación (un token de RPC no abre la API).
    with pytest.raises(NoAutenticado):
        contexto.verificar_token(token, contexto.AUD_API)
    # Vencido, aunque esté recordado: rechazado.
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(minutes=6), tick=False):
        with pytest.raises(NoAutenticado, match="venció"):
            contexto.verificar_token(token)
    # Uno alterado no está recordado: se verifica y falla.
    with pytest.raises(NoAutenticado):
        contexto.verificar_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_el_volcador_compilado_da_lo_mismo_que_el_esquema():
    from marshmallow import fields as f

    from omm_common.esquemas import Esquema, volcador

    class Salida(Esquema):
        texto = f.String()
        entero = f.Integer()
        real = f.Float(allow_none=True)
        dia = f.Date()
        instante = f.DateTime()
        si = f.Boolean()
        ident = f.UUID()
        lista = f.List(f.String())
        renombrado = f.String(data_key="otro_nombre")
        de_atributo = f.Integer(attribute="escondido")
        solo_entrada = f.String(load_only=True)

    filas = [
        {"texto": "Marta Lagos", "entero": 3, "real": Decimal("12.50"), "dia": date(2026, 12, 3),
         "instante": datetime(2026, 12, 3, 11, 12, 10, 174063, tzinfo=timezone.utc), "si": 1,
         "ident": "5b1f7c7e-3b1a-4d8e-9c1a-2f3e4d5c6b7a", "lista": ["a", 2], "renombrado": "x", "escondido": 7,
         "solo_entrada": "secreto"},
        {"texto": None, "entero": None, "real": None, "dia": None, "instante": None, "si": None},
        {"entero": "4", "real": 0, "si": "false"},
        {},
    ]
    volcar = volcador(Salida)
    for fila in filas:
        assert volcar(fila) == Salida().dump(fila), fila


def test_redondeado_mira_las_cotas_antes_de_redondear():
    # schemathesis mandó monto -0.00006 contra minimum 0: redondeado primero era -0.00 y pasaba (ST201).
    from marshmallow import validate

    from omm_common.errores import ErrorValidacion
    from omm_common.esquemas import Esquema, Redondeado, cargar

    class Monto(Esquema):
        monto = Redondeado(validate=validate.Range(min=0, max=100))

    with pytest.raises(ErrorValidacion) as e:
        cargar(Monto(), {"monto": -0.00006})
    assert "monto" in e.value.detalles
    assert str(cargar(Monto(), {"monto": 0.000001})["monto"]) == "0.00"  # nunca -0.00
    assert cargar(Monto(), {"monto": 12.345})["monto"] == Decimal("12.34")
