#!/usr/bin/env bash
# Every test of the project, in order: (1) setup, (2) Rust tests, (3) build the page,
# (4) the page's unit tests, (5) browser tests against the built page. Ends with one plain
# line per suite, "suite: N passed, M failed", and a total; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

results=test-results
mkdir -p "$results"
summary=()
any_failed=0

# record SUITE PASSED FAILED [NOTE]
record() {
  summary+=("$1: $2 passed, $3 failed")
  [ -n "${4:-}" ] && summary+=("  ($1: $4)")
  if [ "$3" != 0 ]; then any_failed=1; fi
}

section() { printf '\n===== %s =====\n' "$*"; }

# ---- (1) setup --------------------------------------------------------------------------
section "setup"
if ! bash scripts/setup.sh; then
  echo "setup failed: nothing else can run"
  echo "setup: 0 passed, 1 failed"
  exit 1
fi

# ---- (2) Rust tests -----------------------------------------------------------------------
# The Rust suites (unit, scenario acceptance, native/wasm comparison) go here.
section "rust"
cargo test --workspace --no-fail-fast 2>&1 | tee "$results/rust.log"
rust_rc=${PIPESTATUS[0]}
read -r rust_passed rust_failed < <(awk '/^test result:/ {
    for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i }
  } END { print p + 0, f + 0 }' "$results/rust.log")
if [ "$rust_rc" != 0 ] && [ "$rust_failed" = 0 ]; then
  record rust "$rust_passed" 1 "cargo test exited with $rust_rc (build error?)"
else
  record rust "$rust_passed" "$rust_failed"
fi

# The command line: every acceptance scenario through `raft-sim run` (exit status as
# SCENARIO.md says), then the no-bug fuzz sweeps.
section "scenarios"
cargo build --release -p raft-sim
scn_passed=0; scn_failed=0
while IFS= read -r f; do
  if ./target/release/raft-sim run "$f" > "$results/scenario.out" 2>&1; then
    scn_passed=$((scn_passed + 1))
  else
    scn_failed=$((scn_failed + 1)); echo "FAILED: $f"; cat "$results/scenario.out"
  fi
done < <(find scenarios -name '*.scn' -not -path 'scenarios/errors/*' -not -path 'scenarios/js/*' | sort)
while IFS= read -r f; do
  ./target/release/raft-sim run "$f" > "$results/scenario.out" 2>&1
  if [ $? = 2 ]; then scn_passed=$((scn_passed + 1)); else scn_failed=$((scn_failed + 1)); echo "NOT REFUSED: $f"; fi
done < <(find scenarios/errors -name '*.scn' | sort)
record scenarios "$scn_passed" "$scn_failed"

section "fuzz"
# The no-bug sweep: 20,000 random fault schedules over every profile, on 5, 3 and 7 servers,
# on every core (`--jobs` defaults to one thread per core).
fuzz_failed=0
: > "$results/fuzz.log"
for sweep in "5 10000 1" "3 5000 1000001" "7 5000 2000001"; do
  read -r nodes count from <<< "$sweep"
  if ! ./target/release/raft-sim fuzz --nodes "$nodes" --seeds "$count" --from "$from" 2>/dev/null | tee -a "$results/fuzz.log"; then
    fuzz_failed=$((fuzz_failed + 1))
  fi
done
if [ "$fuzz_failed" = 0 ]; then
  record fuzz 3 0 "three sweeps, 20,000 schedules on 5, 3 and 7 servers, no violation"
else
  record fuzz $((3 - fuzz_failed)) "$fuzz_failed" "a no-bug sweep found a violation: see the scenario above"
fi
# ---- end of the Rust tests ----------------------------------------------------------------

# ---- (3) build the page ------------------------------------------------------------------
section "build"
built=1
if bash scripts/build-wasm.sh && npx vite build; then
  record build 1 0
else
  built=0
  record build 0 1 "the WebAssembly module or the page did not build"
fi

# ---- the download budget: gzip -9 bytes each page loads first (bench/size.mjs) ------------
# Bytes are deterministic, so this is a test; download and start-up times are not (BENCHMARKS.md).
section "size"
if [ "$built" = 1 ]; then
  node bench/size.mjs --check 2>&1 | tee "$results/size.log"
  size_rc=${PIPESTATUS[0]}
  size_passed=$(grep -c 'within its budget' "$results/size.log")
  size_failed=$(grep -c 'over its budget\|not built' "$results/size.log")
  if [ "$size_rc" != 0 ] && [ "$size_failed" = 0 ]; then size_failed=1; fi
  record size "$size_passed" "$size_failed"
else
  record size 0 1 "not run: the build failed"
fi

# ---- native and WebAssembly agree: every scenario's trace_hash, run in Node ----------------
section "native-vs-wasm"
if [ "$built" = 1 ]; then
  # (judge*.test.mjs have a summary line of their own, below.)
  node --test $(find tests/node -name '*.test.mjs' -not -name 'judge*.test.mjs' | sort) 2>&1 | tee "$results/node.log"
  node_rc=${PIPESTATUS[0]}
  nv_passed=$(awk '/^# pass /{print $3}' "$results/node.log" | tail -1)
  nv_failed=$(awk '/^# fail /{print $3}' "$results/node.log" | tail -1)
  nv_passed=${nv_passed:-0}; nv_failed=${nv_failed:-0}
  if [ "$node_rc" != 0 ] && [ "$nv_failed" = 0 ]; then nv_failed=1; fi
  record native-vs-wasm "$nv_passed" "$nv_failed"
else
  record native-vs-wasm 0 1 "not run: the build failed"
fi

# ---- npm run judge: JavaScript nodes (protocol js) run headless on the WebAssembly build ----
section "judge"
if [ "$built" = 1 ]; then
  # judge.test.mjs: the judge itself; judge-exercises.test.mjs: the JS exercises, --grade, the
  # teaching Raft through the repository's Raft scenarios, and a 200-schedule --fuzz of it.
  node --test tests/node/judge.test.mjs tests/node/judge-exercises.test.mjs 2>&1 | tee "$results/judge.log"
  judge_rc=${PIPESTATUS[0]}
  judge_passed=$(awk '/^# pass /{print $3}' "$results/judge.log" | tail -1)
  judge_failed=$(awk '/^# fail /{print $3}' "$results/judge.log" | tail -1)
  judge_passed=${judge_passed:-0}; judge_failed=${judge_failed:-0}
  if [ "$judge_rc" != 0 ] && [ "$judge_failed" = 0 ]; then judge_failed=1; fi
  record judge "$judge_passed" "$judge_failed"
else
  record judge 0 1 "not run: the build failed"
fi

# ---- (4) the page's unit tests (geometry, actions, share links, time) ---------------------
section "web-unit"
npx vitest run --reporter=default --reporter=json --outputFile="$results/web-unit.json"
unit_rc=$?
if [ -f "$results/web-unit.json" ]; then
  read -r unit_passed unit_failed < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTestSuites && r.success === false && r.numFailedTests === 0 ? 1 : 0));
  ' "$results/web-unit.json")
else
  unit_passed=0; unit_failed=1
fi
if [ "$unit_rc" != 0 ] && [ "$unit_failed" = 0 ]; then unit_failed=1; fi
record web-unit "$unit_passed" "$unit_failed"

# ---- (5) browser tests: Playwright + Debian's chromium against `vite preview` of dist/ -------
section "web"
# web_stage SUITE [playwright args…]: run the browser tests the args choose and record them
# from Playwright's JSON report (a run that failed without a report counts as one failure).
web_stage() {
  local suite=$1 rc passed=0 failed=1
  shift
  rm -f "$results/web-report.json"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 CI=${CI:-1} npx playwright test "$@"
  rc=$?
  if [ -f "$results/web-report.json" ]; then
    read -r passed failed < <(node -e '
      const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).stats;
      console.log(s.expected + s.flaky, s.unexpected);
    ' "$results/web-report.json")
  fi
  if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
  record "$suite" "$passed" "$failed"
}
if [ "$built" = 1 ]; then
  # Every browser test, two browsers side by side. Nothing here is timed: the counterexample
  # searches must find their bug within a fixed number of schedules, however busy the machine;
  # their wall time is `npm run bench:search`'s business (BENCHMARKS.md).
  web_stage web
else
  record web 0 1 "not run: the build failed"
fi

# ---- summary ------------------------------------------------------------------------------
section "summary"
total_passed=0
total_failed=0
for line in "${summary[@]}"; do
  echo "$line"
  if [[ "$line" =~ ^[a-z-]+:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    total_passed=$((total_passed + BASH_REMATCH[1]))
    total_failed=$((total_failed + BASH_REMATCH[2]))
  fi
done
echo "total: $total_passed passed, $total_failed failed"
exit "$any_failed"
