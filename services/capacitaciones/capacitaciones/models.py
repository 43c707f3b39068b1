import uuid

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from omm_common.cifrado import Boveda, CampoCifrado
from omm_common.eventos import ahora_utc
from omm_common.tiempo import FechaHoraUTC


# DNI, teléfono y embarazo de las participantes, cifrados en reposo con la clave de capacitaciones
# (CAPACITACIONES_CLAVE_DATOS) por municipio y atados a su fila; el DNI, además, con índice ciego.
BOVEDA = Boveda("CAPACITACIONES_CLAVE_DATOS", b"omm-capacitaciones")


def nuevo_id():
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class Capacitacion(Base):
    __tablename__ = "capacitaciones"
    __table_args__ = (sa.UniqueConstraint("creada_por", "clave_idempotencia"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    municipio: Mapped[str] = mapped_column(sa.String(4), index=True)
    titulo: Mapped[str] = mapped_column(sa.String(200))
    tipo: Mapped[str] = mapped_column(sa.String(40), index=True)
    institucion = mapped_column(sa.String(200), nullable=True)
    facilitador = mapped_column(sa.String(200), nullable=True)
    lugar: Mapped[str] = mapped_column(sa.String(200))
    cupo = mapped_column(sa.Integer, nullable=True)
    creada_por: Mapped[str] = mapped_column(sa.String(60))
    clave_idempotencia = mapped_column(sa.String(100), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)

    sesiones = relationship("Sesion", back_populates="capacitacion", order_by="(Sesion.fecha, Sesion.hora)")
    inscripciones = relationship("Inscripcion", back_populates="capacitacion",
                                 order_by="(Inscripcion.apellidos, Inscripcion.nombres)")


class Sesion(Base):
    __tablename__ = "sesiones"
    __table_args__ = (
        sa.UniqueConstraint("creada_por", "clave_idempotencia"),
        sa.Index("ix_sesiones_capacitacion_fecha", "capacitacion_id", "fecha"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    capacitacion_id: Mapped[str] = mapped_column(sa.ForeignKey("capacitaciones.id"))
    municipio: Mapped[str] = mapped_column(sa.String(4), index=True)
    fecha = mapped_column(sa.Date, index=True, nullable=False)
    hora = mapped_column(sa.String(5), nullable=True)  # "HH:MM", hora local de la actividad
    tema = mapped_column(sa.String(300), nullable=True)
    duracion_horas = mapped_column(sa.Numeric(4, 1), default=2)
    creada_por: Mapped[str] = mapped_column(sa.String(60))
    clave_idempotencia = mapped_column(sa.String(100), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)
    # Cancelada: quién, cuándo y por qué (no cuenta como realizada).
    cancelada_en = mapped_column(FechaHoraUTC, nullable=True)
    cancelada_por = mapped_column(sa.String(60), nullable=True)
    cancelada_por_nombre = mapped_column(sa.String(200), nullable=True)
    motivo_cancelacion = mapped_column(sa.String(500), nullable=True)
    # Conteo de participantes (charlas abiertas): además o en lugar de la asistencia con nombre.
    conteo_mujeres = mapped_column(sa.Integer, nullable=True)
    conteo_hombres = mapped_column(sa.Integer, nullable=True)
    conteo_total = mapped_column(sa.Integer, nullable=True)
    conteo_grupos = mapped_column(sa.JSON, nullable=True)
    conteo_por = mapped_column(sa.String(60), nullable=True)

    capacitacion = relationship("Capacitacion", back_populates="sesiones")
    cambios = relationship("CambioSesion", order_by="CambioSesion.creado_en")
    asistencias = relationship("Asistencia", back_populates="sesion", cascade="all, delete-orphan")


class CambioSesion(Base):
    """Historia de una sesión: cada reprogramación (fecha, hora o tema anteriores y nuevos) y la cancelación."""
    __tablename__ = "cambios_sesion"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    sesion_id: Mapped[str] = mapped_column(sa.ForeignKey("sesiones.id"), index=True)
    capacitacion_id: Mapped[str] = mapped_column(sa.ForeignKey("capacitaciones.id"))
    accion: Mapped[str] = mapped_column(sa.String(20))  # reprogramacion | cancelacion
    fecha_anterior = mapped_column(sa.Date, nullable=True)
    hora_anterior = mapped_column(sa.String(5), nullable=True)
    tema_anterior = mapped_column(sa.String(300), nullable=True)
    fecha_nueva = mapped_column(sa.Date, nullable=True)
    hora_nueva = mapped_column(sa.String(5), nullable=True)
    tema_nuevo = mapped_column(sa.String(300), nullable=True)
    motivo: Mapped[str] = mapped_column(sa.String(500))
    usuario_id: Mapped[str] = mapped_column(sa.String(60))
    usuario_nombre = mapped_column(sa.String(200), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)


class Foto(Base):
    """Foto de una actividad: el archivo (sin metadatos) vive fuera de la base (omm_common.archivos)."""
    __tablename__ = "fotos"
    __table_args__ = (sa.UniqueConstraint("subida_por", "clave_idempotencia"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    capacitacion_id: Mapped[str] = mapped_column(sa.ForeignKey("capacitaciones.id"), index=True)
    sesion_id = mapped_column(sa.ForeignKey("sesiones.id"), nullable=True)
    municipio: Mapped[str] = mapped_column(sa.String(4), index=True)
    leyenda: Mapped[str] = mapped_column(sa.String(300))
    fecha = mapped_column(sa.Date, nullable=False)  # la de la sesión, o el día en que se subió
    ruta: Mapped[str] = mapped_column(sa.String(300))
    mime: Mapped[str] = mapped_column(sa.String(30))
    bytes: Mapped[int] = mapped_column(sa.Integer)
    ancho: Mapped[int] = mapped_column(sa.Integer)
    alto: Mapped[int] = mapped_column(sa.Integer)
    subida_por: Mapped[str] = mapped_column(sa.String(60))
    subida_por_nombre = mapped_column(sa.String(200), nullable=True)
    clave_idempotencia = mapped_column(sa.String(100), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)


class Inscripcion(Base):
    __tablename__ = "inscripciones"
    __table_args__ = (
        # Respaldan en la base la regla de duplicados del dominio (DNI, o nombre y nacimiento).
        sa.UniqueConstraint("capacitacion_id", "clave_persona"),
        sa.UniqueConstraint("capacitacion_id", "dni_indice"),
        sa.UniqueConstraint("registrada_por", "clave_idempotencia"),
        # Las actividades de una persona en su municipio: contar participantes distintas de un periodo.
        sa.Index("ix_inscripciones_persona", "municipio", "clave_persona"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    capacitacion_id: Mapped[str] = mapped_column(sa.ForeignKey("capacitaciones.id"), index=True)
    municipio: Mapped[str] = mapped_column(sa.String(4), index=True)
    nombres: Mapped[str] = mapped_column(sa.String(120))
    apellidos: Mapped[str] = mapped_column(sa.String(120))
    nombre_normalizado: Mapped[str] = mapped_column(sa.String(250), index=True)
    # Con DNI, "dni:<índice ciego>" (dominio.clave_persona): nunca el DNI en claro.
    clave_persona: Mapped[str] = mapped_column(sa.String(300))
    dni_cifrado = mapped_column(sa.Text, nullable=True)
    dni_indice = mapped_column(sa.String(64), nullable=True)  # HMAC: duplicados y unicidad por DNI
    dni = CampoCifrado(BOVEDA, "dni_cifrado", indice="dni_indice")
    fecha_nacimiento = mapped_column(sa.Date, nullable=True)
    telefono_cifrado = mapped_column(sa.Text, nullable=True)
    telefono = CampoCifrado(BOVEDA, "telefono_cifrado")
    comunidad: Mapped[str] = mapped_column(sa.String(120))
    # Embarazo y semanas de gestación juntos y siempre cifrados (con relleno): ni un NULL ni el largo dicen si lo está.
    salud_cifrada = mapped_column(sa.Text, nullable=True)
    salud = CampoCifrado(BOVEDA, "salud_cifrada", vacio=dict)
    fecha_registro = mapped_column(sa.Date, nullable=False)
    consentimiento_salud: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    registrada_por: Mapped[str] = mapped_column(sa.String(60))
    clave_idempotencia = mapped_column(sa.String(100), nullable=True)
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)

    capacitacion = relationship("Capacitacion", back_populates="inscripciones")

    @property
    def embarazada(self):
        return bool(self.salud.get("embarazada"))

    @embarazada.setter
    def embarazada(self, valor):
        self.salud = {**self.salud, "embarazada": bool(valor)}

    @property
    def semanas_gestacion(self):
        return self.salud.get("semanas_gestacion")

    @semanas_gestacion.setter
    def semanas_gestacion(self, valor):
        self.salud = {"embarazada": False, **self.salud, "semanas_gestacion": valor}


class Asistencia(Base):
    __tablename__ = "asistencias"
    __table_args__ = (sa.UniqueConstraint("sesion_id", "inscripcion_id"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=nuevo_id)
    capacitacion_id: Mapped[str] = mapped_column(sa.ForeignKey("capacitaciones.id"), index=True)
    sesion_id: Mapped[str] = mapped_column(sa.ForeignKey("sesiones.id"))
    inscripcion_id: Mapped[str] = mapped_column(sa.ForeignKey("inscripciones.id"), index=True)
    registrada_por: Mapped[str] = mapped_column(sa.String(60))
    creado_en = mapped_column(FechaHoraUTC, default=ahora_utc)

    sesion = relationship("Sesion", back_populates="asistencias")


class ResumenSesiones(Base):
    """Por municipio, mes y tipo de actividad (y "*", todos los tipos): actividades con sesiones en el mes,
    sesiones, asistencias y personas distintas del mes. Cuenta todas las sesiones del mes: solo se lee de
    meses ya pasados. Se rehace desde las filas (omm_common/resumenes.py); nunca se escribe a mano.
    """
    __tablename__ = "resumen_sesiones"

    municipio: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
    mes = mapped_column(sa.Date, primary_key=True)
    tipo: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    actividades: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    sesiones_realizadas: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    asistencias: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    personas: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    ultima_fecha = mapped_column(sa.Date, nullable=False)
    # Conteos de charlas abiertas: personas contadas sin inscripción con nombre, y por sexo.
    sin_nombre: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    mujeres: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    hombres: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
