// The page's per-frame snapshot in Node: the module's `frame` and web/model.js's rebuild, at the
// state bench/page-frame.mjs drives (9 servers, 10% loss, 16 ms of simulated time a frame, a
// write every 6 frames), timed per call after the first 100 frames of each of 3 runs.
//   node bench/snapshot.mjs [PKG_DIR]    (default web/pkg, built by scripts/build-wasm.sh)
// Compare two builds by giving each its own directory of the playground module
// (raft_wasm.js and raft_wasm_bg.wasm), run in turn.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = resolve(process.argv[2] || new URL('../web/pkg', import.meta.url).pathname);
const { initSync, Playground } = await import(pathToFileURL(`${dir}/raft_wasm.js`).href);
const { Model } = await import('../web/model.js');
initSync({ module: readFileSync(`${dir}/raft_wasm_bg.wasm`) });

const times = [];
for (let run = 0; run < 3; run++) {
  const m = new Model(Playground);
  m.load('nodes 9\nseed 3\nloss 10%\n');
  for (let i = 0; i < 700; i++) {
    m.tick(16, 1);
    if (i % 6 === 0) m.act(`put k${i % 20} v${i}`);
    const t0 = performance.now();
    m.snapshot();
    if (i >= 100) times.push(performance.now() - t0);
  }
}
times.sort((a, b) => a - b);
const mean = times.reduce((a, b) => a + b, 0) / times.length;
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
console.log(`snapshot per frame (frame + rebuild, ${times.length} frames): mean ${(mean * 1000).toFixed(0)} µs, ` +
  `median ${(q(0.5) * 1000).toFixed(0)} µs, p95 ${(q(0.95) * 1000).toFixed(0)} µs`);
