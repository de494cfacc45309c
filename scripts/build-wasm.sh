#!/usr/bin/env bash
# Build the Rust simulator for the browser: cargo → wasm-bindgen (→ wasm-opt) → web/pkg/.
# wasm-pack is not used: the two steps it wraps are done here directly.
#
# Three modules from the one crate (crates/raft-wasm), so that a page downloads only what it uses:
#   web/pkg/raft_wasm_figure.js + _bg.wasm   a figure's (embed.html, <raft-playground>): the
#       handle a figure drives (no Cargo features);
#   web/pkg/raft_wasm.js + raft_wasm_bg.wasm  the playground's first load: the same plus time
#       travel's timeline and message lives, the classroom's goal check (feature `page`);
#   web/pkg/raft_wasm_full.js + _bg.wasm      everything (default features): the counterexample
#       search (fuzzSeed, untilViolation) for the page's worker, loaded when the search is
#       opened, and runScenario for the native-vs-wasm test.
# The first two, which a page loads first, are built with the `wasm` profile (Cargo.toml:
# optimised for size) and wasm-opt -Oz; the full one, loaded on demand, with `wasm-speed` (the
# simulator and the Raft core optimised for speed: the search and runScenario run about 1.6×
# as fast, for about 48 KB more gzip when the search opens) and wasm-opt -O.
# WASM_PROFILE / WASM_FULL_PROFILE choose other profiles (WASM_FULL_PROFILE=wasm: all for size).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${WASM_PROFILE:-wasm}
full_profile=${WASM_FULL_PROFILE:-wasm-speed}
out=web/pkg
mkdir -p "$out"
rm -f "$out/FAKE"

# wasm-opt from npm's binaryen (a devDependency, version 132). Not Debian's: its binaryen
# (version 108) rewrites the externref table that wasm-bindgen 0.2.130 sets up, and the module
# then fails at start. WASM_OPT=0 skips it.
wasm_opt=node_modules/.bin/wasm-opt
optimise() {
  local wasm=$1 level=$2
  if [ "${WASM_OPT:-1}" = 0 ]; then return; fi
  if [ ! -x "$wasm_opt" ]; then
    echo "[build-wasm] no $wasm_opt (run npm ci); keeping the unoptimised module" >&2
    return
  fi
  # wasm-bindgen's output uses these post-MVP features; wasm-opt must be told it may keep them.
  # --converge repeats the level until the module stops changing; --low-memory-unused lets it fold
  # constant offsets into loads and stores (Rust's stack occupies the first megabyte from the
  # top down, data lies above it, so no pointer arithmetic lands in the first kilobyte); the
  # producers and target-features sections are read by no browser.
  "$wasm_opt" "$level" --converge --low-memory-unused --strip-producers --strip-target-features \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$wasm" -o "${wasm%.wasm}.opt.wasm" \
    && mv "${wasm%.wasm}.opt.wasm" "$wasm" \
    || echo "[build-wasm] wasm-opt failed on $wasm; keeping the unoptimised module" >&2
}

# The first-load modules carry their own build of Rust's standard library, made for size and
# with panics that stop on the spot (`-Cpanic=immediate-abort`, `-Zlocation-detail=none`): no
# panic message, no source file and line for each check that could fail, and none of the
# formatting a panic message needs, about 10 KB gzip less in each. A panic there is a bug either
# way, and the page cannot go on after one (the profile already aborts); it now shows as
# "unreachable" instead of a message, and the same run in the CLI or the full module (which
# keeps the messages) names it. These are unstable options of the stable toolchain, opened for
# this build alone with RUSTC_BOOTSTRAP=1, in a target directory of its own so that the ordinary
# builds keep their cache. Without the rust-src component (scripts/setup.sh adds it), or if
# that build fails, the module is built the ordinary way. WASM_LEAN_STD=0 turns it off.
lean_flags="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
lean_dir=target/lean-std
can_lean() {
  [ "${WASM_LEAN_STD:-1}" = 1 ] && [ -f "$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.lock" ]
}

# build NAME PROFILE WASM-OPT-LEVEL STD CARGO-FEATURE-ARGS…: one module, web/pkg/NAME.js and
# NAME_bg.wasm; STD is `lean` (the standard library built as above) or `shipped`.
build() {
  local name=$1 prof=$2 level=$3 std=$4 dir=target
  shift 4
  if [ "$std" = lean ] && can_lean; then
    if RUSTC_BOOTSTRAP=1 RUSTFLAGS="$lean_flags" cargo build --profile "$prof" --target wasm32-unknown-unknown \
        -p raft-wasm "$@" -Z build-std=std,panic_abort --target-dir "$lean_dir"; then
      dir=$lean_dir
    else
      echo "[build-wasm] the lean standard library did not build; $name gets the shipped one" >&2
      std=shipped
    fi
  else
    std=shipped
  fi
  if [ "$std" = shipped ]; then
    cargo build --profile "$prof" --target wasm32-unknown-unknown -p raft-wasm "$@"
  fi
  wasm-bindgen --target web --out-dir "$out" --out-name "$name" "$dir/wasm32-unknown-unknown/$prof/raft_wasm.wasm"
  optimise "$out/${name}_bg.wasm" "$level"
  printf '[build-wasm] %s (%s bytes, profile %s, %s std)\n' "$out/${name}_bg.wasm" "$(wc -c < "$out/${name}_bg.wasm")" "$prof" "$std"
}

build raft_wasm_figure "$profile" -Oz lean --no-default-features
build raft_wasm "$profile" -Oz lean --no-default-features --features page
full_level=-Oz
[ "$full_profile" = "$profile" ] || full_level=-O
build raft_wasm_full "$full_profile" "$full_level" shipped
