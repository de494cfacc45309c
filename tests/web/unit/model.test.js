import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Model, MAX_STEP_MS, nextEventIn, patchFrame } from '../../../web/model.js';
import { initSync, Playground } from '../../../web/pkg/raft_wasm.js';

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

describe('frames: only what changed crosses from the module', () => {
  it('rebuilds a list from runs of the one it holds and new items', () => {
    const held = { frame: 4, messages: [{ id: 1 }, { id: 2 }, { id: 3 }], history: [], events: [], happened: [], nodes: [{ id: 'S1', log: [{ index: 1 }, { index: 2 }] }] };
    const frame = { frame: 5, messages: [[1, 2], { id: 4 }], history: [], events: [], happened: [], nodes: [{ id: 'S1', log: [[1, 1], { index: 3 }] }, { id: 'S2', log: [{ index: 1 }] }] };
    const snap = patchFrame(frame, held);
    expect(snap.messages).toEqual([{ id: 2 }, { id: 3 }, { id: 4 }]);
    expect(snap.messages[0]).toBe(held.messages[1]);
    expect(snap.nodes[0].log).toEqual([{ index: 2 }, { index: 3 }]);
    expect(snap.nodes[1].log).toEqual([{ index: 1 }]);
  });

  it('gives the snapshot the module gives, frame after frame, through writes, a crash, a partition and time travel', () => {
    initSync({ module: readFileSync(new URL('../../../web/pkg/raft_wasm_bg.wasm', import.meta.url)) });
    const m = new Model(Playground);
    m.load('nodes 7\nseed 5\nloss 10%\nsnapshot-every 10\n');
    let referred = 0;
    for (let i = 0; i < 300; i++) {
      m.tick(16, 1 + (i % 3));
      if (i % 9 === 0) m.act(`put k${i % 5} v${i}`);
      if (i === 100) m.act('crash S3');
      if (i === 150) m.act('partition S1 S2 | S3 S4 S5 S6 S7');
      if (i === 180) m.act('heal');
      if (i === 200) { m.pg.seek(1500); m.snap = null; }
      if (i === 220) m.act('restart S3');
      const snap = m.snapshot();
      const { frame, ...rest } = snap;
      expect(frame).toBeGreaterThan(0);
      expect(rest).toEqual(m.pg.snapshot());
      if (i > 0 && snap.history.length && snap.history[0] === m.prevFirstOp) referred++;
      m.prevFirstOp = snap.history[0];
    }
    expect(referred).toBeGreaterThan(100);
  });
});
