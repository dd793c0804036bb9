#!/bin/bash
# Packs `scripts/bench-gpu.mjs` for a GPU machine that has no Node, no npm and no network (a lent cloud
# GPU): one esbuild bundle (tfjs, @sr, the UpscalerJS esrgan-thick loader), this machine's Node binary
# and Dawn's dawn.node (xz), the inputs (centre crops of two photos), the WASM reference for the check,
# esrgan-thick's ×4 weights stored as float16 (half the bytes; the GPU work is the same), the Vulkan/EGL
# loaders as Debian packages, and run.sh. Copy the folder to the repository root of the GPU machine
# (the weights are read from packages/ciaosr/weights) and run `OUT=<dir> bash .gpu/run.sh`.
#
#   bash scripts/bench-gpu/pack.sh [DIR]      (default .gpu; about 46 MiB)
#   BEFORE=<rev> …                             also bundles the code of <rev> as bench-a.mjs (A/B)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=$(realpath -m "${1:-$ROOT/.gpu}")
SHARED=$ROOT/../shared
mkdir -p "$DIR/debs"
cd "$ROOT"
npx turbo run build --output-logs=errors-only >/dev/null
bundle() { # $1: output; the packages' Node entries (dist), not the TypeScript paths of tsconfig
  npx esbuild scripts/bench-gpu.mjs --bundle --platform=node --format=esm --outfile="$1" --external:webgpu --log-level=error \
    --tsconfig-raw='{}' "--banner:js=import { createRequire as __srCreateRequire } from 'node:module'; const require = __srCreateRequire(import.meta.url);"
  xz -T0 -9 -f "$1"
}
bundle "$DIR/bench-gpu.mjs"
if [ -n "${BEFORE:-}" ]; then
  wt=$(mktemp -d); git worktree add -q "$wt" "$BEFORE"
  # The worktree's own node_modules: every entry of this checkout's, except @sr/*, which must resolve to
  # the worktree's packages (a link to this checkout's node_modules would bundle today's @sr code as "before").
  mkdir -p "$wt/node_modules/@sr"
  for e in "$ROOT"/node_modules/* "$ROOT"/node_modules/.bin; do [ "$(basename "$e")" = @sr ] || ln -s "$e" "$wt/node_modules/"; done
  for e in "$ROOT"/node_modules/@sr/*; do t=$(readlink -f "$e"); ln -s "$wt/${t#"$ROOT"/}" "$wt/node_modules/@sr/"; done
  for p in packages/*/; do [ -d "$ROOT/$p/node_modules" ] && ln -s "$ROOT/$p/node_modules" "$wt/$p/node_modules"; done
  (cd "$wt" && npx turbo run build --output-logs=errors-only >/dev/null && cp "$ROOT/scripts/bench-gpu.mjs" scripts/ && cp -r "$ROOT/scripts/bench-peers" scripts/ && bundle "$DIR/bench-a.mjs")
  git worktree remove --force "$wt"
fi
xz -T0 -9 -c "$(command -v node)" > "$DIR/node.xz"
xz -T0 -9 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$DIR/dawn.node.xz"
node scripts/bench-gpu/to-f16.mjs node_modules/@upscalerjs/esrgan-thick/models/x4/model.json "$DIR/thick4/model.json"
node scripts/bench-gpu.mjs --write-check "$DIR/check.json"
node --input-type=module -e "
const core = await import('@sr/core');
for (const [src, size, dst] of [['$SHARED/datasets/photos/astronaut.png', 512, 'photo512.png'], ['$SHARED/datasets/train/wikimedia/049.png', 1024, 'large1024.png']]) {
  const img = await core.readImage(src);
  const c = img.channels, y0 = (img.height - size) >> 1, x0 = (img.width - size) >> 1;
  const data = new img.data.constructor(size * size * c);
  for (let y = 0; y < size; y++) data.set(img.data.subarray(((y0 + y) * img.width + x0) * c, ((y0 + y) * img.width + x0 + size) * c), y * size * c);
  await core.writeImage('$DIR/' + dst, { ...img, data, width: size, height: size });
}"
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
mkdir -p /tmp/amd64/partial
apt-get $o update >/dev/null 2>&1 || true
(cd "$DIR/debs" && apt-get $o download libvulkan1 libegl1 libglvnd0 libgles2 libopengl0 >/dev/null 2>&1) || echo "no loader packages (the GPU machine must have libvulkan.so.1)"
cp scripts/bench-gpu/run.sh "$DIR/run.sh"
du -sh "$DIR"
