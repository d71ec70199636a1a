#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 (pyenv's version from .python-version if present)
# and install the project with its test extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(cat .python-version 2>/dev/null || echo 3.12)
py=""
for c in "${PYENV_ROOT:-$HOME/.pyenv}/versions/$want/bin/python3" "$(command -v "python$want" || true)" \
         "$(command -v python3.12 || true)" "$(command -v python3.13 || true)" "$(command -v python3 || true)"; do
  if [ -n "$c" ] && [ -x "$c" ] && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    py=$c; break
  fi
done
if [ -z "$py" ]; then
  echo "setup: no Python >= 3.12 found (try: pyenv install $want)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,ray,app,ema]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import sim, mesa, hydra, solara, SALib, prim, sklearn" || { echo "setup: installation failed" >&2; exit 1; }
# Solara's JavaScript from the npm registry, so the browser app works with no internet
if command -v npm >/dev/null; then
  bash scripts/install_web_assets.sh >/dev/null
else
  echo "setup: npm not found; the browser app needs scripts/install_web_assets.sh (apt-get install -y npm)" >&2
fi
# compile the model's kernels once (cached on disk), so no later process pays it
.venv/bin/python -m sim.compile
touch .venv/.installed
