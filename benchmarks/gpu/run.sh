#!/usr/bin/env bash
# Runs on the GPU machine from the folder pack.sh built (copied there as .device-gpu/run.sh): the PyTorch CUDA
# baseline, then the webgpu check. Results: $OUT/torch.json, $OUT/webgpu.json, $OUT/check.log. Exit status: the check's.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="${OUT:-$here/out}"
work=$(mktemp -d /tmp/warmstart-gpu.XXXX)
mkdir -p "$out" "$work/node_modules/webgpu/dist/linux-x64" "$work/bundle"
xz -dc "$here/node.xz" >"$work/node" && chmod +x "$work/node"
cp "$here/webgpu/index.js" "$here/webgpu/package.json" "$work/node_modules/webgpu/"
xz -dc "$here/webgpu/dawn.node.xz" >"$work/node_modules/webgpu/dist/linux-x64/dawn.node"
# The bundle sits one folder down so that composer's ../configs/ lookup lands on $work/configs.
xz -dc "$here/check.mjs.xz" >"$work/bundle/check.mjs" && cp -r "$here/configs" "$work/configs"
# The Vulkan loader and glvnd (which the NVIDIA ICD, libGLX_nvidia, links against) go into / on that throwaway
# machine, as the device notes advise; ldconfig makes them visible to Dawn's dlopen.
if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
  for deb in "$here"/debs/*.deb; do dpkg -x "$deb" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -e "$icd" ] && export VK_DRIVER_FILES="${VK_DRIVER_FILES:-$icd}"
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -e "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="${__EGL_VENDOR_LIBRARY_FILENAMES:-$egl}"
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "no nvidia-smi"; } 2>&1 | tee "$out/check.log"
timeout 120 python3 "$here/py/gpu_baseline.py" "$here/py" "$out/torch.json" 2>&1 | tee -a "$out/check.log"
echo "torch baseline exit ${PIPESTATUS[0]}" | tee -a "$out/check.log"
timeout 210 "$work/node" "$work/bundle/check.mjs" "$here/parity" "$out/webgpu.json" 2>&1 | tee -a "$out/check.log"
status=${PIPESTATUS[0]}
echo "webgpu check exit $status" | tee -a "$out/check.log"
rm -rf "$work"
exit "$status"
