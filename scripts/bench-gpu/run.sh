#!/bin/bash
# Runs the packed GPU benchmark (see pack.sh) on the GPU machine: Dawn on Vulkan, then the A/B bundle
# (bench-a.mjs, when packed), a tfjs flag variant and Dawn on OpenGL ES. Results and log go to $OUT.
cd "$(dirname "$0")"
L=$OUT/log.txt
{ date -u; nvidia-smi -L; uname -r; } 2>&1 | tee -a $L
# Python's lzma: the machine may have no xz.
python3 -c "
import lzma,os,shutil
for a in ('node','dawn.node','bench-gpu.mjs','bench-a.mjs'):
  if os.path.exists(a+'.xz'): shutil.copyfileobj(lzma.open(a+'.xz'),open(a,'wb'))"
chmod +x node
if ! ldconfig -p | grep -q libvulkan.so.1; then echo "bringing loaders" >>$L; for f in debs/*.deb; do dpkg -x $f /; done; ldconfig; fi
{ ./node --version; ldconfig -p | grep -E "libvulkan|libEGL|nvidia" | head -20; ls /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/glvnd/egl_vendor.d /usr/share/glvnd/egl_vendor.d; } >>$L 2>&1
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ] && export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
export SR_DAWN_NODE=dawn.node
common="--weights ../packages/ciaosr/weights/default.safetensors --photo photo512.png --large-photo large1024.png --check check.json"
run() { echo "=== $*" | tee -a $L; timeout -k 5 "$@" 2>&1 | grep -v '^Warning: max' | tee -a $L; }
DAWN_BACKEND=vulkan run ${T1:-230} ./node bench-gpu.mjs $common --thick thick4/model.json --budget ${B1:-200} --out $OUT/gpu-vulkan.json
[ -f bench-a.mjs ] && DAWN_BACKEND=vulkan run 80 ./node bench-a.mjs $common --jobs 256x4,512x4 --budget 60 --out $OUT/gpu-vulkan-before.json
DAWN_BACKEND=vulkan run 50 ./node bench-gpu.mjs $common --jobs 256x4 --sweep '' --flags WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64 --budget 35 --out $OUT/gpu-vulkan-batch64.json
EGL_PLATFORM=surfaceless DAWN_BACKEND=opengles run 60 ./node bench-gpu.mjs $common --jobs 256x4 --sweep '' --budget 40 --out $OUT/gpu-gles.json
date -u >>$L
