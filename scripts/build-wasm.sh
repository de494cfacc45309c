#!/usr/bin/env bash
# Build the Rust simulator for the browser: cargo → wasm-bindgen (→ wasm-opt) → web/pkg/.
# wasm-pack is not used: the two steps it wraps are done here directly.
set -euo pipefail
cd "$(dirname "$0")/.."

profile_dir=target/wasm32-unknown-unknown/release
out=web/pkg

cargo build --release --target wasm32-unknown-unknown -p raft-wasm
rm -f "$out/FAKE"
wasm-bindgen --target web --out-dir "$out" "$profile_dir/raft_wasm.wasm"

# wasm-opt is opt-in (WASM_OPT=1): Debian 12's binaryen (version 108) rewrites the externref
# table that wasm-bindgen 0.2.130 sets up, and the module then fails at start.
if [ "${WASM_OPT:-0}" = 1 ] && command -v wasm-opt >/dev/null 2>&1; then
  # wasm-bindgen's output uses these post-MVP features; wasm-opt must be told it may keep them.
  wasm-opt -O --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/raft_wasm_bg.wasm" -o "$out/raft_wasm_bg.opt.wasm" \
    && mv "$out/raft_wasm_bg.opt.wasm" "$out/raft_wasm_bg.wasm" \
    || echo "[build-wasm] wasm-opt failed; keeping the unoptimised module" >&2
fi

printf '[build-wasm] %s (%s bytes)\n' "$out/raft_wasm_bg.wasm" "$(wc -c < "$out/raft_wasm_bg.wasm")"
