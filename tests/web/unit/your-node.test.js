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
