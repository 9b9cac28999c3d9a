#!/usr/bin/env bash
# Builds .device-gpu/: everything benchmarks/gpu/check.ts needs on a GPU machine that has no node and no network
# (node itself, an esbuild bundle of the check, Dawn's binary, the Vulkan loader, the parity fixtures, the
# PyTorch CUDA baseline) plus run.sh, which runs both and writes JSON to $OUT. Run from anywhere on x86-64 Linux:
#   bash benchmarks/gpu/pack.sh && bash .device-gpu/run.sh     (here: fails at "no Vulkan loader"/"no GPU adapter")
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
dest="$root/.device-gpu"
parity="${WARMSTART_SHARED:-$root/../shared}/fixtures/parity"
cd "$root"
grep -qx '/.device-gpu/' .git/info/exclude 2>/dev/null || echo '/.device-gpu/' >>.git/info/exclude
# node.xz takes minutes to compress: kept while it holds this machine's node.
node_version=$(node --version)
[ "$(cat "$dest/node.version" 2>/dev/null)" = "$node_version" ] || rm -rf "$dest"
find "$dest" -mindepth 1 -maxdepth 1 ! -name node.xz ! -name node.version -exec rm -rf {} + 2>/dev/null || true
mkdir -p "$dest/webgpu" "$dest/parity" "$dest/py" "$dest/debs"

# The check, with tfjs, tfjs-backend-webgpu and the project's packages inlined from their sources (no build, so
# never a stale dist); `webgpu` stays outside because it loads dist/<platform>/dawn.node from beside its index.js.
# The banner gives tfjs's CommonJS parts `require`.
# Every entry of each package's `exports` (the root and subpaths such as @warmstart/composer/generation or
# @warmstart/core/fs) is aliased to the source file its `types` path was built from.
mapfile -t aliases < <(node -e '
  const { existsSync, readdirSync, readFileSync } = require("node:fs");
  for (const dir of readdirSync("packages")) {
    const file = `packages/${dir}/package.json`;
    if (!existsSync(file)) continue;
    const { name, exports = {} } = JSON.parse(readFileSync(file, "utf8"));
    for (const [subpath, target] of Object.entries(exports)) {
      const types = typeof target === "object" && target !== null ? target.types : undefined;
      if (typeof types !== "string") continue;
      const source = `./packages/${dir}/${types.replace(/^\.\/dist\//, "src/").replace(/\.d\.ts$/, ".ts")}`;
      if (existsSync(source)) console.log(`--alias:${name}${subpath.slice(1)}=${source}`);
    }
  }
')
esbuild=$(ls -d node_modules/.pnpm/esbuild@*/node_modules/esbuild/bin/esbuild | sort -V | tail -1)
"$esbuild" benchmarks/gpu/check.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning "${aliases[@]}" \
  --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --banner:js="import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" \
  --outfile="$dest/check.mjs"
xz -T2 -6 "$dest/check.mjs"

webgpu=$(cd packages/tensors && node -e 'console.log(require("node:path").dirname(require.resolve("webgpu/package.json")))')
cp "$webgpu/index.js" "$webgpu/package.json" "$dest/webgpu/"
xz -T2 -6 -c "$webgpu/dist/linux-x64/dawn.node" >"$dest/webgpu/dawn.node.xz"
[ -s "$dest/node.xz" ] || { xz -T2 -6 -c "$(command -v node)" >"$dest/node.xz" && echo "$node_version" >"$dest/node.version"; }

# The NVIDIA ICD (libGLX_nvidia) needs glvnd's dispatch libraries beside the Vulkan loader.
(cd "$dest/debs" && apt-get download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2 >/dev/null 2>&1)
cp -r "$parity/encoders.json" "$parity/bert" "$parity/roberta" "$parity/bert2bert" "$parity/robertashare" "$dest/parity/"
# @warmstart/composer's baseConfig reads ../configs/ relative to the code, i.e. the bundle.
mkdir -p "$dest/configs" && cp -r packages/composer/configs/bert-base-uncased "$dest/configs/"
cp benchmarks/gpu/gpu_baseline.py benchmarks/pytorch/baseline_env.py benchmarks/pytorch/encoder_forward.py benchmarks/pytorch/generation.py "$dest/py/"
cp benchmarks/gpu/run.sh "$dest/run.sh"
chmod -R u+w "$dest"
du -sh "$dest"
