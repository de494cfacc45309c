import { describe, it, expect } from 'vitest';
import { codeOf, describeCall } from '../../../web/your-node/describe.js';
import { Model, MAX_STEP_MS } from '../../../web/model.js';

describe("a scenario's code block", () => {
  it('is the lines between `code` and `end`, with the scenario line before its first', () => {
    const text = 'nodes 3\nprotocol js\ncode  # the node\nexport default () => ({});\n  end  \nrun 1s\n';
    expect(codeOf(text)).toEqual({ code: 'export default () => ({});', offset: 3 });
  });
  it('is null without one', () => {
    expect(codeOf('nodes 3\nrun 1s\n')).toEqual({ code: null, offset: 0 });
  });
});

describe('what a person is told about a handler call', () => {
  const call = (input) => describeCall('S2', JSON.stringify({ now: 1234, ...input }));
  it('names the message type and its sender, the timer, the client request', () => {
    expect(call({ kind: 'message', from: 'S1', msg: JSON.stringify({ type: 'Vote', term: 2 }) })).toEqual({ server: 'S2', event: 'message Vote from S1', timeMs: 1234 });
    expect(call({ kind: 'timer', name: 'election' }).event).toBe('timer election');
    expect(call({ kind: 'client', req: { id: 'c1.4', op: 'put', key: 'x', value: '1' } }).event).toBe('client put x 1 (request c1.4)');
    expect(call({ kind: 'client', req: { id: 'c1.5', op: 'get', key: 'x' } }).event).toBe('client get x (request c1.5)');
    expect(call({ kind: 'start' }).event).toBe('start');
  });
  it('says what it can of an input it cannot read', () => {
    expect(describeCall('S1', 'not json')).toEqual({ server: 'S1', event: 'a handler', timeMs: null });
  });
});

describe("a run's own limit on simulated time per frame", () => {
  it('a handle that runs off the page thread may take more than MAX_STEP_MS a frame', () => {
    const asked = [];
    const m = new Model(class {
      constructor() {
        this.maxStepMs = 2000;
      }
      advance(ms) {
        asked.push(ms);
      }
    });
    m.load('');
    m.tick(100, 100); // 10 s of simulated time wanted
    m.pg.maxStepMs = undefined;
    m.tick(100, 100);
    expect(asked).toEqual([2000, MAX_STEP_MS]);
  });
});

import { guardLoops, blankOut } from '../../../web/your-node/guard.js';

describe('loop guards (the replay that finds a hung handler)', () => {
  it('guard every while and for loop (the condition, or the block of a for…of/in), keeping lines, skipping strings and comments', () => {
    const code = [
      "const s = 'while (x)'; // for (;;)",
      'function f(xs) {',
      '  while (x = next()) n++;',
      '  for (;;) { if (done) break; }',
      '  for (let i = 0; i < n; i++) g(i);',
      '  for (const x of xs) h(x);',
      '  do { k++; } while (k < 3);',
      '  const r = /while \\(/.test(s);',
      '  for (const k in o) { h(k); }',
      '  for (const [a, b] of m.entries())',
      '  {',
      '    g(a, b);',
      '  }',
      '}',
    ].join('\n');
    const out = guardLoops(code);
    expect(out.split('\n').length).toBe(code.split('\n').length);
    expect(out.split('\n')[0]).toBe(code.split('\n')[0]);
    expect(out).toContain('while (__yourNodeLoopGuard(3,3),x = next())');
    expect(out).toContain('for (;__yourNodeLoopGuard(4,3);)');
    expect(out).toContain('for (let i = 0;__yourNodeLoopGuard(5,3), i < n; i++)');
    expect(out).toContain('for (const x of xs) h(x);'); // a body without braces keeps no guard
    expect(out).toContain('for (const k in o) {__yourNodeLoopGuard(9,3); h(k); }');
    expect(out.split('\n')[10]).toBe('  {__yourNodeLoopGuard(10,3);');
    expect(out).toContain('while (__yourNodeLoopGuard(7,15),k < 3)');
    expect(out.split('\n')[7]).toBe(code.split('\n')[7]);
    // Still a valid program, and it runs as before while the guard lets it.
    let calls = 0;
    const run = new Function('__yourNodeLoopGuard', `${out}\nreturn f;`);
    expect(typeof run(() => ++calls > 0)).toBe('function');
  });
  it('blanks strings, templates, comments and regular expressions, same length', () => {
    const code = "a = `x${y}` + \"q\" /* c */ + /re[/]/g; // d";
    const out = blankOut(code);
    expect(out.length).toBe(code.length);
    expect(out.replace(/ +/g, ' ')).toBe('a = + + g; '); // (a regular expression's flags stay)
  });
});
