import uuid

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from omm_common import cifrado
from omm_common.eventos import ahora_utc
from omm_common.tiempo import FechaHoraUTC


def nuevo_id():
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class Mancomunidad(Base):
    __tablename__ = "mancomunidades"

    codigo: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    nombre: Mapped[str] = mapped_column(sa.String(120))


class Municipio(Base):
    __tablename__ = "municipios"

    codigo: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
    nombre: Mapped[str] = mapped_column(sa.String(120))
    departamento: Mapped[str] = mapped_column(sa.String(60))
    mancomunidad = mapped_column(sa.ForeignKey("mancomunidades.codigo"), nullable=True, index=True)


class Usuario(Base):
    __tablename__ = "usuarios"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    usuario: Mapped[str] = mapped_column(sa.String(60), unique=True)
    nombre: Mapped[str] = mapped_column(sa.String(120))
    hash_contrasena: Mapped[str] = mapped_column(sa.String(200))
    rol: Mapped[str] = mapped_column(sa.String(20))
    municipio = mapped_column(sa.ForeignKey("municipios.codigo"), nullable=True)
    mancomunidad = mapped_column(sa.ForeignKey("mancomunidades.codigo"), nullable=True)
    activo: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)
    # Los tokens emitidos antes de este instante ya no valen (cambio o restablecimiento de contraseña, otro rol
    # u otro municipio). None: valen todos los no vencidos.
    credenciales_desde = mapped_column(FechaHoraUTC, nullable=True)
    # Tras un restablecimiento por la administración: hasta cambiarla, solo /yo y /yo/contrasena.
    debe_cambiar_contrasena: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())


class IntentoFallido(Base):
    """Fallos de acceso por usuario y por dirección, para frenar a quien adivina contraseñas."""
    __tablename__ = "intentos_fallidos"

    clave: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    fallos: Mapped[int] = mapped_column(sa.Integer, default=0)
    bloqueado_hasta = mapped_column(FechaHoraUTC, nullable=True)
    actualizado_en = mapped_column(FechaHoraUTC, default=ahora_utc)


class RespuestaIdempotente(Base):
    """Primera respuesta a una escritura con Idempotency-Key; una repetición la recibe igual.

    La clave vale por usuaria y por ruta: la misma clave en otra ruta es otra operación.
    """
    __tablename__ = "respuestas_idempotentes"

    usuario_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    ruta: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    clave: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    estado_http = mapped_column(sa.Integer, nullable=True)  # None: en curso
    # SHA-256 del cuerpo y la consulta: la misma clave con otra solicitud no recibe la respuesta de la primera.
    huella = mapped_column(sa.String(64), nullable=True)
    # La respuesta puede traer un caso descifrado o los datos de una beneficiaria: se guarda cifrada.
    cuerpo = mapped_column(sa.JSON, nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)

    def _clave_y_asociado(self):
        clave = cifrado.derivar(cifrado.secreto("GATEWAY_CLAVE_RESPUESTAS"), b"omm-gateway", "respuestas")
        return clave, f"{self.usuario_id}|{self.ruta}|{self.clave}".encode()

    def guardar_cuerpo(self, cuerpo):
        clave, asociado = self._clave_y_asociado()
        self.cuerpo = {"cifrado": cifrado.cifrar(clave, cuerpo, asociado)}

    def leer_cuerpo(self):
        clave, asociado = self._clave_y_asociado()
        return cifrado.descifrar(clave, self.cuerpo["cifrado"], asociado)



# poa_metas y textos_informe (migración 0002) ya no son del gateway: el POA y los textos del informe viven en
# reportes, cuya primera migración copia sus filas. Las tablas siguen en la base hasta que otra migración
# las quite, cuando toda instalación haya migrado reportes.


class SesionWeb(Base):
    """Una sesión de la aplicación web. La cookie lleva un secreto al azar; aquí solo su SHA-256: quien lea la
    base no puede entrar como nadie. Salir la borra; la inactividad la vence."""
    __tablename__ = "sesiones_web"

    id_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    usuario_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    csrf: Mapped[str] = mapped_column(sa.String(64))
    creada_en = mapped_column(FechaHoraUTC, default=ahora_utc)
    ultima_actividad = mapped_column(FechaHoraUTC, default=ahora_utc)


class AvisoOficina(Base):
    """Lo que la administración cambió en las cuentas de una oficina, para su coordinación. Se escribe en la
    misma transacción que el cambio y se entrega a notificaciones (bandeja y correo) después; lo que no se
    pudo entregar lo vuelve a intentar el temporizador del gateway. Sin datos personales: cuenta, rol, campos."""
    __tablename__ = "avisos_oficina"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    municipio: Mapped[str] = mapped_column(sa.String(4))
    accion: Mapped[str] = mapped_column(sa.String(30))
    rol: Mapped[str] = mapped_column(sa.String(20))
    usuario: Mapped[str] = mapped_column(sa.String(60))
    campos = mapped_column(sa.JSON, default=list)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)
    entregado_en = mapped_column(FechaHoraUTC, nullable=True, index=True)


class TokenRevocado(Base):
    """Un token de la API cerrado con POST /api/v1/auth/salida, hasta que vence solo (luego se borra)."""
    __tablename__ = "tokens_revocados"

    jti: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    usuario_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    vence_en = mapped_column(FechaHoraUTC)
