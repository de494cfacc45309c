import { describe, it, expect } from 'vitest';
import { Model, MAX_STEP_MS, nextEventIn } from '../../../web/model.js';

class FakePlayground {
  constructor(text) {
    if (text.includes('bad')) throw new Error('line 1, column 1: expected a command');
    this.t = 0;
    this.advanced = [];
  }
  advance(ms) { this.t += ms; this.advanced.push(ms); }
  act(line) { if (line === 'nonsense') throw new Error('bad line'); }
  snapshot() { return { time_ms: this.t, messages: [], nodes: [], trace_hash: 'h' }; }
  recorded() { return ''; }
  traceHash() { return 'h'; }
}

describe('model time', () => {
  it('hands whole milliseconds to the simulator and carries the fraction', () => {
    const m = new Model(FakePlayground);
    m.load('');
    for (let i = 0; i < 10; i++) m.tick(16.7, 0.1); // 1.67 ms of simulated time each frame
    expect(m.pg.t).toBe(16);
    expect(m.pg.advanced.every((ms) => Number.isInteger(ms) && ms > 0)).toBe(true);
  });
  it('caps one frame at MAX_STEP_MS of simulated time', () => {
    const m = new Model(FakePlayground);
    m.load('');
    m.tick(1000, 10);
    expect(m.pg.t).toBe(MAX_STEP_MS);
  });
  it('keeps the old run when a new scenario is invalid', () => {
    const m = new Model(FakePlayground);
    m.load('');
    const first = m.pg;
    expect(() => m.load('bad')).toThrow(/line 1/);
    expect(m.pg).toBe(first);
  });
  it('finds the next delivery or timer for Step', () => {
    const snap = {
      time_ms: 100,
      messages: [{ deliver_ms: 130, dropped_ms: null }, { deliver_ms: 105, dropped_ms: 103 }],
      nodes: [{ running: true, timer: { kind: 'election', deadline_ms: 120 } }, { running: true, timer: null }],
    };
    expect(nextEventIn(snap)).toBe(20);
    expect(nextEventIn({ time_ms: 0, messages: [], nodes: [] })).toBeNull();
  });
});
