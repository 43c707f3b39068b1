"""Casos de uso: validan, aplican las reglas del dominio y persisten dentro de una unidad de trabajo.

Las entradas de nameko (service.py) solo resuelven quién llama y delegan aquí; las
pruebas llaman a estas funciones con una base SQLite, sin RabbitMQ.
"""
import sqlalchemy as sa

from omm_common.db import paginar
from omm_common.errores import Conflicto, NoEncontrado, error_de_campo
from omm_common.esquemas import cargar
from omm_common.municipios import normalizar_nombre
from omm_common.tablas import siguiente_numero

from . import dominio, schemas
from .models import Beneficiaria, Entrega, TipoAyuda

ROLES = ("coordinadora", "tecnica", "promotora")


def _beneficiaria_salida(b, hoy=None, con_entregas=False):
    datos = {c: getattr(b, c) for c in (
        "id", "nombres", "apellidos", "dni", "fecha_nacimiento", "telefono", "comunidad",
        "condiciones", "consentimiento_salud", "creado_en")}
    datos["edad"] = dominio.edad(b.fecha_nacimiento, hoy)
    datos["condiciones"] = dominio.condiciones_con_edad(b.condiciones or [], b.fecha_nacimiento, hoy)
    if con_entregas:
        datos["entregas"] = b.entregas
        return schemas.BeneficiariaDetalle().dump(datos)
    return schemas.BeneficiariaSalida().dump(datos)


def crear_tipo(uow, yo, cuerpo):
    datos = cargar(schemas.TipoAyudaEntrada(), cuerpo)
    s = uow.sesion
    existe = s.scalar(sa.select(TipoAyuda).where(
        TipoAyuda.municipio == yo.municipio, TipoAyuda.codigo == datos["codigo"]))
    if existe:
        raise Conflicto("Ya existe un tipo de ayuda con ese código.", {"id": existe.id}, codigo="DUPLICADO")
    tipo = TipoAyuda(municipio=yo.municipio, **datos)
    s.add(tipo)
    s.flush()
    return schemas.TipoAyudaSalida().dump(tipo)


def listar_tipos(uow, yo):
    tipos = uow.sesion.scalars(
        sa.select(TipoAyuda).where(TipoAyuda.municipio == yo.municipio).order_by(TipoAyuda.codigo)).all()
    return schemas.TipoAyudaSalida(many=True).dump(tipos)


def crear_beneficiaria(uow, yo, cuerpo):
    datos = cargar(schemas.BeneficiariaEntrada(), cuerpo)
    s = uow.sesion
    existe = s.scalar(sa.select(Beneficiaria).where(
        Beneficiaria.municipio == yo.municipio, Beneficiaria.dni == datos["dni"]))
    if existe:
        raise Conflicto("Ya hay una beneficiaria registrada con ese DNI en el municipio.",
                        {"id": existe.id}, codigo="DUPLICADO")
    datos["condiciones"] = dominio.condiciones_con_edad(datos["condiciones"], datos["fecha_nacimiento"])
    b = Beneficiaria(municipio=yo.municipio,
                     nombre_normalizado=normalizar_nombre(f"{datos['nombres']} {datos['apellidos']}"), **datos)
    s.add(b)
    s.flush()
    uow.emitir("BeneficiariaRegistrada", yo.municipio,
               {"beneficiaria_id": b.id, "condiciones": b.condiciones})
    return _beneficiaria_salida(b)


def listar_beneficiarias(uow, yo, filtros):
    f = cargar(schemas.FiltroBeneficiarias(), filtros)
    consulta = sa.select(Beneficiaria).where(Beneficiaria.municipio == yo.municipio)
    if f.get("q"):
        for palabra in normalizar_nombre(f["q"]).split():
            consulta = consulta.where(Beneficiaria.nombre_normalizado.contains(palabra))
    if f.get("dni"):
        consulta = consulta.where(Beneficiaria.dni == f["dni"].replace("-", "").strip())
    return paginar(uow.sesion, consulta.order_by(Beneficiaria.apellidos, Beneficiaria.nombres), f,
                    _beneficiaria_salida)


def obtener_beneficiaria(uow, yo, beneficiaria_id):
    return _beneficiaria_salida(_beneficiaria(uow.sesion, yo, beneficiaria_id), con_entregas=True)


def registrar_entrega(uow, yo, cuerpo, clave_idempotencia=None):
    datos = cargar(schemas.EntregaEntrada(), cuerpo)
    s = uow.sesion
    if clave_idempotencia:
        previa = s.scalar(sa.select(Entrega).where(
            Entrega.registrada_por == yo.usuario_id, Entrega.clave_idempotencia == clave_idempotencia))
        if previa:
            return schemas.EntregaSalida().dump(previa)
    b = _beneficiaria(s, yo, datos["beneficiaria_id"], campo="beneficiaria_id")
    tipo = s.scalar(sa.select(TipoAyuda).where(
        TipoAyuda.municipio == yo.municipio, TipoAyuda.codigo == datos["tipo_codigo"]))
    if tipo is None:
        raise error_de_campo("tipo_codigo", "No existe ese tipo de ayuda en el municipio.")
    dominio.verificar_monto(tipo.categoria, datos.get("monto"), tipo.monto_maximo)
    ultima = s.scalar(sa.select(sa.func.max(Entrega.fecha)).where(
        Entrega.beneficiaria_id == b.id, Entrega.tipo_codigo == tipo.codigo))
    dominio.verificar_frecuencia(ultima, datos["fecha"], tipo.frecuencia_dias,
                                 datos.get("justificacion_excepcion"), yo.rol)
    anio = datos["fecha"].year
    entrega = Entrega(
        municipio=yo.municipio, beneficiaria_id=b.id, tipo_codigo=tipo.codigo, categoria=tipo.categoria,
        cantidad=datos["cantidad"], monto=datos.get("monto"), fecha=datos["fecha"],
        observaciones=datos.get("observaciones"), justificacion_excepcion=datos.get("justificacion_excepcion"),
        anio=anio, numero=siguiente_numero(s, yo.municipio, "recibo", anio),
        registrada_por=yo.usuario_id, clave_idempotencia=clave_idempotencia,
    )
    s.add(entrega)
    s.flush()
    uow.emitir("AyudaEntregada", yo.municipio, {
        "entrega_id": entrega.id, "beneficiaria_id": b.id, "tipo_codigo": tipo.codigo,
        "categoria": tipo.categoria, "cantidad": entrega.cantidad,
        "monto": float(entrega.monto) if entrega.monto is not None else None,
        "fecha": entrega.fecha.isoformat(),
        # Solo la bandera: notificaciones decide si avisa al CIS sin recibir datos personales.
        "consentimiento_salud": bool(b.consentimiento_salud),
    })
    return schemas.EntregaSalida().dump(entrega)


def listar_entregas(uow, yo, filtros):
    f = cargar(schemas.FiltroEntregas(), filtros)
    consulta = sa.select(Entrega).where(Entrega.municipio == yo.municipio)
    if f.get("desde"):
        consulta = consulta.where(Entrega.fecha >= f["desde"])
    if f.get("hasta"):
        consulta = consulta.where(Entrega.fecha <= f["hasta"])
    if f.get("tipo_codigo"):
        consulta = consulta.where(Entrega.tipo_codigo == f["tipo_codigo"])
    if f.get("beneficiaria_id"):
        consulta = consulta.where(Entrega.beneficiaria_id == str(f["beneficiaria_id"]))
    return paginar(uow.sesion, consulta.order_by(Entrega.fecha.desc(), Entrega.numero.desc()), f,
                    schemas.EntregaSalida().dump)


def contacto_para_salud(uow, beneficiaria_id):
    """Para notificaciones: nombre y teléfono solo si la beneficiaria consintió compartir con salud."""
    b = uow.sesion.get(Beneficiaria, str(beneficiaria_id))
    if b is None or not b.consentimiento_salud:
        return None
    return {"nombre": f"{b.nombres} {b.apellidos}", "telefono": b.telefono, "comunidad": b.comunidad}


def _beneficiaria(sesion, yo, beneficiaria_id, campo=None):
    b = sesion.get(Beneficiaria, str(beneficiaria_id))
    # Otro municipio: igual que inexistente, para no revelar que existe.
    if b is None or b.municipio != yo.municipio:
        if campo:
            raise error_de_campo(campo, "No existe esa beneficiaria en el municipio.")
        raise NoEncontrado("No se encontró la beneficiaria.")
    return b
