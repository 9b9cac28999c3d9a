#!/usr/bin/env bash
# Re-creates packages/composer/fixtures/hf with real transformers: the tiny parts once (5.x), then each line
# composes, saves and records its goldens (oracle/make_goldens.py). Deterministic: torch's seeds are fixed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/packages/composer/fixtures/hf"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$root/oracle/run" v5 "$root/oracle/make_goldens.py" "$tmp" parts
for line in v5 v4; do "$root/oracle/run" "$line" "$root/oracle/make_goldens.py" "$tmp" compose; done
rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -r "$tmp" "$out"
echo "wrote $out"
