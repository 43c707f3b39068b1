from nameko.rpc import RpcProxy

from ..http import TIEMPO_RPC, ruta  # noqa: F401


class RutasCasos:
    casos = RpcProxy("casos", expiration=TIEMPO_RPC)
