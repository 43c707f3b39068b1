"""A dónde puede ir un webhook: por https a una dirección pública de internet, y a ninguna otra parte.

Quien guarda el contacto (una coordinadora, la administración) elige la URL, y el worker de Celery le hace
POST con el mensaje de una derivación: sin estas reglas, la URL podría apuntar a la red interna (RabbitMQ,
la API de metadatos de la nube, un panel sin contraseña) y el worker haría la solicitud por ella (SSRF).

- Al guardar: solo https, sin usuario:clave en la URL, y ni una IP interna escrita a mano (también en sus
  formas cortas, 127.1 o 2130706433), ni localhost, ni un nombre sin dominio (el de un contenedor vecino).
- Al enviar: se resuelve el nombre y se rechaza si alguna de sus direcciones no es pública (privada, de
  loopback, link-local, multicast, reservada, compartida; también una IPv4 dentro de IPv6). Se conecta a
  esa misma IP ya revisada (el nombre no se vuelve a resolver: un DNS que cambia de respuesta entre la
  revisión y la conexión no gana) y no se sigue ninguna redirección.

`NOTIFICACIONES_WEBHOOK_INTERNOS` ("host:puerto,host:puerto") nombra los únicos destinos que la operación
autoriza aunque sean internos o http: el servidor HTTP de las pruebas, un sistema del CIS en la red municipal.
Vacía por omisión. Se compara con el host tal como está escrito en la URL, nunca con lo que resuelve.
"""
import ipaddress
import os
import socket
import ssl
from urllib.parse import urlsplit

import certifi

VARIABLE_INTERNOS = "NOTIFICACIONES_WEBHOOK_INTERNOS"
MAX_RESPUESTA = 64 * 1024  # de la respuesta solo interesa el estado: no se lee más que esto
# Prefijos que llevan una IPv4 adentro; se revisa la de adentro (NAT64 llega a la IPv4 que nombra).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class DestinoProhibido(ValueError):
    """La URL no es un destino permitido; el texto lo lee una persona."""


def internos(entorno=None):
    entorno = os.environ if entorno is None else entorno
    return frozenset(p.strip().lower() for p in (entorno.get(VARIABLE_INTERNOS) or "").split(",") if p.strip())


def _puerto(partes):
    return partes.port or (443 if partes.scheme == "https" else 80)


def _clave(host, puerto):
    return f"[{host}]:{puerto}" if ":" in host else f"{host}:{puerto}"


def ip_prohibida(ip):
    """¿La dirección no es pública? Una IPv4 metida en una IPv6 se juzga por la IPv4 que lleva."""
    ip = ipaddress.ip_address(ip.split("%", 1)[0] if isinstance(ip, str) else ip)
    if ip.version == 6:
        # ::ffff:a.b.c.d y NAT64 llegan exactamente a esa IPv4: se decide por ella.
        if ip.ipv4_mapped:
            return ip_prohibida(ip.ipv4_mapped)
        if ip in _NAT64:
            return ip_prohibida(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        # 6to4 y Teredo la llevan adentro: prohibida si la de adentro lo es (y además por su propio prefijo).
        embebida = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embebida is not None and ip_prohibida(embebida):
            return True
    return (not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified or (ip.version == 6 and ip.is_site_local))


def _ip_escrita(host):
    """La IP si `host` ya es una (también 127.1, 0x7f000001 o 2130706433, que el sistema acepta como IPv4)."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def revisar(url, entorno=None):
    """Lo que se puede saber sin resolver el nombre. Devuelve la URL separada; si no sirve, DestinoProhibido."""
    try:
        partes = urlsplit(str(url or "").strip())
        _puerto(partes)  # un puerto fuera de rango lanza ValueError
    except ValueError:
        raise DestinoProhibido("La URL no es válida.") from None
    host = (partes.hostname or "").rstrip(".")
    if partes.scheme not in ("http", "https") or not host:
        raise DestinoProhibido("La URL debe empezar con https:// y nombrar un servidor.")
    if not host.isascii() or any(c in host for c in " \\%"):
        raise DestinoProhibido("El nombre del servidor en la URL solo puede llevar letras sin tilde, números, "
                               "puntos y guiones (un dominio con tildes, en su forma xn--).")
    if partes.username is not None or partes.password is not None:
        raise DestinoProhibido("La URL no puede llevar usuario ni contraseña; el webhook se firma con el secreto "
                               "compartido.")
    if _clave(host, _puerto(partes)) in internos(entorno):
        return partes
    if partes.scheme != "https":
        raise DestinoProhibido("La URL debe empezar con https:// (el mensaje no viaja sin cifrar).")
    ip = _ip_escrita(host)
    if ip is not None:
        if ip_prohibida(ip):
            raise DestinoProhibido("La URL apunta a una dirección interna o reservada; use la dirección pública "
                                   "del sistema que recibe los avisos.")
    elif host == "localhost" or host.endswith(".localhost") or "." not in host:
        raise DestinoProhibido("La URL debe nombrar un servidor público con su dominio (por ejemplo "
                               "https://avisos.cis.hn/omm).")
    return partes


def resolver(partes, entorno=None, getaddrinfo=socket.getaddrinfo):
    """La IP a la que se conectará: todas las del nombre deben ser públicas (o el destino, autorizado)."""
    host = partes.hostname.rstrip(".")
    puerto = _puerto(partes)
    try:
        direcciones = getaddrinfo(host, puerto, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionError(f"no se pudo resolver el nombre del servidor ({type(exc).__name__})") from None
    ips = [d[4][0] for d in direcciones if d[0] in (socket.AF_INET, socket.AF_INET6)]
    if not ips:
        raise ConnectionError("el nombre del servidor no tiene direcciones")
    if _clave(host, puerto) not in internos(entorno) and any(ip_prohibida(ip) for ip in ips):
        raise DestinoProhibido("La URL del webhook lleva a una dirección interna o reservada; no se envía. "
                               "Registre la dirección pública del sistema que recibe los avisos.")
    return ips[0]


def contexto_tls():
    return ssl.create_default_context(cafile=certifi.where())


def publicar(url, cuerpo, cabeceras, tiempo, entorno=None, contexto=None, getaddrinfo=socket.getaddrinfo):
    """POST a la IP revisada, sin redirecciones ni reintentos de urllib3. Devuelve el estado HTTP.

    Errores: DestinoProhibido (no se envía), ConnectionError (DNS) y las de urllib3 (conexión, tiempo, TLS).
    """
    partes = revisar(url, entorno)
    ip = resolver(partes, entorno, getaddrinfo)
    return enviar_a(ip, partes, cuerpo, cabeceras, tiempo, contexto)


def enviar_a(ip, partes, cuerpo, cabeceras, tiempo, contexto=None):
    import urllib3  # al primer webhook (canales.Webhook): el worker que solo manda correos no lo carga
    host = partes.hostname.rstrip(".")
    puerto = _puerto(partes)
    comunes = dict(port=puerto, timeout=urllib3.Timeout(connect=tiempo, read=tiempo), retries=False, maxsize=1)
    if partes.scheme == "https":
        # Se conecta a la IP, pero el TLS se negocia (SNI) y se verifica contra el nombre de la URL.
        conexiones = urllib3.HTTPSConnectionPool(ip, ssl_context=contexto or contexto_tls(), server_hostname=host,
                                                 assert_hostname=host, **comunes)
    else:
        conexiones = urllib3.HTTPConnectionPool(ip, **comunes)
    por_omision = puerto == (443 if partes.scheme == "https" else 80)
    nombre = f"[{host}]" if ":" in host else host
    ruta = (partes.path or "/") + (f"?{partes.query}" if partes.query else "")
    try:
        respuesta = conexiones.urlopen("POST", ruta, body=cuerpo, redirect=False, retries=False,
                                       preload_content=False, assert_same_host=False,
                                       headers={**cabeceras, "Host": nombre if por_omision else f"{nombre}:{puerto}"})
        try:
            respuesta.read(MAX_RESPUESTA)
        finally:
            respuesta.close()
        return respuesta.status
    finally:
        conexiones.close()
