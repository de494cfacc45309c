// `npm run judge`: scenarios whose servers are JavaScript nodes (protocol js, NODE-API.md) run
// in Node on the WebAssembly build. The starters' verdicts, determinism (the same file gives the
// same trace_hash twice, and ctx.random depends on the seed), the errors a node can make, and
// the exit statuses. Needs `scripts/build-wasm.sh`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

import { root, judge } from './judge-run.mjs';

function report(file) {
  const r = judge([file, '--json']);
  assert.ok(r.status === 0 || r.status === 1, `${file}: exit ${r.status}: ${r.stderr}`);
  return { status: r.status, rep: JSON.parse(r.stdout) };
}

const starter = (name) => readFileSync(join(root, 'web/your-node/starters', name), 'utf8').replace(/\n$/, '');
const withCode = (head, code, tail) => `${head}code\n${code}\nend\n${tail}`;

test('the teaching Raft elects a leader, commits, answers reads and stays linearizable', () => {
  const { status, rep } = report('scenarios/js/raft-elects-and-commits.scn');
  assert.equal(status, 0, JSON.stringify(rep.expectations));
  assert.equal(rep.expectations.length, 7);
  assert.ok(rep.expectations.every((e) => e.passed));
  assert.equal(rep.checks.linearizability, 'ok');
  assert.equal(rep.nodes.filter((n) => n.role === 'leader').length, 1);
  // What the node reported is what the report shows: a term and a log with the writes.
  const leader = rep.nodes.find((n) => n.role === 'leader');
  assert.ok(leader.term >= 1);
});

test('the teaching Raft survives its leader crashing', () => {
  const { status, rep } = report('scenarios/js/raft-survives-leader-crash.scn');
  assert.equal(status, 0, JSON.stringify(rep.expectations));
  assert.ok(rep.nodes.some((n) => n.role === 'leader' && n.term >= 2), 'a new leader in a later term');
  for (const [name, v] of Object.entries(rep.checks)) assert.equal(v, 'ok', name);
});

test('the naive starter is caught not linearizable in a split', () => {
  const { status, rep } = report('scenarios/js/naive-split.scn');
  assert.equal(status, 0, 'the scenario expects the violation');
  assert.notEqual(rep.checks.linearizability, 'ok');
  // Without the expectation, the same run fails.
  const text = readFileSync(join(root, 'scenarios/js/naive-split.scn'), 'utf8').replace('expect not-linearizable\n', '');
  const r = judge(['-', '--json'], text);
  assert.equal(r.status, 1);
});

test('a file gives the same trace_hash twice, and the seed changes the run', () => {
  const file = 'scenarios/js/raft-survives-leader-crash.scn';
  const a = report(file).rep.trace_hash;
  const b = report(file).rep.trace_hash;
  assert.equal(a, b);
  const text = readFileSync(join(root, file), 'utf8').replace('seed 3\n', 'seed 4\n');
  const c = JSON.parse(judge(['-', '--json'], text).stdout).trace_hash;
  assert.notEqual(c, a, 'ctx.random and the network draw from the seed');
});

test('--trace prints the trace before the report; a Rust scenario gives raft-sim\'s hash', () => {
  const r = judge(['scenarios/js/naive-split.scn', '--trace']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Copy/);
  assert.match(r.stdout.trim().split('\n').at(-1), /^scenarios\/js\/naive-split\.scn: \d+ms simulated, .* trace [0-9a-f]{16}$/);
  // Any protocol: the baseline hash of a Rust scenario (from `raft-sim run --json`).
  const election = JSON.parse(judge(['scenarios/election.scn', '--json']).stdout);
  assert.equal(election.trace_hash, '2f2d5c358c39ea4a');
});

test('a handler that throws stops the run: server, event, time and line named, exit 1', () => {
  const text = withCode(
    'nodes 3\nprotocol js\n',
    `export default function node(ctx) {
  return {
    onStart() { ctx.setTimer('tick', 100); },
    onTimer(name) {
      if (ctx.id === 'S2') throw new Error('boom');
      ctx.send('S2', { type: 'Ping' });
    },
  };
}`,
    'run 1s\nexpect safe\n',
  );
  const r = judge(['-', '--json'], text);
  assert.equal(r.status, 1);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.errors.length, 1);
  assert.match(rep.errors[0], /^100ms: S2 failed in onTimer\(tick\) at 100ms: Error: boom \(.*node\.js:5:\d+, scenario line 8\)$/);
  assert.equal(rep.time_ms, 100, 'the run stops at the failure');
  assert.equal(rep.expectations.length, 0, 'nothing after the failure is played');
});

test('the node cannot reach Date, Math.random or timers', () => {
  for (const [expr, name] of [['Math.random()', 'Math.random'], ['new Date()', 'Date'], ['setTimeout(() => {}, 1)', 'setTimeout']]) {
    const text = withCode('nodes 1\nprotocol js\n', `export default function node(ctx) { return { onStart() { ${expr}; } }; }`, 'run 10ms\n');
    const r = judge(['-', '--json'], text);
    assert.equal(r.status, 1, expr);
    assert.match(JSON.parse(r.stdout).errors[0], new RegExp(`S1 failed in onStart at 0ms: .*${name}`), expr);
  }
});

test('invalid files exit 2 with a message: scenario, module syntax, no factory, imports', () => {
  const cases = [
    ['nodes 3\nprotocol js\nrun 1s\n', /line 2, column 1: protocol js needs the node's code/],
    [withCode('nodes 3\nprotocol js\n', 'export default function node(ctx) {\n  return { onStart( };\n}', 'run 1s\n'), /does not parse: SyntaxError: .*\(module line 2, column \d+, scenario line 5\)/],
    [withCode('protocol js\n', 'export const x = 1;', 'run 1s\n'), /must export a factory/],
    [withCode('protocol js\n', 'import fs from "node:fs";\nexport default () => ({});', 'run 1s\n'), /may not import anything/],
  ];
  for (const [text, message] of cases) {
    const r = judge(['-'], text);
    assert.equal(r.status, 2, text);
    assert.match(r.stderr, message);
  }
});

test('the starters as files: the skeleton runs, never elects, and says not leader', () => {
  const text = withCode('nodes 3\nprotocol js\n', starter('skeleton.js'), 'run 500ms\nput x 1\nrun 2s\nexpect no-leader\n');
  const r = judge(['-', '--json'], text);
  assert.equal(r.status, 0, r.stdout);
});

test('raft-sim refuses protocol js and names the judge', () => {
  const r = spawnSync(join(root, 'target/release/raft-sim'), ['run', 'scenarios/js/naive-split.scn'], { cwd: root, encoding: 'utf8' });
  if (r.error) return; // no release build here: the Rust tests cover it
  assert.equal(r.status, 2);
  assert.match(r.stderr, /npm run judge/);
});

test('--fuzz: the naive node fails a random schedule, printed shrunk; the teaching Raft passes', () => {
  const r = judge(['--fuzz', '5', 'scenarios/js/naive-split.scn']);
  assert.equal(r.status, 1, r.stderr);
  const [first, ...rest] = r.stdout.split('\n');
  assert.match(first, /^# scenarios\/js\/naive-split\.scn: schedule \d+ fails \(violation: linearizability\); shrunk:$/);
  const shrunk = rest.join('\n');
  assert.ok(shrunk.includes('protocol js') && shrunk.includes('code\n') && shrunk.includes('\nend\n'));
  // The printed scenario is a scenario: judged alone it fails the same way.
  const again = judge(['-', '--json'], shrunk);
  assert.equal(again.status, 1);
  assert.notEqual(JSON.parse(again.stdout).checks.linearizability, 'ok');
  // Deterministic: the same answer twice.
  assert.equal(judge(['--fuzz', '5', 'scenarios/js/naive-split.scn']).stdout, r.stdout);
  const raft = judge(['--fuzz', '10', 'scenarios/js/raft-elects-and-commits.scn']);
  assert.equal(raft.status, 0, raft.stdout);
  assert.match(raft.stdout, /10 random fault schedules, no failure/);
  assert.equal(judge(['--fuzz', 'many', 'scenarios/js/naive-split.scn']).status, 2);
});

test('a second answer to one delivery of a request is dropped, as a client would, and traced', () => {
  const text = withCode(
    'nodes 1\nprotocol js\n',
    `export default function node(ctx) {
  return {
    onClient(req) {
      ctx.reply(req, { ok: true });
      ctx.reply(req, { ok: true });
    },
  };
}`,
    'put x 1\nrun 100ms\nexpect op 13 ok\n',
  );
  const r = judge(['-', '--trace'], text);
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /answers request "c1\.1" again \(dropped: it is not waiting\)/);
});
