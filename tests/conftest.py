import pytest

from omm_pruebas import _fabrica_bases, vhost_propio

from .sistema import Sistema


@pytest.fixture(scope="session")
def sistema(tmp_path_factory, smtp, servidor_http):
    """Todo el sistema en marcha una vez para las pruebas entre servicios (no para las de fallas).

    Con su propio vhost: servicios de otros módulos, con otras bases, no deben atender sus RPC.
    """
    with _fabrica_bases() as base_pg, vhost_propio() as amqp:
        s = Sistema(amqp, base_pg, tmp_path_factory.mktemp("sistema"), SMTP_HOST="127.0.0.1",
                    SMTP_PORT=smtp.puerto, SMTP_REMITENTE="omm@prueba.hn",
                    SMS_URL=f"{servidor_http.url}/sms", SMS_CLAVE="clave-sms-pruebas",
                    NOTIFICACIONES_WEBHOOK_SECRETO="secreto-webhook-de-pruebas-0123456789",
                    NOTIFICACIONES_ESPERA_BASE="0.3").preparar()
        try:
            yield s.arrancar()
        finally:
            s.detener()
