import { describe, it, expect } from 'vitest';
import {
  VIEW, serverHome, serverRadius, islandThreshold, islands, partitionText,
  messagePoint, messageFraction, arcPath, layoutPartition, clampToBox, distance, linkPairs, ring, settle, minimumGap,
} from '../../../web/geometry.js';

const ids = (n) => Array.from({ length: n }, (_, i) => `S${i + 1}`);

function islandsOf(count, moved) {
  const list = ids(count);
  const home = (id) => serverHome(list.indexOf(id), count);
  const pos = (id) => moved[id] || home(id);
  return islands(list, pos, home, islandThreshold(count));
}

describe('ring', () => {
  it('puts S1 at the top and the others clockwise, all inside the drawing', () => {
    for (let n = 1; n <= 9; n++) {
      const r = serverRadius(n);
      for (let i = 0; i < n; i++) {
        const p = serverHome(i, n);
        expect(p.x - r).toBeGreaterThanOrEqual(0);
        expect(p.x + r).toBeLessThanOrEqual(VIEW.width);
        expect(p.y - r - 22).toBeGreaterThanOrEqual(0); // room for the crown
        expect(p.y + r + 30).toBeLessThanOrEqual(VIEW.height); // room for the labels
      }
    }
    const top = serverHome(0, 5);
    const c = ring(5);
    expect(top.x).toBeCloseTo(c.x);
    expect(top.y).toBeLessThan(c.y);
    expect(serverHome(1, 5).x).toBeGreaterThan(c.x); // S2 is to the right: clockwise
  });

  it('keeps servers from overlapping at home', () => {
    for (let n = 2; n <= 9; n++) {
      expect(distance(serverHome(0, n), serverHome(1, n))).toBeGreaterThan(2 * serverRadius(n) + 10);
    }
  });
});

describe('islands', () => {
  it('servers at home are one island whatever the ring spacing', () => {
    for (let n = 1; n <= 9; n++) expect(islandsOf(n, {})).toEqual([ids(n)]);
  });

  it('S1 then S2 dragged to the left edge side by side give S1 S2 | S3 S4 S5', () => {
    const r = serverRadius(5);
    const groups = islandsOf(5, { S1: { x: r, y: 180 }, S2: { x: r, y: 250 } });
    expect(partitionText(groups)).toBe('S1 S2 | S3 S4 S5');
  });

  it('a server dragged far from everybody is alone; one dropped near the ring rejoins', () => {
    expect(partitionText(islandsOf(5, { S3: { x: 30, y: 30 } }))).toBe('S1 S2 S4 S5 | S3');
    const s2 = serverHome(1, 5);
    expect(partitionText(islandsOf(5, { S3: { x: s2.x + 40, y: s2.y - 60 } }))).toBe('');
  });

  it('three islands, ordered by their first server', () => {
    const groups = islandsOf(5, { S5: { x: 30, y: 40 }, S2: { x: 690, y: 400 }, S4: { x: 680, y: 350 } });
    expect(partitionText(groups)).toBe('S1 S3 | S2 S4 | S5');
  });
});

describe('partition text', () => {
  it('parses, sorts and prints', () => {
    expect(partitionText([['S3', 'S4', 'S5'], ['S2', 'S1']])).toBe('S1 S2 | S3 S4 S5');
    expect(partitionText([['S1', 'S2', 'S3']])).toBe('');
    expect(partitionText([['S10', 'S2'], ['S1']])).toBe('S1 | S2 S10');
  });

});

describe('messages', () => {
  const a = { x: 0, y: 0 };
  const b = { x: 100, y: 0 };
  it('move from rim to rim, on a lane to the right of travel', () => {
    expect(messagePoint(a, b, 0, 10)).toMatchObject({ x: 10, y: 0 });
    expect(messagePoint(a, b, 1, 10)).toMatchObject({ x: 90, y: 0 });
    expect(messagePoint(a, b, 0.5, 0, 5)).toMatchObject({ x: 50, y: 5 });
    expect(messagePoint(b, a, 0.5, 0, 5)).toMatchObject({ x: 50, y: -5 });
  });
  it('are placed by time, and a dropped one stops where it died', () => {
    const m = { sent_ms: 100, deliver_ms: 120, dropped_ms: null };
    expect(messageFraction(m, 100)).toBe(0);
    expect(messageFraction(m, 110)).toBe(0.5);
    expect(messageFraction(m, 200)).toBe(1);
    expect(messageFraction({ ...m, dropped_ms: 105 }, 150)).toBe(0.25);
  });
});

describe('drawing helpers', () => {
  it('arcs drain from a full circle to nothing', () => {
    expect(arcPath(0, 0, 10, 0)).toBe('');
    expect(arcPath(0, 0, 10, 1)).toMatch(/^M 0 -10 A/);
    expect(arcPath(0, 0, 10, 0.25)).toBe('M 0 -10 A 10 10 0 0 1 10 0');
    expect(arcPath(0, 0, 10, 0.75)).toContain(' 1 1 ');
  });
  it('clamps dragged servers into the drawing', () => {
    expect(clampToBox({ x: -50, y: 9999 }, 30)).toEqual({ x: 52, y: VIEW.height - 60 });
  });
  it('settles a server dropped on top of another next to it, close enough to share an island', () => {
    const other = { x: 100, y: 200 };
    const p = settle({ x: 100, y: 230 }, [other], 5);
    expect(p.x).toBeCloseTo(100);
    expect(distance(p, other)).toBeCloseTo(minimumGap(5));
    expect(minimumGap(5)).toBeLessThan(islandThreshold(5));
    expect(settle({ x: 300, y: 300 }, [other], 5)).toEqual({ x: 300, y: 300 });
  });
  it('lists every pair once', () => {
    expect(linkPairs(['S1', 'S2', 'S3']).map((p) => p.key)).toEqual(['S1-S2', 'S1-S3', 'S2-S3']);
  });
});

describe('layout of partitions from a scenario', () => {
  const cases = {
    5: ['S1 S2 | S3 S4 S5', 'S1 | S2 | S3 S4 S5', 'S1 S2 S3 | S4 S5', 'S1 S3 S4 S5 | S2', 'S1 | S2 | S3 | S4 | S5'],
    3: ['S1 | S2 S3', 'S1 | S2 | S3'],
    7: ['S1 S2 S3 | S4 S5 S6 S7', 'S1 | S2 | S3 | S4 S5 S6 S7', 'S1 S4 | S2 S7 | S3 S5 S6'],
    9: ['S1 S2 S3 S4 | S5 S6 S7 S8 S9', 'S1 S2 | S3 S4 | S5 S6 | S7 S8 S9', 'S1 | S2 | S3 | S4 | S5 | S6 S7 S8 S9'],
  };
  for (const [count, texts] of Object.entries(cases)) {
    for (const text of texts) {
      it(`${count} servers: ${text}`, () => {
        const n = Number(count);
        const moved = layoutPartition(text.split(' | ').map((g) => g.split(' ')), n);
        const list = ids(n);
        const home = (id) => serverHome(list.indexOf(id), n);
        const pos = (id) => moved.get(id) || home(id);
        expect(partitionText(islands(list, pos, home, islandThreshold(n)))).toBe(text);
        const r = serverRadius(n);
        for (const p of moved.values()) {
          expect(p.x - r).toBeGreaterThanOrEqual(0);
          expect(p.x + r).toBeLessThanOrEqual(VIEW.width);
        }
      });
    }
  }
});
