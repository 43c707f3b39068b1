import logging
import uuid

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from omm_common import cifrado
from omm_common.eventos import ahora_utc
from omm_common.tiempo import FechaHoraUTC

log = logging.getLogger("omm.notificaciones")


def nuevo_id():
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class Destinatario(Base):
    """Contacto de un municipio: el CIS, la coordinadora u otra institución."""
    __tablename__ = "destinatarios"
    __table_args__ = (sa.UniqueConstraint("municipio", "clave"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    municipio: Mapped[str] = mapped_column(sa.String(4), index=True)
    clave: Mapped[str] = mapped_column(sa.String(40))
    nombre: Mapped[str] = mapped_column(sa.String(160))
    email = mapped_column(sa.String(200), nullable=True)
    telefono = mapped_column(sa.String(30), nullable=True)
    webhook_url = mapped_column(sa.String(500), nullable=True)
    actualizado_en = mapped_column(FechaHoraUTC, default=ahora_utc, onupdate=ahora_utc)
    # False: lo cambió la administración y la coordinadora aún no lo confirma. Hasta entonces le llegan los
    # avisos sin nombres: quien administra el sistema no puede desviar a sí misma los datos de una persona.
    confirmado: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())


class Regla(Base):
    """Regla evento -> destinataria y canales, editable por municipio."""
    __tablename__ = "reglas"
    __table_args__ = (sa.UniqueConstraint("municipio", "codigo"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    municipio: Mapped[str] = mapped_column(sa.String(4), index=True)
    codigo: Mapped[str] = mapped_column(sa.String(60))
    evento: Mapped[str] = mapped_column(sa.String(80))
    condicion = mapped_column(sa.JSON, default=dict)  # igualdades sobre los datos del evento
    destinatario: Mapped[str] = mapped_column(sa.String(40))
    canales = mapped_column(sa.JSON, default=list)
    urgente: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    minutos_escalamiento = mapped_column(sa.Integer, nullable=True)
    plantilla = mapped_column(sa.Text, nullable=True)  # None: la plantilla por defecto del evento
    activa: Mapped[bool] = mapped_column(sa.Boolean, default=True)


class Notificacion(Base):
    """Una por (evento, regla, destinataria, canal): un evento repetido no crea otra ni envía dos veces."""
    __tablename__ = "notificaciones"
    __table_args__ = (
        sa.UniqueConstraint("evento_id", "regla", "destinatario", "canal"),
        sa.Index("ix_notificaciones_municipio_estado", "municipio", "estado"),
        sa.Index("ix_notificaciones_pendientes", "estado", "proximo_intento_en"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    municipio: Mapped[str] = mapped_column(sa.String(4))
    evento_id: Mapped[str] = mapped_column(sa.String(36))
    evento_tipo: Mapped[str] = mapped_column(sa.String(80))
    regla: Mapped[str] = mapped_column(sa.String(60))
    destinatario: Mapped[str] = mapped_column(sa.String(40))
    canal: Mapped[str] = mapped_column(sa.String(20))
    urgente: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Solo referencias y categorías del evento, nunca datos personales.
    referencia = mapped_column(sa.JSON, default=dict)
    estado: Mapped[str] = mapped_column(sa.String(20), default="pendiente")
    asunto = mapped_column(sa.String(200), nullable=True)
    # Texto de la bandeja, compuesto al enviar (con nombre solo si hubo consentimiento); cifrado en reposo.
    mensaje_cifrado = mapped_column("mensaje", sa.Text, nullable=True)
    intentos: Mapped[int] = mapped_column(sa.Integer, default=0)
    ultimo_error = mapped_column(sa.String(500), nullable=True)
    proximo_intento_en = mapped_column(FechaHoraUTC, nullable=True)
    escalar_en = mapped_column(FechaHoraUTC, nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)
    enviada_en = mapped_column(FechaHoraUTC, nullable=True)
    confirmada_en = mapped_column(FechaHoraUTC, nullable=True)
    confirmada_por = mapped_column(sa.String(60), nullable=True)

    # El nombre de una persona que hubo consentimiento para dar no debe quedar legible en un volcado
    # de la base: el texto se guarda cifrado con la clave de este municipio y atado a esta fila.
    @property
    def mensaje(self):
        """El texto descifrado. Lo que no está cifrado con la clave de esta fila (texto plano escrito directo en la
        base, o el cifrado de otra fila) no lo escribió este servicio: no se muestra como si fuera suyo."""
        texto = self.mensaje_cifrado
        if texto is None:
            return None
        if not texto.startswith(PREFIJO_CIFRADO):
            log.error("notificación %s: el texto de la bandeja no está cifrado; no se muestra", self.id)
            return None
        try:
            return cifrado.descifrar(_clave_bandeja(self.municipio), texto[len(PREFIJO_CIFRADO):], self._asociado())
        except (InvalidTag, ValueError, TypeError):
            log.error("notificación %s: el texto de la bandeja no se descifra con la clave de su fila; no se muestra",
                      self.id)
            return None

    @mensaje.setter
    def mensaje(self, texto):
        self.mensaje_cifrado = None if texto is None else PREFIJO_CIFRADO + cifrado.cifrar(
            _clave_bandeja(self.municipio), texto, self._asociado())

    def _asociado(self):
        return f"{self.municipio}:{self.id}".encode()


PREFIJO_CIFRADO = "c1:"


def _clave_bandeja(municipio):
    return cifrado.derivar(cifrado.secreto("NOTIFICACIONES_CLAVE"), b"omm-notificaciones", f"bandeja:{municipio}")
