#!/usr/bin/env bash
# One-step set-up on a fresh Debian machine, then the main job (`unet demo`).
# Installs the system packages the project needs (as root, with apt), the npm dependencies from the lockfile,
# builds dist/, and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

need_node_major=20
if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt "$need_node_major" ]; then
  echo "setup: Node.js >= $need_node_major is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# System packages: oneDNN and a C++ toolchain for the native backend (without them the library runs on tfjs's CPU
# backend, far slower); Chromium for the explorer's browser tests (web/explorer.test.ts, driven by playwright-core).
# python3-onnx: ONNX's checker for the exported models (scripts/onnx_check.py, src/io/onnx/onnx-check.test.ts).
APT_PACKAGES=(libdnnl-dev g++ make python3 chromium python3-onnx)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "setup: please install: ${missing[*]} (apt-get install -y ...)" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

npm ci --no-audit --no-fund   # runs `prepare`: builds dist/ and the native addon (build/Release/unet_native.node)
node bin/unet.js demo
