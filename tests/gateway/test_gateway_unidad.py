"""Lo del gateway que se prueba sin infraestructura."""
import time_machine

from gateway import http
from omm_common import contexto


def test_el_token_de_rpc_se_firma_una_vez_por_token_de_la_api_y_se_renueva_antes_de_vencer():
    yo = contexto.Identidad(usuario_id="u-rpc", usuario="tecnica.0309", rol="tecnica", municipio="0309")
    with time_machine.travel(0, tick=False) as viaje:
        primero = http.token_rpc("token-api-1", yo)
        assert http.token_rpc("token-api-1", yo) == primero
        assert http.token_rpc("token-api-2", yo) != primero  # otro token de la API, otro de RPC
        viaje.shift(60 * (contexto.MINUTOS_RPC - 1) - 5)
        assert http.token_rpc("token-api-1", yo) == primero
        viaje.shift(10)  # le queda menos de un minuto: uno nuevo, que sigue valiendo al usarse
        nuevo = http.token_rpc("token-api-1", yo)
        assert nuevo != primero
        assert contexto.verificar_token(nuevo)[0].usuario_id == "u-rpc"


def test_ninguna_entrada_del_gateway_tapa_a_otra():
    """El gateway junta rutas de la API y páginas web en una clase: dos métodos con el mismo nombre en dos
    mezclas dejan solo uno (así desapareció POST /salir cuando la API ganó su «salir»)."""
    import collections

    from gateway.service import Gateway
    nombres = collections.Counter(
        nombre for clase in Gateway.__mro__ for nombre, valor in vars(clase).items()
        if hasattr(valor, "nameko_entrypoints"))
    assert [n for n, veces in nombres.items() if veces > 1] == []
