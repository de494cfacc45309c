// The simulator's speed in WebAssembly on `raft-sim bench`'s workload (RaftScope's: 5 servers,
// election 100–200 ms, heartbeat 50 ms, latency 10–15 ms, a write every 100 ms, a crash every
// 5 s, 120 s simulated, every checker on), through the full module's runScenario in Node:
//
//   cargo build --release -p raft-sim && bash scripts/build-wasm.sh
//   node bench/sim-wasm.mjs [RUNS] [PKG_DIR]     (defaults: 7 runs, web/pkg)
//
// The workload text comes from `raft-sim bench --print`, so both sides play the same scenario;
// the script checks that the wasm run's trace hash equals the native one. Prints each run's
// simulated seconds per wall second and the median, then the median per CPU second of the
// process (what a busy machine does not inflate). Three warm-up runs first, not counted: V8
// compiles WebAssembly with a quick baseline compiler first and optimises hot functions later,
// and the first runs are several times slower.
import { readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const runs = Number(process.argv[2] ?? 7);
const pkg = resolve(process.argv[3] ?? join(root, 'web/pkg'));
const sim = join(root, 'target/release/raft-sim');

const text = execFileSync(sim, ['bench', '--print'], { encoding: 'utf8' });
const native = JSON.parse(
  execFileSync(sim, ['run', '-', '--json'], { input: text, encoding: 'utf8', maxBuffer: 1 << 28 }),
);

const { initSync, runScenario } = await import(join(pkg, 'raft_wasm_full.js'));
initSync({ module: readFileSync(join(pkg, 'raft_wasm_full_bg.wasm')) });

const figures = [];
const perCpu = [];
const warmup = 3;
for (let i = 0; i < warmup + runs; i++) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const report = JSON.parse(runScenario(text));
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (report.trace_hash !== native.trace_hash) {
    console.error(`trace hash differs: wasm ${report.trace_hash}, native ${native.trace_hash}`);
    process.exit(1);
  }
  const simulated = report.time_ms / 1000;
  if (i >= warmup) {
    figures.push(simulated / wall);
    perCpu.push(simulated / cpuSeconds);
  }
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const wallMedian = median(figures);
console.log(
  `wasm: ${figures.map((f) => f.toFixed(0)).join(' / ')} simulated s per wall s; median ${wallMedian.toFixed(0)} ` +
    `(${runs} runs, same trace hash as native ${native.trace_hash})`,
);
// The process's CPU time (every thread: V8's compiler and collector included) is what a busy
// machine does not inflate; on a free core the wall figure is about the same.
console.log(`wasm: median ${median(perCpu).toFixed(0)} simulated s per CPU second`);
