from nameko.rpc import RpcProxy

from ..http import TIEMPO_RPC, ruta  # noqa: F401


class RutasCapacitaciones:
    capacitaciones = RpcProxy("capacitaciones", expiration=TIEMPO_RPC)
