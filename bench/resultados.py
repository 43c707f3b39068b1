"""Las cifras de cada benchmark, en JSON bajo var/bench/, comparadas con la corrida anterior.

    guardar("gateway_rps", {"GET entregas c=10": {"rps": 61.2, "p50_ms": 150, "razon": 0.28}, ...})

Imprime, por cifra, el valor de antes, el de ahora y el cambio; así un cambio se compara con la última
corrida sin copiar tablas a mano. Lo anterior queda en <nombre>.anterior.json.
"""
import json
import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
CARPETA = Path(os.environ.get("OMM_BENCH_DIR", RAIZ / "var" / "bench"))


def _commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=RAIZ, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def guardar(nombre, cifras, **contexto):
    CARPETA.mkdir(parents=True, exist_ok=True)
    ruta = CARPETA / f"{nombre}.json"
    anterior = json.loads(ruta.read_text()) if ruta.exists() else None
    datos = {"benchmark": nombre, "instante": datetime.now(timezone.utc).isoformat(), "commit": _commit(),
             "maquina": {"nucleos": os.cpu_count(), "python": platform.python_version(),
                         "carga_1min": os.getloadavg()[0]},
             **contexto, "cifras": cifras}
    if anterior is not None:
        (CARPETA / f"{nombre}.anterior.json").write_text(json.dumps(anterior, indent=1, ensure_ascii=False))
    ruta.write_text(json.dumps(datos, indent=1, ensure_ascii=False))
    print(f"\nCifras en {ruta}")
    if anterior is not None:
        comparar(anterior, datos)
    return datos


def comparar(antes, ahora):
    print(f"Frente a la corrida anterior ({antes.get('commit')}, {antes.get('instante', '')[:16]}, carga "
          f"{antes.get('maquina', {}).get('carga_1min', 0):.1f}; ahora carga {ahora['maquina']['carga_1min']:.1f}):")
    for fila, valores in ahora["cifras"].items():
        previos = antes.get("cifras", {}).get(fila)
        if not previos:
            continue
        partes = []
        for clave, valor in valores.items():
            viejo = previos.get(clave)
            if isinstance(valor, (int, float)) and isinstance(viejo, (int, float)) and viejo:
                partes.append(f"{clave} {viejo:.4g} -> {valor:.4g} ({valor / viejo - 1:+.0%})")
        if partes:
            print(f"  {fila}: " + "; ".join(partes))
