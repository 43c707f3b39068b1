from nameko.rpc import RpcProxy

from ..http import TIEMPO_RPC, ruta  # noqa: F401


class RutasNotificaciones:
    notificaciones = RpcProxy("notificaciones", expiration=TIEMPO_RPC)
