"""Tablas de casos. En claro solo categorías, fechas y banderas; todo dato que identifica o narra
(nombre, DNI, teléfono, comunidad, relato, notas, motivos) va cifrado con la clave del municipio.
"""
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from omm_common.eventos import ahora_utc
from omm_common.tiempo import FechaHoraUTC


def nuevo_id():
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class Caso(Base):
    __tablename__ = "casos"
    __table_args__ = (
        sa.UniqueConstraint("municipio", "anio", "numero"),
        sa.UniqueConstraint("municipio", "codigo"),
        sa.UniqueConstraint("creado_por", "clave_idempotencia"),
        sa.Index("ix_casos_municipio_fecha", "municipio", "fecha_atencion"),
        # Cubre los agregados de la región: contar un país sin leer las filas con lo cifrado.
        sa.Index("ix_casos_agregados", "municipio", "fecha_atencion", "consentimiento_estadisticas", "nivel_riesgo",
                 "contexto", postgresql_include=["tipos_violencia"]),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    municipio: Mapped[str] = mapped_column(sa.String(4), index=True)
    codigo: Mapped[str] = mapped_column(sa.String(20))
    anio: Mapped[int] = mapped_column(sa.Integer)
    numero: Mapped[int] = mapped_column(sa.Integer)
    estado: Mapped[str] = mapped_column(sa.String(20), default="abierto")
    fecha_atencion = mapped_column(sa.Date, nullable=False)
    fecha_incidente = mapped_column(sa.Date, nullable=True)
    # Hora local del incidente (opcional): afina la regla de las 72 horas.
    hora_incidente = mapped_column(sa.Time, nullable=True)
    tipos_violencia = mapped_column(sa.JSON, nullable=False, default=list)
    contexto: Mapped[str] = mapped_column(sa.String(20))
    # Derivado: el de la valoración vigente (ValoracionRiesgo); se guarda aquí para filtrar y contar.
    nivel_riesgo: Mapped[str] = mapped_column(sa.String(10))
    # Segundo eje, exacto: uno de dominio.TIPOS_GBVIMS, o None = sin clasificar (dominio.gbvims_derivado).
    tipo_gbvims = mapped_column(sa.String(30), nullable=True)
    # Responsable del caso (por omisión quien lo registró); el nombre es el de la usuaria, no el de la sobreviviente.
    responsable_id = mapped_column(sa.String(60), nullable=True, index=True)
    responsable_nombre = mapped_column(sa.String(120), nullable=True)
    # Sin identificar al agresor: solo relación, sexo y grupo de edad.
    agresor = mapped_column(sa.JSON, nullable=True)
    # Derivados: los del cambio de consentimiento vigente (CambioConsentimiento).
    consentimiento_servicios: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    consentimiento_derivacion: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    consentimiento_estadisticas: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Sobreviviente y relato, cifrados juntos: "v<version>:<base64(nonce|cifrado)>".
    datos_cifrados: Mapped[str] = mapped_column(sa.Text)
    proxima_fecha = mapped_column(sa.Date, nullable=True, index=True)
    motivo_cierre_cifrado = mapped_column(sa.Text, nullable=True)
    cerrado_en = mapped_column(FechaHoraUTC, nullable=True)
    cerrado_por = mapped_column(sa.String(60), nullable=True)
    creado_por: Mapped[str] = mapped_column(sa.String(60))
    clave_idempotencia = mapped_column(sa.String(100), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)
    actualizado_en = mapped_column(FechaHoraUTC, default=ahora_utc, onupdate=ahora_utc)

    seguimientos = relationship("Seguimiento", back_populates="caso",
                                order_by="(Seguimiento.fecha, Seguimiento.creado_en)")
    derivaciones = relationship("Derivacion", back_populates="caso", order_by="Derivacion.creado_en")
    valoraciones = relationship("ValoracionRiesgo", back_populates="caso",
                                order_by="(ValoracionRiesgo.fecha, ValoracionRiesgo.creado_en)")
    consentimientos = relationship("CambioConsentimiento", back_populates="caso",
                                   order_by="(CambioConsentimiento.fecha, CambioConsentimiento.creado_en)")


class ValoracionRiesgo(Base):
    """Cada valoración del riesgo, fechada, con quién y por qué: el nivel del caso es el de la vigente."""
    __tablename__ = "valoraciones_riesgo"
    __table_args__ = (sa.UniqueConstraint("registrada_por", "clave_idempotencia"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    caso_id: Mapped[str] = mapped_column(sa.ForeignKey("casos.id"), index=True)
    municipio: Mapped[str] = mapped_column(sa.String(4))
    fecha = mapped_column(sa.Date, nullable=False)
    nivel_riesgo: Mapped[str] = mapped_column(sa.String(10))
    motivo_cifrado = mapped_column(sa.Text, nullable=True)  # None: la valoración inicial del registro
    registrada_por: Mapped[str] = mapped_column(sa.String(60))
    registrada_por_nombre = mapped_column(sa.String(120), nullable=True)
    clave_idempotencia = mapped_column(sa.String(100), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)

    caso = relationship("Caso", back_populates="valoraciones")


class CambioConsentimiento(Base):
    """Cada consentimiento dado o retirado, fechado, con quién y por qué: el del caso es el vigente."""
    __tablename__ = "consentimientos"
    __table_args__ = (sa.UniqueConstraint("registrado_por", "clave_idempotencia"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    caso_id: Mapped[str] = mapped_column(sa.ForeignKey("casos.id"), index=True)
    municipio: Mapped[str] = mapped_column(sa.String(4))
    fecha = mapped_column(sa.Date, nullable=False)
    servicios: Mapped[bool] = mapped_column(sa.Boolean)
    derivacion: Mapped[bool] = mapped_column(sa.Boolean)
    estadisticas: Mapped[bool] = mapped_column(sa.Boolean)
    motivo_cifrado = mapped_column(sa.Text, nullable=True)  # None: el consentimiento dado al registrar
    registrado_por: Mapped[str] = mapped_column(sa.String(60))
    registrado_por_nombre = mapped_column(sa.String(120), nullable=True)
    clave_idempotencia = mapped_column(sa.String(100), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)

    caso = relationship("Caso", back_populates="consentimientos")


class IndiceCiego(Base):
    """HMAC de cada palabra del nombre y del DNI: buscar sin guardar el nombre en claro."""
    __tablename__ = "indices_ciegos"
    __table_args__ = (sa.Index("ix_indices_ciegos_busqueda", "municipio", "token"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    caso_id: Mapped[str] = mapped_column(sa.ForeignKey("casos.id"), index=True)
    municipio: Mapped[str] = mapped_column(sa.String(4))
    version: Mapped[int] = mapped_column(sa.Integer)
    token: Mapped[str] = mapped_column(sa.String(64))


class Seguimiento(Base):
    __tablename__ = "seguimientos"
    __table_args__ = (sa.UniqueConstraint("registrado_por", "clave_idempotencia"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    caso_id: Mapped[str] = mapped_column(sa.ForeignKey("casos.id"), index=True)
    municipio: Mapped[str] = mapped_column(sa.String(4), index=True)
    fecha = mapped_column(sa.Date, nullable=False)
    tipo: Mapped[str] = mapped_column(sa.String(20))
    nota_cifrada: Mapped[str] = mapped_column(sa.Text)
    proxima_fecha = mapped_column(sa.Date, nullable=True)
    registrado_por: Mapped[str] = mapped_column(sa.String(60))
    clave_idempotencia = mapped_column(sa.String(100), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)

    caso = relationship("Caso", back_populates="seguimientos")


class Derivacion(Base):
    __tablename__ = "derivaciones"
    __table_args__ = (sa.UniqueConstraint("registrada_por", "clave_idempotencia"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    caso_id: Mapped[str] = mapped_column(sa.ForeignKey("casos.id"), index=True)
    municipio: Mapped[str] = mapped_column(sa.String(4), index=True)
    destino: Mapped[str] = mapped_column(sa.String(20))
    motivo_cifrado: Mapped[str] = mapped_column(sa.Text)
    urgente: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    urgente_solicitado: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    horas_desde_incidente = mapped_column(sa.Integer, nullable=True)
    # El aviso al CIS (solo destino cis): el id del evento CasoDerivado une la derivación con las
    # notificaciones que lo llevan; avanza pendiente -> enviada -> confirmada con sus eventos.
    evento_id = mapped_column(sa.String(36), nullable=True, index=True)
    aviso = mapped_column(sa.String(12), nullable=True)
    aviso_enviado_en = mapped_column(FechaHoraUTC, nullable=True)
    aviso_confirmado_en = mapped_column(FechaHoraUTC, nullable=True)
    registrada_por: Mapped[str] = mapped_column(sa.String(60))
    clave_idempotencia = mapped_column(sa.String(100), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)

    caso = relationship("Caso", back_populates="derivaciones")


class Auditoria(Base):
    """Solo se agrega: la migración pone disparadores que impiden UPDATE y DELETE."""
    __tablename__ = "auditoria"
    __table_args__ = (sa.Index("ix_auditoria_caso", "caso_id", "en"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    municipio = mapped_column(sa.String(4), nullable=True)
    caso_id = mapped_column(sa.String(36), nullable=True)  # sin FK: la bitácora sobrevive a todo
    usuario_id: Mapped[str] = mapped_column(sa.String(60))
    usuario = mapped_column(sa.String(80), nullable=True)
    rol: Mapped[str] = mapped_column(sa.String(20))
    accion: Mapped[str] = mapped_column(sa.String(40))
    # Correcciones: qué campos cambiaron (nombres, nunca valores); el motivo va aparte (MotivoAuditoria).
    campos = mapped_column(sa.JSON, nullable=True)
    en = mapped_column(FechaHoraUTC, default=ahora_utc, nullable=False)

    motivo = relationship("MotivoAuditoria", uselist=False, lazy="joined")


class MotivoAuditoria(Base):
    """El porqué de una entrada de la bitácora, cifrado. En su propia tabla: la bitácora no admite UPDATE y
    rotar la clave (omm-casos-rotar) debe poder volver a cifrar los motivos."""
    __tablename__ = "motivos_auditoria"

    auditoria_id: Mapped[int] = mapped_column(sa.ForeignKey("auditoria.id"), primary_key=True)
    municipio: Mapped[str] = mapped_column(sa.String(4))
    motivo_cifrado: Mapped[str] = mapped_column(sa.Text)


class VencimientoEmitido(Base):
    """Un aviso de seguimiento vencido por caso y fecha programada, nunca dos."""
    __tablename__ = "vencimientos_emitidos"

    caso_id: Mapped[str] = mapped_column(sa.ForeignKey("casos.id"), primary_key=True)
    proxima_fecha = mapped_column(sa.Date, primary_key=True)
    emitido_en = mapped_column(FechaHoraUTC, default=ahora_utc)


class ResumenCasos(Base):
    """Casos con consentimiento para estadísticas por municipio, mes y valor de cada dimensión; la dimensión
    `atendidos` cuenta todos los casos atendidos (el informe propio de la oficina), con o sin ese consentimiento.

    Se rehace desde `casos` (omm_common/resumenes.py); nunca se escribe a mano.
    """
    __tablename__ = "resumen_casos"

    municipio: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
    mes = mapped_column(sa.Date, primary_key=True)
    dimension: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    valor: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    casos: Mapped[int] = mapped_column(sa.Integer, nullable=False)
