#!/usr/bin/env bash
# The WebGPU check of bench/webgpu-check.ts on a GPU machine with no Node and no network.
#   here:  bash scripts/webgpu-check.sh prepare   → tmp/gpucarry/ (bundle, Dawn's `webgpu`, node.xz) and .gl/ (Vulkan
#          loader .debs; see ../.library/device/README.md)
#   there: bash scripts/webgpu-check.sh run       → prints one JSON object (also $OUT/webgpu.json)
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
prepare)
  mkdir -p tmp/gpu tmp/gpucarry/node_modules .gl /tmp/amd64/partial
  (cd tmp/gpu && [ -f package.json ] || echo '{"private":true}' > package.json
   npm install --no-save --ignore-scripts webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0 >/dev/null)
  node -e "
    const { build } = require('esbuild');
    build({ entryPoints: ['bench/webgpu-check.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20',
      outfile: 'tmp/gpucarry/check.mjs', external: ['webgpu'], nodePaths: ['tmp/gpu/node_modules'], logLevel: 'error',
      ignoreAnnotations: true, alias: { '@tensorflow/tfjs-core': './node_modules/@tensorflow/tfjs-core' },
      banner: { js: \"import { createRequire } from 'module'; const require = createRequire(import.meta.url);\" } });"
  rm -rf tmp/gpucarry/node_modules/* && cp -r tmp/gpu/node_modules/{webgpu,debug,ms,@webgpu} tmp/gpucarry/node_modules/
  rm -rf tmp/gpucarry/node_modules/webgpu/dist/{darwin-universal,linux-arm64,win32-arm64,win32-x64}
  [ -f tmp/gpucarry/node.xz ] || xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > tmp/gpucarry/node.xz
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  ls .gl/*.deb >/dev/null 2>&1 || { apt-get $o update >/dev/null; (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2); }
  du -sh tmp/gpucarry .gl ;;
run)
  for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
  icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  [ -f "$icd" ] && export VK_DRIVER_FILES=$icd
  nvidia-smi -L || true
  if command -v xz >/dev/null; then xz -dc tmp/gpucarry/node.xz > /tmp/node; else python3 -c "import lzma,shutil;shutil.copyfileobj(lzma.open('tmp/gpucarry/node.xz'),open('/tmp/node','wb'))"; fi
  chmod +x /tmp/node
  (cd tmp/gpucarry && /tmp/node check.mjs) | tee "${OUT:-/tmp}/webgpu.json" ;;
*) echo "usage: $0 prepare|run" >&2; exit 2 ;;
esac
