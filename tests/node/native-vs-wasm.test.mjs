// Every scenario in scenarios/ gives the same trace_hash natively (raft-sim) and through the
// WebAssembly build, run here in Node. Needs `scripts/build-wasm.sh` and a release raft-sim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { initSync, runScenario, Playground } = await import(join(root, 'web/pkg/raft_wasm_full.js'));
initSync({ module: readFileSync(join(root, 'web/pkg/raft_wasm_full_bg.wasm')) });
// The light modules (what the playground and the figures load first) are the same simulator
// without the search and the report: their handles must replay to the same hashes.
const light = await import(join(root, 'web/pkg/raft_wasm.js'));
light.initSync({ module: readFileSync(join(root, 'web/pkg/raft_wasm_bg.wasm')) });
const figure = await import(join(root, 'web/pkg/raft_wasm_figure.js'));
figure.initSync({ module: readFileSync(join(root, 'web/pkg/raft_wasm_figure_bg.wasm')) });
const raftSim = join(root, 'target/release/raft-sim');

function scenarioFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      // errors/: invalid on purpose; js/: protocol js, which raft-sim refuses (tests/node/judge.test.mjs runs them).
      if (name !== 'errors' && name !== 'js') out.push(...scenarioFiles(p));
    } else if (name.endsWith('.scn')) out.push(p);
  }
  return out;
}

function native(file) {
  try {
    return JSON.parse(execFileSync(raftSim, ['run', file, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  } catch (e) {
    // Exit status 1 (a failed expectation) still prints the report.
    if (e.stdout) return JSON.parse(e.stdout);
    throw e;
  }
}

for (const file of scenarioFiles(join(root, 'scenarios'))) {
  test(`same trace_hash natively and in wasm: ${file.slice(root.length + 1)}`, () => {
    const text = readFileSync(file, 'utf8');
    const n = native(file);
    const w = JSON.parse(runScenario(text));
    assert.equal(w.trace_hash, n.trace_hash);
    assert.equal(w.time_ms, n.time_ms);
    assert.deepEqual(w.checks, n.checks);
    assert.deepEqual(w.expectations, n.expectations);
    // Event numbers and what each operation observed, too.
    assert.deepEqual(w.history, n.history);
  });
}

test('a run recorded by the page replays to the same hash', () => {
  const pg = new Playground('nodes 5\nseed 7\n');
  for (let i = 0; i < 40; i++) pg.advance(25);
  pg.act('put bike42 alice');
  pg.advance(300);
  pg.act('crash leader');
  for (let i = 0; i < 20; i++) pg.advance(50);
  pg.act('partition S1 S2 | S3 S4 S5');
  pg.advance(700);
  pg.act('heal');
  pg.advance(500);
  const replay = new Playground(pg.recorded());
  assert.equal(replay.traceHash(), pg.traceHash());
  assert.equal(replay.time(), pg.time());
  const w = JSON.parse(runScenario(pg.recorded()));
  assert.equal(w.trace_hash, pg.traceHash());
  // The light module: the same recording, the same run, the same snapshot.
  const lite = new light.Playground(pg.recorded());
  assert.equal(lite.traceHash(), pg.traceHash());
  assert.equal(lite.time(), pg.time());
  assert.deepEqual(lite.snapshot(), replay.snapshot());
  assert.equal(light.runScenario, undefined, 'the light module has no report');
  assert.equal(light.fuzzSeed, undefined, 'the light module has no search');
  const fig = new figure.Playground(pg.recorded());
  assert.equal(fig.traceHash(), pg.traceHash());
  assert.deepEqual(fig.snapshot(), replay.snapshot());
  assert.equal(typeof fig.timeline, 'undefined', 'the figure module has no timeline');
});

test('a bad line changes nothing and says what is wrong', () => {
  const pg = new Playground('nodes 3\n');
  pg.advance(100);
  const before = pg.recorded();
  assert.throws(() => pg.act('crash S7'), /S7/);
  assert.throws(() => pg.act('frobnicate'), /line \d+, column 1/);
  assert.equal(pg.recorded(), before);
});

test('an invalid scenario is refused with line and column', () => {
  assert.throws(() => new Playground('nodes 5\nrun 15x\n'), /line 2, column 5/);
});
