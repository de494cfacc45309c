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

# wasm-opt from npm's binaryen (a devDependency, version 132): about 7% less to download and a
# little faster. Not Debian's: its binaryen (version 108) rewrites the externref table that
# wasm-bindgen 0.2.130 sets up, and the module then fails at start. WASM_OPT=0 skips it.
wasm_opt=node_modules/.bin/wasm-opt
if [ "${WASM_OPT:-1}" != 0 ] && [ -x "$wasm_opt" ]; then
  # wasm-bindgen's output uses these post-MVP features; wasm-opt must be told it may keep them.
  "$wasm_opt" -O --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/raft_wasm_bg.wasm" -o "$out/raft_wasm_bg.opt.wasm" \
    && mv "$out/raft_wasm_bg.opt.wasm" "$out/raft_wasm_bg.wasm" \
    || echo "[build-wasm] wasm-opt failed; keeping the unoptimised module" >&2
elif [ "${WASM_OPT:-1}" != 0 ]; then
  echo "[build-wasm] no $wasm_opt (run npm ci); keeping the unoptimised module" >&2
fi

printf '[build-wasm] %s (%s bytes)\n' "$out/raft_wasm_bg.wasm" "$(wc -c < "$out/raft_wasm_bg.wasm")"
