#!/usr/bin/env bash
# Development only: put the JavaScript stand-in for the simulator (tests/web/fake/) into
# web/pkg/, so the page can be worked on without building the Rust crates. build-wasm.sh
# replaces it with the real module.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p web/pkg
rm -f web/pkg/raft_wasm_bg.wasm web/pkg/raft_wasm_bg.wasm.d.ts
cp tests/web/fake/raft_wasm.js web/pkg/raft_wasm.js
echo "fake: this web/pkg holds the JavaScript stand-in, not the simulator" > web/pkg/FAKE
echo "[fake-wasm] web/pkg now holds the stand-in (not the real simulator)"
