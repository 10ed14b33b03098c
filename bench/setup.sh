#!/usr/bin/env bash
# Create the benchmark's own environment, /work/main/.bench-venv (git-ignored), with proselint.
# proselint is never a dependency of rapport: it lives only in this venv.
#
#   bash bench/setup.sh                      # pinned proselint (see PROSELINT_SPEC)
#   PROSELINT_SPEC=proselint bash bench/setup.sh   # whatever PyPI serves
#   BENCH_VENV=/tmp/bv PYTHON=python3.12 bash bench/setup.sh
#
# Safe to re-run: an existing venv is reused and the install is a no-op when satisfied.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BENCH_VENV:-$ROOT/.bench-venv}"
SPEC="${PROSELINT_SPEC:-proselint==0.16.0}"

# Same interpreter as the main venv when there is one, so both sides run the same Python.
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x "$ROOT/.venv/bin/python" ]]; then
        PYTHON="$("$ROOT/.venv/bin/python" -c 'import sys; print(sys._base_executable)')"
    else
        PYTHON="$(command -v python3.11 || command -v python3)"
    fi
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$SPEC"

echo "bench venv: $VENV ($("$VENV/bin/python" --version))"
"$VENV/bin/python" - <<'PY'
import importlib.metadata as md
print("proselint", md.version("proselint"))
PY
"$VENV/bin/proselint" --help >/dev/null

if [[ ! -x "$ROOT/.venv/bin/rapport" ]]; then
    echo "note: $ROOT/.venv/bin/rapport not found; the CLI part needs: $ROOT/.venv/bin/pip install -e $ROOT"
fi
if ! /usr/bin/time -v true >/dev/null 2>&1; then
    echo "note: GNU time missing (apt-get install time); CLI peak RSS will be an upper bound"
fi
