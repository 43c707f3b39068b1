# Crea .venv e instala todos los paquetes del proyecto con las versiones fijadas (idempotente).
# Uso: . scripts/entorno.sh
RAIZ="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$RAIZ/.venv"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
huella="$(cat "$RAIZ/constraints.txt" "$RAIZ/requirements-dev.txt" "$RAIZ"/common/pyproject.toml "$RAIZ"/services/*/pyproject.toml "$RAIZ"/gateway/pyproject.toml "$RAIZ"/demo/pyproject.toml "$RAIZ"/pruebas/pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$VENV/.instalado-$huella" ]; then
  echo "==> instalando dependencias en $VENV"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  # pip y setuptools fijados: nameko run importa pkg_resources, que setuptools 82 quitó.
  "$VENV/bin/python" -m pip install -q -c "$RAIZ/constraints.txt" pip setuptools >/dev/null
  paquetes=(-e "$RAIZ/common")
  for s in "$RAIZ"/services/*/; do paquetes+=(-e "$s"); done
  # omm_pruebas (el plugin de pytest) solo se instala aquí, para las pruebas; la imagen no lo lleva.
  paquetes+=(-e "$RAIZ/gateway" -e "$RAIZ/demo" -e "$RAIZ/pruebas")
  "$VENV/bin/python" -m pip install -q --config-settings editable_mode=compat -c "$RAIZ/constraints.txt" \
    --build-constraint "$RAIZ/constraints.txt" "${paquetes[@]}" -r "$RAIZ/requirements-dev.txt"
  rm -f "$VENV"/.instalado-*
  touch "$VENV/.instalado-$huella"
fi
export PATH="$VENV/bin:$PATH"
