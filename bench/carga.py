"""Generador de carga: N clientes concurrentes durante T segundos; imprime peticiones/s, p50 y p99."""
import asyncio
import json
import statistics
import time

import httpx


async def medir(url, metodo="GET", cuerpo=None, cabeceras=None, concurrencia=10, segundos=10, fabricar=None):
    latencias, errores = [], 0
    fin = time.perf_counter() + segundos
    limites = httpx.Limits(max_connections=concurrencia, max_keepalive_connections=concurrencia)
    async with httpx.AsyncClient(limits=limites, timeout=30) as cliente:
        async def trabajador(i):
            nonlocal errores
            n = 0
            while time.perf_counter() < fin:
                datos = fabricar(i, n) if fabricar else cuerpo
                t0 = time.perf_counter()
                try:
                    r = await cliente.request(metodo, url, content=json.dumps(datos) if datos is not None else None,
                                              headers=cabeceras)
                    if r.status_code >= 400:
                        errores += 1
                except httpx.HTTPError:
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
