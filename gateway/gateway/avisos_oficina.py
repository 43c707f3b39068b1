"""Lo que la administración cambia en las cuentas de una oficina se le cuenta a su coordinación.

La administración no ve casos, pero podría crear una cuenta o restablecer una contraseña y entrar con ella:
que no pase en silencio. El aviso se anota en la misma transacción que el cambio (AvisoOficina) y el temporizador del
gateway lo entrega a notificaciones (bandeja y correo de la coordinación) en segundos, y lo reintenta hasta que
lo recibe. notificaciones no repite un aviso ya recibido (su id).
"""
import logging

import sqlalchemy as sa

from omm_common.contexto import token_de_servicio
from omm_common.tiempo import ahora_utc

from .models import AvisoOficina

log = logging.getLogger("omm.gateway")
LOTE = 50


def anotar_creada(sesion, yo, u):
    if yo.rol == "admin" and u.municipio:
        sesion.add(AvisoOficina(municipio=u.municipio, accion="usuaria_creada", rol=u.rol, usuario=u.usuario))


def anotar_cambio(sesion, yo, u, municipio_antes, campos):
    """El municipio que la pierde y el que la tiene ahora (uno solo si no se movió)."""
    if yo.rol != "admin" or not campos:
        return
    if municipio_antes and municipio_antes != u.municipio:
        sesion.add(AvisoOficina(municipio=municipio_antes, accion="usuaria_salio", rol=u.rol, usuario=u.usuario))
    if u.municipio:
        sesion.add(AvisoOficina(municipio=u.municipio, accion="usuaria_cambiada", rol=u.rol, usuario=u.usuario,
                                campos=sorted(campos)))


def anotar_restablecimiento(sesion, yo, u):
    if yo.rol == "admin" and u.municipio:
        sesion.add(AvisoOficina(municipio=u.municipio, accion="contrasena_restablecida", rol=u.rol,
                                usuario=u.usuario))


def entregar(servicio):
    """Entrega lo pendiente a notificaciones con la identidad del gateway. Nunca falla hacia quien llama:
    lo que no salió queda para el próximo intento."""
    servicio.propagar_identidad(token_de_servicio("gateway"))
    with servicio.uow() as uow:
        pendientes = uow.sesion.scalars(sa.select(AvisoOficina).where(AvisoOficina.entregado_en.is_(None))
                                        .order_by(AvisoOficina.creado_en).limit(LOTE)).all()
        avisos = [{"id": a.id, "municipio": a.municipio, "accion": a.accion, "rol": a.rol, "usuario": a.usuario,
                   "campos": list(a.campos or [])} for a in pendientes]
    entregados = []
    for aviso in avisos:
        try:
            servicio.llamar("notificaciones", "avisar_oficina", aviso)
            entregados.append(aviso["id"])
        except Exception as exc:
            log.warning("aviso a la oficina %s no entregado (%s); se reintentará", aviso["id"], type(exc).__name__)
    if entregados:
        with servicio.uow() as uow:
            uow.sesion.execute(sa.update(AvisoOficina).where(AvisoOficina.id.in_(entregados))
                               .values(entregado_en=ahora_utc()))
    return len(entregados)
