"""Reportes vuelve a comprobar rol y ámbito por sí mismo (defensa en profundidad): llamado por RPC directo,
sin el gateway de por medio, con tokens firmados como los que el gateway propaga."""
import pytest
from nameko.exceptions import RemoteError

from omm_common.errores import desde_error_remoto
from omm_pruebas import cliente_rpc, token, token_de_servicio_prueba

pytestmark = pytest.mark.integracion


def _codigo(amqp, token_, metodo, *args):
    with cliente_rpc(amqp, token_) as rpc:
        with pytest.raises(RemoteError) as e:
            getattr(rpc.reportes, metodo)(*args)
    return desde_error_remoto(e.value).codigo


def test_reportes_exige_rol_y_no_sale_del_ambito_de_quien_pide(sistema):
    amqp = sistema.amqp
    assert _codigo(amqp, None, "informe") == "NO_AUTENTICADO"
    assert _codigo(amqp, token("tecnica", "0309"), "informe") == "PROHIBIDO"
    assert _codigo(amqp, token("coordinadora", "0309"), "region") == "PROHIBIDO"
    assert _codigo(amqp, token("coordinadora", "0309"), "informe", None, None, "json", "0302") == "NO_ENCONTRADO"
    mamcopaz = token("mancomunidad", mancomunidad="MAMCOPAZ")
    assert _codigo(amqp, mamcopaz, "informe", None, None, "json", "0318") == "NO_ENCONTRADO"
    assert _codigo(amqp, mamcopaz, "obtener_poa", "2026", "0318") == "NO_ENCONTRADO"
    assert _codigo(amqp, token("coordinadora", "0309"), "fijar_poa", "2031", {"actividades": "x"}) == "VALIDACION"
    with cliente_rpc(amqp, mamcopaz) as rpc:
        assert rpc.reportes.region()["municipios"] == ["0302", "0306", "0309"]
        assert rpc.reportes.informe(None, None, "json", "0306")["ambito"]["municipios"] == ["0306"]


def test_el_gateway_solo_dice_el_territorio_a_otro_servicio(sistema):
    with cliente_rpc(sistema.amqp, token("mancomunidad", mancomunidad="MAMCOPAZ")) as rpc:
        with pytest.raises(RemoteError) as e:
            rpc.gateway.ambito("MAMCOPAZ")
    assert desde_error_remoto(e.value).codigo == "PROHIBIDO"
    with cliente_rpc(sistema.amqp, token_de_servicio_prueba("reportes")) as rpc:
        mamcopaz = rpc.gateway.ambito("MAMCOPAZ")
        assert [m["codigo"] for m in mamcopaz["municipios"]] == ["0302", "0306", "0309"]
        assert mamcopaz["mancomunidad"]["codigo"] == "MAMCOPAZ"
        assert rpc.gateway.ambito(None, "0309")["municipios"] == [{"codigo": "0309", "nombre": "Lejamaní"}]
        assert rpc.gateway.ambito("NO-EXISTE") == {"mancomunidad": None, "municipios": []}
