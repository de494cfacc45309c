// The exercises for a node written in JavaScript (`protocol js` in exercises/), held to the rules
// the Rust classroom test holds the others to, through the judge: header complete, not solved by
// the code it starts with, solved by its solution, and the solution is the exercise with other
// code in its code block, then actions, then the same goal. Then `npm run judge -- --grade` over
// a folder of hand-ins, and the teaching Raft as a second implementation: Raft scenarios of the
// repository run with `protocol js` and the same checkers. Needs `scripts/build-wasm.sh`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { root, judge } from './judge-run.mjs';

const read = (path) => readFileSync(join(root, path), 'utf8');
const starter = (name) => read(`web/your-node/starters/${name}`);
const isJs = (text) => text.split('\n').some((l) => l.replace(/#.*/, '').trim().split(/\s+/).join(' ') === 'protocol js');

/** (setup, goal lines), split at `# goal:` as crates/raft-wasm/src/classroom.rs does. */
function split(text) {
  const at = text.split('\n').findIndex((l) => l.trimStart().startsWith('# goal:'));
  const lines = text.split('\n');
  const goal = lines.slice(at + 1).map((l) => l.split('#')[0].trim()).filter(Boolean);
  return { setup: lines.slice(0, at).join('\n'), goal, at };
}

/** The text of a code block, and the text with the block's content taken out. */
function codeBlock(text) {
  const lines = text.split('\n');
  const from = lines.findIndex((l) => l.replace(/#.*/, '').trim() === 'code');
  const to = lines.findIndex((l, i) => i > from && l.trim() === 'end');
  assert.ok(from >= 0 && to > from, 'a code … end block');
  return { code: lines.slice(from + 1, to).join('\n'), without: [...lines.slice(0, from + 1), ...lines.slice(to)].join('\n') };
}

const exercises = readdirSync(join(root, 'exercises'))
  .filter((n) => n.endsWith('.scn'))
  .map((n) => ({ id: n.slice(0, -4), text: read(`exercises/${n}`) }))
  .filter((e) => isJs(e.text));

/** Rows of `judge --grade DIR`: Map "file exercise" -> { result, detail }, and the run. */
function grade(files) {
  const dir = mkdtempSync(join(tmpdir(), 'grade-js-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const r = judge(['--jobs', '3', '--grade', dir]);
    const rows = new Map();
    for (const line of r.stdout.trim().split('\n').slice(1, -1)) {
      const m = /^(\S+)\s+(\S+)\s+(solved|not solved|goal missing|setup changed|unknown exercise|invalid|error|endless loop|no exercise|not a node exercise)\s*(.*)$/.exec(line);
      assert.ok(m, `a row: ${line}`);
      rows.set(`${m[1]} ${m[2]}`, { result: m[3], detail: m[4] });
    }
    return { ...r, rows, total: r.stdout.trim().split('\n').at(-1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('there are at least five JavaScript exercises, each with a complete header and a goal of expectations', () => {
  assert.ok(exercises.length >= 5, `found ${exercises.map((e) => e.id)}`);
  for (const { id, text } of exercises) {
    for (const key of ['title', 'story', 'hint', 'explain', 'order']) assert.match(text, new RegExp(`^# ${key}: \\S`, 'm'), `${id}: # ${key}:`);
    const { goal } = split(text);
    assert.ok(goal.length > 0, `${id}: a goal`);
    for (const g of goal) {
      assert.match(g, /^expect /, `${id}: goal lines are expectations`);
      assert.doesNotMatch(g, /^expect op /, `${id}: no client operation by line number (the code's length moves them)`);
    }
    // The goal must catch a node that does nothing: something about values, commits or leaders.
    assert.ok(goal.some((g) => /^expect (value|committed|leader)/.test(g)), `${id}: a goal a silent node cannot meet`);
  }
});

test('each JS exercise: not solved by its starting code, solved by its solution; the solution is the exercise with other code, then actions, then its goal', () => {
  const files = {};
  for (const { id, text } of exercises) {
    const solution = read(`exercises/solutions/${id}.scn`);
    const ex = split(text);
    const sol = split(solution);
    assert.deepEqual(sol.goal, ex.goal, `${id}: the solution ends with the exercise's goal`);
    // The same setup around the code block; the solution's code differs from the starting code.
    const exCode = codeBlock(ex.setup);
    const solCode = codeBlock(sol.setup);
    assert.notEqual(solCode.code, exCode.code, `${id}: the solution brings other code`);
    assert.ok(solCode.without.startsWith(exCode.without), `${id}: the solution starts with the exercise's setup`);
    files[`start-${id}.scn`] = `# exercise: ${id}\n${text}`;
    files[`solution-${id}.scn`] = `# exercise: ${id}\n${solution}`;
  }
  const r = grade(files);
  for (const { id } of exercises) {
    const start = r.rows.get(`start-${id}.scn ${id}`);
    assert.ok(start && start.result !== 'solved', `${id}: its starting code solves it: ${JSON.stringify(start)}`);
    assert.equal(start.result, 'not solved', `${id}: the starting code runs and fails the goal: ${start.detail}`);
    const sol = r.rows.get(`solution-${id}.scn ${id}`);
    assert.equal(sol?.result, 'solved', `${id}: the solution: ${JSON.stringify(sol)}`);
  }
  assert.equal(r.status, 1, 'not everything solved: exit 1');
  assert.equal(r.total, `${exercises.length} of ${2 * exercises.length} solved`);
});

test('the starters against every JS exercise: the teaching Raft solves them all, the skeleton and the naive replicator none', () => {
  const r = grade({ 'raft.js': starter('raft.js'), 'skeleton.js': starter('skeleton.js'), 'naive.js': starter('naive.js') });
  for (const { id } of exercises) {
    assert.equal(r.rows.get(`raft.js ${id}`)?.result, 'solved', `${id}: ${JSON.stringify(r.rows.get(`raft.js ${id}`))}`);
    assert.equal(r.rows.get(`skeleton.js ${id}`)?.result, 'not solved', id);
    assert.equal(r.rows.get(`naive.js ${id}`)?.result, 'not solved', id);
  }
  // The split-brain story: the naive node fails it because two writers both won, which the
  // linearizability checker sees (not merely because it reports nothing).
  assert.match(r.rows.get('naive.js node-no-minority-commit').detail, /expect linearizable/);
  assert.match(r.rows.get('naive.js node-fresh-reads').detail, /expect linearizable/);
});

test('--grade: one row per (file, exercise), a total, exit 0 only if all solved; bad hand-ins are rows, not crashes', () => {
  const solution = read('exercises/solutions/node-elect-leader.scn');
  const cheat = solution
    .split('\n')
    .filter((l) => !l.startsWith('expect'))
    .join('\n');
  const r = grade({
    'ada.scn': `# exercise: node-elect-leader\n${solution}`,
    'bob.scn': `# exercise: node-elect-leader\n${cheat}`,
    'cy.scn': '# exercise: no-such-exercise\nnodes 3\n',
    'dee.js': `// exercise: node-elect-leader, node-commit-majority\n${starter('raft.js')}`,
    'eve.js': '// exercise: node-elect-leader\nexport default function node(ctx) {\n  return {\n    onStart() { ctx.setTimer("t", 10); },\n    onTimer() {\n      for (;;) {}\n    },\n  };\n}\n',
    'fay.js': '// exercise: node-elect-leader\nexport default function node(ctx) {\n  return { onStart( };\n}\n',
    'gus.js': '// exercise: node-elect-leader\nexport default function node(ctx) {\n  return { onStart() { throw new Error("not yet"); } };\n}\n',
    'hal.js': '// exercise: elect-leader\nexport default () => ({});\n',
    // A second endless loop, elsewhere, graded at the same time: each row names its own line.
    'jay.js': '// exercise: node-elect-leader\nexport default function node(ctx) {\n  return {\n    onStart() { ctx.setTimer("t", 20); },\n    onTimer() {\n      let x = 0;\n      while (x < 1) {}\n    },\n  };\n}\n',
    // The crashes of the setup taken out: solved by other faults, not by the code.
    'ian.scn': `# exercise: node-elect-leader\n${solution.replace('crash S1\n', '')}`,
  });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.rows.get('ada.scn node-elect-leader').result, 'solved');
  assert.equal(r.rows.get('bob.scn node-elect-leader').result, 'goal missing');
  assert.equal(r.rows.get('cy.scn no-such-exercise').result, 'unknown exercise');
  assert.equal(r.rows.get('dee.js node-elect-leader').result, 'solved');
  assert.equal(r.rows.get('dee.js node-commit-majority').result, 'solved');
  assert.ok(!r.rows.has('dee.js node-fresh-reads'), 'a .js file naming its exercises is graded against those only');
  const loop = r.rows.get('eve.js node-elect-leader');
  assert.equal(loop.result, 'endless loop');
  // Server, event, simulated time and the line of the loop (line 6 of the file, the module).
  assert.match(loop.detail, /^S\d did not return within 1 s in onTimer\(t\) at 10ms: stopped .*node\.js:6:\d+, scenario line \d+\)$/);
  assert.match(r.rows.get('jay.js node-elect-leader').detail, /in onTimer\(t\) at 20ms: stopped .*node\.js:7:\d+, scenario line \d+\)$/);
  assert.equal(r.rows.get('fay.js node-elect-leader').result, 'invalid');
  assert.match(r.rows.get('fay.js node-elect-leader').detail, /does not parse: SyntaxError: .*module line 3/);
  assert.equal(r.rows.get('gus.js node-elect-leader').result, 'error');
  assert.match(r.rows.get('gus.js node-elect-leader').detail, /S1 failed in onStart at 0ms: Error: not yet \(.*node\.js:3:\d+/);
  assert.equal(r.rows.get('hal.js elect-leader').result, 'not a node exercise');
  assert.equal(r.rows.get('ian.scn node-elect-leader').result, 'setup changed');
  assert.match(r.rows.get('ian.scn node-elect-leader').detail, /expected 'crash S1' where the file has 'crash S5'/);
  assert.equal(r.total, '3 of 11 solved');
  // All solved: exit 0.
  const ok = grade({ 'ada.scn': `# exercise: node-elect-leader\n${solution}` });
  assert.equal(ok.status, 0, ok.stdout);
  assert.equal(ok.total, '1 of 1 solved');
  // Usage errors exit 2.
  assert.equal(judge(['--grade']).status, 2);
  assert.equal(judge(['--grade', join(root, 'no-such-dir')]).status, 2);
});

test('a single run with an endless loop is stopped too, and reported like a handler that throws (exit 1)', () => {
  const text = 'nodes 3\nprotocol js\ncode\nexport default function node(ctx) {\n  return {\n    onClient(req) {\n      while (req) {}\n    },\n  };\n}\nend\nput x 1\nrun 1s\n';
  const r = judge(['-', '--json'], text);
  assert.equal(r.status, 1, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.errors.length, 1);
  assert.match(rep.errors[0], /^(\d+)ms: S\d did not return within 1 s in onClient\(put x 1, request c1\.1\) at \1ms: stopped .*\(onClient, node\.js:4:\d+, scenario line 7\)$/);
  // An endless loop in the module's top level, before any handler.
  const top = judge(['-'], 'nodes 1\nprotocol js\ncode\nlet n = 0;\nwhile (n >= 0) n++;\nexport default () => ({});\nend\nrun 1s\n');
  assert.equal(top.status, 1, top.stderr);
  assert.match(top.stdout, /error: 0ms: the module's top level did not finish within 1 s: stopped \(an endless loop\?\) \(node\.js:2:\d+, scenario line 5\)/);
});

// The teaching Raft as a second implementation: these scenarios of the repository (written for
// the Rust Raft) run with `protocol js` and the teaching Raft, line numbers kept (the first
// comment line becomes `protocol js`, the code block goes at the end), and pass.
const RAFT_SCENARIOS = [
  'election',
  'replication',
  'leader-crash-before-commit',
  'leader-crash-after-commit',
  'split-brain',
  'majority-of-3',
  'majority-of-5',
  'no-agreement-without-majority',
  'every-server-restarts',
  'failed-follower',
  'deposed-leader-rejoins',
  'bike-booking-raft',
  'duplicated-request-outcome',
];

function asJs(text, code) {
  const lines = text.replace(/\n$/, '').split('\n');
  const at = lines.findIndex((l) => l.trim() === '' || l.trim().startsWith('#'));
  assert.ok(at >= 0 && lines.slice(at + 1).some((l) => /^(run|put|get|cas|crash|partition)\b/.test(l)), 'a comment line before the first action');
  lines[at] = 'protocol js';
  return `${lines.join('\n')}\ncode\n${code.replace(/\n$/, '')}\nend\n`;
}

test('the repository\'s Raft scenarios pass with the teaching Raft (protocol js): same expectations, same checkers', () => {
  const raft = starter('raft.js');
  for (const name of RAFT_SCENARIOS) {
    const text = read(`scenarios/${name}.scn`);
    const r = judge(['-', '--json'], asJs(text, raft));
    assert.ok(r.stdout, `${name}: ${r.stderr}`);
    const rep = JSON.parse(r.stdout);
    const failed = rep.expectations.filter((e) => !e.passed).map((e) => `line ${e.line} ${e.text}: ${e.detail}`);
    assert.equal(r.status, 0, `${name}: ${failed.join('; ')} ${rep.errors.join('; ')}`);
    assert.ok(rep.expectations.length >= 1, `${name}: expectations ran`);
    // The expectations are the Rust scenario's, on the same lines.
    const lines = text.split('\n').flatMap((l, i) => (/^expect /.test(l.trim()) ? [i + 1] : []));
    assert.deepEqual(rep.expectations.map((e) => e.line), lines, name);
    for (const [check, v] of Object.entries(rep.checks)) {
      assert.ok(v === 'ok' || text.includes('expect violation') || text.includes('expect not-linearizable'), `${name}: ${check} ${JSON.stringify(v)}`);
    }
  }
});

test('--fuzz 200 random fault schedules of the 5-server teaching Raft: no failure; the answer does not depend on --jobs', () => {
  const r = judge(['--fuzz', '200', 'scenarios/js/raft-survives-leader-crash.scn']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /200 random fault schedules, no failure/);
  const one = judge(['--fuzz', '6', 'scenarios/js/naive-split.scn', '--jobs', '1']);
  const three = judge(['--fuzz', '6', 'scenarios/js/naive-split.scn', '--jobs', '3']);
  assert.equal(one.status, 1);
  assert.equal(three.stdout, one.stdout);
  assert.equal(judge(['--fuzz', '6', 'scenarios/js/naive-split.scn', '--jobs', '0']).status, 2);
});
