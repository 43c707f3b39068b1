"""Generador de carga: N clientes concurrentes durante T segundos; imprime peticiones/s, p50 y p99.

Con aiohttp y no httpx: en esta máquina httpx gastaba un núcleo entero con 50 conexiones y medía al
cliente, no al servidor (81 rps a c=100 contra la base nameko, con el cliente al 97 % de CPU).
"""
import asyncio
import json
import statistics
import time

import aiohttp


async def medir(url, metodo="GET", cuerpo=None, cabeceras=None, concurrencia=10, segundos=10, fabricar=None,
                cabeceras_de=None):
    """`fabricar(i, n)`: el cuerpo de la petición n del cliente i; `cabeceras_de(i)`: las del cliente i."""
    latencias, errores = [], 0
    fin = time.perf_counter() + segundos
    conector = aiohttp.TCPConnector(limit=concurrencia, force_close=False)
    async with aiohttp.ClientSession(connector=conector, timeout=aiohttp.ClientTimeout(total=30)) as sesion:
        async def trabajador(i):
            nonlocal errores
            n = 0
            while time.perf_counter() < fin:
                datos = fabricar(i, n) if fabricar else cuerpo
                t0 = time.perf_counter()
                try:
                    async with sesion.request(metodo, url, data=json.dumps(datos) if datos is not None else None,
                                              headers=cabeceras_de(i) if cabeceras_de else cabeceras) as r:
                        await r.read()
                        if r.status >= 400:
                            errores += 1
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    errores += 1
                latencias.append(time.perf_counter() - t0)
                n += 1
        inicio = time.perf_counter()
        await asyncio.gather(*(trabajador(i) for i in range(concurrencia)))
        duracion = time.perf_counter() - inicio
    latencias.sort()
    return {
        "rps": len(latencias) / duracion,
        "p50_ms": 1000 * statistics.median(latencias) if latencias else None,
        "p99_ms": 1000 * latencias[int(len(latencias) * 0.99) - 1] if latencias else None,
        "errores": errores,
        "n": len(latencias),
    }


def correr(*args, **kwargs):
    return asyncio.run(medir(*args, **kwargs))
