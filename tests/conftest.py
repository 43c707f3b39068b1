import pytest

from omm_pruebas import _fabrica_bases, broker_propio

from .sistema import Sistema


@pytest.fixture(scope="session")
def sistema(tmp_path_factory, smtp, servidor_http):
    """Todo el sistema en marcha una vez para las pruebas entre servicios (no para las de fallas).

    Con su propio vhost (servicios de otros módulos, con otras bases, no deben atender sus RPC) y un usuario
    del broker por tipo de proceso, con los permisos de producción (omm_common/broker.py).
    """
    with _fabrica_bases() as base_pg, broker_propio() as (amqp, uris):
        s = Sistema(amqp, base_pg, tmp_path_factory.mktemp("sistema"), uris=uris, SMTP_HOST="127.0.0.1",
                    SMTP_PORT=smtp.puerto, SMTP_REMITENTE="omm@prueba.hn",
                    SMS_URL=f"{servidor_http.url}/sms", SMS_CLAVE="clave-sms-pruebas",
                    NOTIFICACIONES_WEBHOOK_SECRETO="secreto-webhook-de-pruebas-0123456789",
                    NOTIFICACIONES_ESPERA_BASE="0.3").preparar()
        try:
            yield s.arrancar()
        finally:
            s.detener()


@pytest.fixture
def navegador(sistema, request):
    """Un Chromium nuevo por prueba (sin cookies de otra), contra el sistema compartido."""
    from .navegador import Navegador
    n = Navegador(sistema.api.base, request.node.name)
    yield n
    n.cerrar()


def pytest_terminal_summary(terminalreporter):
    from .navegador import CARPETA_CAPTURAS
    if CARPETA_CAPTURAS.exists() and any(CARPETA_CAPTURAS.iterdir()):
        terminalreporter.write_line(f"Capturas de pantalla de la aplicación web (1280 y 360 px): {CARPETA_CAPTURAS}")
