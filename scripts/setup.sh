#!/usr/bin/env bash
# Install what building and testing the playground needs, and only what is missing.
# Safe to run again and again: every step checks first. CI runs it on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

# --- Rust: the WebAssembly target ----------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# --- Rust's library sources: the first-load modules build their own std (scripts/build-wasm.sh) --
if [ ! -f "$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.lock" ]; then
  say "adding the rust-src component"
  rustup component add rust-src || say "no rust-src: the first-load modules will carry panic messages"
fi

# --- wasm-bindgen CLI: exactly the version of the wasm-bindgen crate in Cargo.lock -----------
# The CLI and the crate must match to the patch version, or the generated glue refuses the module.
want=$(awk '/^\[\[package\]\]/{name=""} /^name = "wasm-bindgen"$/{name=1; next} name && /^version = /{gsub(/"/,"",$3); print $3; exit}' Cargo.lock)
if [ -z "$want" ]; then
  echo "[setup] cannot find the wasm-bindgen package in Cargo.lock" >&2
  exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found: ${have:-none})"
  cargo install wasm-bindgen-cli --version "$want"
fi

# --- Chromium for the browser tests --------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
  say "installing chromium from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y chromium chromium-driver
fi

# --- npm packages ----------------------------------------------------------------------------
# Playwright drives Debian's chromium; it must not try to download browsers of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
stamp=node_modules/.package-lock.json
if [ -f package-lock.json ]; then
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
    say "npm ci"
    npm ci --no-audit --no-fund
  fi
elif [ ! -d node_modules ] || [ package.json -nt "$stamp" ]; then
  say "npm install"
  npm install --no-audit --no-fund
fi

say "ready"
