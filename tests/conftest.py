import pytest

from omm_common.pruebas import _fabrica_bases, puerto_libre

from .sistema import Sistema


class Buzon:
    """Servidor SMTP real (aiosmtpd) que guarda lo que recibe."""

    def __init__(self):
        self.mensajes = []

    async def handle_DATA(self, server, session, envelope):
        self.mensajes.append(envelope)
        return "250 OK"

    def para(self, direccion):
        return [m for m in self.mensajes if direccion in m.rcpt_tos]


@pytest.fixture(scope="session")
def smtp():
    from aiosmtpd.controller import Controller
    buzon = Buzon()
    controlador = Controller(buzon, hostname="127.0.0.1", port=puerto_libre())
    controlador.start()
    buzon.puerto = controlador.port
    yield buzon
    controlador.stop()


@pytest.fixture(scope="session")
def sistema(amqp_uri, tmp_path_factory, smtp):
    """Todo el sistema en marcha una vez para las pruebas entre servicios (no para las de fallas)."""
    with _fabrica_bases() as base_pg:
        s = Sistema(amqp_uri, base_pg, tmp_path_factory.mktemp("sistema"), SMTP_HOST="127.0.0.1",
                    SMTP_PORT=smtp.puerto, SMTP_REMITENTE="omm@prueba.hn").preparar()
        try:
            yield s.arrancar()
        finally:
            s.detener()
