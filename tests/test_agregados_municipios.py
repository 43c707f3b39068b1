"""La RPC `agregados` de casos, ayudas y capacitaciones: una sola regla para la lista de municipios.

[] es una consulta válida que no da cifras (la misma respuesta que un municipio sin registros); sin
lista (None o ausente) es un error de validación que nombra el campo, nunca «todos los municipios».
Antes cada servicio hacía otra cosa: casos rechazaba [], ayudas tomaba None por [] y capacitaciones
tomaba None por todos.
"""
from datetime import timedelta

import pytest
from nameko.exceptions import RemoteError

from omm_common.errores import desde_error_remoto
from omm_common.migraciones import migrar
from omm_pruebas import cliente_rpc, token, token_de_servicio_prueba
from omm_common.tiempo import hoy_honduras

pytestmark = pytest.mark.integracion

HACE = hoy_honduras() - timedelta(days=60)  # un mes cerrado (del resumen) o el borde vivo, según el periodo
PERIODOS = [(None, None), ((HACE - timedelta(days=365)).isoformat(), hoy_honduras().isoformat()),
            (HACE.isoformat(), HACE.isoformat())]
SIN_LISTA = {"error": "VALIDACION", "mensaje": "Hay datos inválidos en la solicitud.", "detalles": {
    "municipios": ["Indique los municipios de la consulta: una lista, vacía si no hay ninguno."]}}


def _caso(rpc):
    rpc.crear_caso({
        "fecha_atencion": HACE.isoformat(),
        "sobreviviente": {"nombres": "Ana", "apellidos": "Prueba", "comunidad": "Centro"},
        "tipos_violencia": ["fisica"], "contexto": "pareja", "relato": "relato de prueba", "nivel_riesgo": "medio",
        "consentimiento": {"servicios": True, "derivacion": False, "estadisticas": True}})


def _entrega(rpc):
    rpc.crear_tipo({"codigo": "med", "nombre": "Medicamentos", "categoria": "economica_medicamentos", "unidad": "L",
                    "frecuencia_dias": 30, "monto_maximo": 1500})
    b = rpc.crear_beneficiaria({"nombres": "Ana", "apellidos": "Prueba", "dni": "0309-1980-00011",
                                "fecha_nacimiento": "1980-01-01", "comunidad": "Centro", "consentimiento_salud": False})
    rpc.registrar_entrega({"beneficiaria_id": b["id"], "tipo_codigo": "med", "cantidad": 1, "monto": 300,
                           "fecha": HACE.isoformat()})


def _actividad(rpc):
    c = rpc.crear_capacitacion({"titulo": "Taller", "tipo": "taller", "lugar": "Salón municipal",
                                "sesiones": [{"fecha": HACE.isoformat()}]})
    rpc.inscribir(c["id"], {"participante": {"nombres": "Ana", "apellidos": "Prueba", "comunidad": "Centro"},
                            "consentimiento_salud": False})


SERVICIOS = {"casos": ("Casos", _caso), "ayudas": ("Ayudas", _entrega),
             "capacitaciones": ("Capacitaciones", _actividad)}


@pytest.fixture(params=sorted(SERVICIOS))
def servicio(request, base_pg, servicio_real, amqp_uri):
    """El servicio real con un registro del municipio 0309."""
    nombre = request.param
    clase, registrar = SERVICIOS[nombre]
    url = base_pg(nombre)
    migrar(nombre, url)
    servicio_real(nombre, clase, **{f"{nombre.upper()}_DB_URL": url})
    with cliente_rpc(amqp_uri, token("tecnica", "0309")) as rpc:
        registrar(getattr(rpc, nombre))
    return nombre


def test_lista_vacia_no_da_cifras_y_sin_lista_es_un_error_igual_en_cada_servicio(servicio, amqp_uri):
    with cliente_rpc(amqp_uri, token_de_servicio_prueba("gateway")) as rpc:
        agregados = getattr(rpc, servicio).agregados
        for desde, hasta in PERIODOS:
            con_registro = agregados(desde, hasta, ["0309"])
            vacia = agregados(desde, hasta, [])
            assert "0309" in str(con_registro), (desde, hasta)
            # La forma de siempre, sin cifras: lo mismo que un municipio sin registros.
            assert vacia == agregados(desde, hasta, ["0101"]), (desde, hasta)
            assert "0309" not in str(vacia)
        for llamada in (lambda: agregados(None, None, None), lambda: agregados(None, None), lambda: agregados()):
            with pytest.raises(RemoteError) as e:
                llamada()
            assert desde_error_remoto(e.value).a_dict() == SIN_LISTA
        # La misma validación de la lista para los tres: una lista de códigos de 4 caracteres.
        for malo in ("0309", ["309"]):
            with pytest.raises(RemoteError) as e:
                agregados(None, None, malo)
            error = desde_error_remoto(e.value)
            assert error.codigo == "VALIDACION" and list(error.detalles) == ["municipios"], malo
