"""Línea base para comparar el gateway: un @http que hace una RPC a un servicio que devuelve una constante."""
from nameko.rpc import RpcProxy, rpc
from nameko.web.handlers import http


class Constante:
    name = "constante_bench"

    @rpc
    def valor(self):
        return {"ok": True}


class BaseHttp:
    name = "base_http_bench"
    constante = RpcProxy("constante_bench")

    @http("GET", "/base")
    def base(self, request):
        import json
        return 200, json.dumps(self.constante.valor())

    @http("POST", "/base")
    def base_post(self, request):
        import json
        request.get_data()
        return 201, json.dumps(self.constante.valor())
