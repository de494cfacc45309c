// The article's figures (web/presets/presets.js): every one is there, well formed, and turns
// into the scenario text its panes play.
import { describe, it, expect } from 'vitest';
import { PRESETS, presetByName, paneScenario } from '../../../web/presets/presets.js';

const NAMES = ['conflicting-truth', 'bike-booking', 'leader-election', 'log-replication', 'majority-quorum', 'leader-crash', 'split-brain'];

describe('presets', () => {
  it('has the seven figures of the article, each with a title, a caption and narrated steps', () => {
    expect(PRESETS.map((p) => p.name)).toEqual(NAMES);
    for (const p of PRESETS) {
      expect(p.title.length).toBeGreaterThan(5);
      expect(p.caption.length).toBeGreaterThan(20);
      for (const v of p.variants) {
        expect(v.steps.length).toBeGreaterThanOrEqual(3);
        const times = v.steps.map((s) => s.at);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(v.endMs).toBeGreaterThanOrEqual(times.at(-1));
        for (const s of v.steps) expect(s.say.length).toBeGreaterThan(5);
      }
    }
  });

  it('offers the variants the article needs', () => {
    expect(presetByName('majority-quorum').variants.map((v) => v.id)).toEqual(['3', '5']);
    expect(presetByName('leader-crash').variants.map((v) => v.id).sort()).toEqual(['after-commit', 'before-commit']);
    const bike = presetByName('bike-booking').variants[0];
    expect(bike.panes.map((p) => p.id)).toEqual(['naive', 'raft']);
    expect(bike.panes[0].setup).toContain('protocol naive');
    expect(presetByName('conflicting-truth').variants[0].panes[0].setup).toContain('protocol naive');
  });

  it('turns a pane into the scenario it plays: setup, then each step at its instant', () => {
    const v = presetByName('split-brain').variants[0];
    const text = paneScenario(v, v.panes[0], 400);
    expect(text).toBe('nodes 5\nclient-timeout 10s\ntimeout S1\nrun 300ms\npartition S1 S2 | S3 S4 S5\nrun 100ms\nput bike42 alice via S1\n');
    expect(paneScenario(v, v.panes[0]).endsWith(`run ${v.endMs - v.steps.at(-1).at}ms\n`)).toBe(true);
  });
});
