// The scenarios the "Your node" drawer builds (web/your-node/code-block.js) are the ones the
// simulator reads: Run's base scenario carries the editor's text verbatim (the judge runs it,
// with the node's line numbers intact), an exercise's setup with its code replaced runs, and
// Built-in Raft's is a plain Raft scenario `raft-sim` runs. Needs `scripts/build-wasm.sh` (the
// judge builds it on first use).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, judge } from './judge-run.mjs';
import { baseScenario, replaceCode, removeCode, extractCode } from '../../web/your-node/code-block.js';

/** The judge on scenario text, as `npm run judge -- - --json`. */
const judgeText = (text) => judge(['-', '--json'], text);

const starter = (name) => readFileSync(join(root, 'web/your-node/starters', `${name}.js`), 'utf8');

test("Run's scenario: the teaching Raft, verbatim (final newline and all), elects and commits", () => {
  const code = starter('raft');
  const text = `${baseScenario({ nodes: 3, seed: 5 }, code)}run until leader within 5s\nput x 1\nrun 1s\nexpect value x 1\nexpect leader\n`;
  assert.equal(extractCode(text), code);
  const r = judgeText(text);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.ok(rep.expectations.every((e) => e.passed));
});

test('a thrown error names the line of the editor text (the block keeps the module lines as typed)', () => {
  const code = 'export default function node(ctx) {\n  return {\n    onStart() {\n      throw new Error("at line 4");\n    },\n  };\n}';
  const r = judgeText(`${baseScenario({ nodes: 3, seed: 1 }, code)}run 1s\n`);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /node\.js:4:/);
});

test("an exercise's setup with the code replaced runs that code; Built-in Raft's runs the built-in Raft", () => {
  const setup = `# exercise: fixture\nnodes 3\nseed 2\nprotocol js\ncode\n${starter('skeleton')}\nend\nrun until leader within 5s\n`;
  const mine = judgeText(`${replaceCode(setup, starter('raft'))}expect leader\n`);
  assert.equal(mine.status, 0, mine.stdout + mine.stderr);
  // The skeleton never elects anyone: the same setup with its own code fails to.
  assert.equal(judgeText(`${setup}expect leader\n`).status, 1);
  const builtin = removeCode(setup);
  assert.doesNotMatch(builtin, /protocol js|^code$/m);
  const r = judgeText(`${builtin}expect leader\n`);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(JSON.parse(r.stdout).protocol, 'raft');
});
