import { describe, it, expect } from 'vitest';
import {
  toggleServerLine, linkState, linkClickLines, cutLines, clientLine, latencyLine, percent, ACTIONS, ACTION_BY_KEY,
} from '../../../web/actions.js';

describe('server clicks', () => {
  it('crash a running server, restart a crashed one', () => {
    expect(toggleServerLine({ id: 'S2', running: true })).toBe('crash S2');
    expect(toggleServerLine({ id: 'S2', running: false })).toBe('restart S2');
  });
});

describe('link clicks cycle open → both → a→b → b→a → open', () => {
  const both = [{ from: 'S1', to: 'S2' }, { from: 'S2', to: 'S1' }];
  it('reads the state from one-way cuts', () => {
    expect(linkState([], 'S1', 'S2')).toBe('open');
    expect(linkState(both, 'S1', 'S2')).toBe('both');
    expect(linkState([both[0]], 'S1', 'S2')).toBe('a>b');
    expect(linkState([both[1]], 'S1', 'S2')).toBe('b>a');
  });
  it('adds a cut with cut and lifts one with uncut', () => {
    expect(linkClickLines('S1', 'S2', [])).toEqual(['cut S1 S2']);
    expect(linkClickLines('S1', 'S2', both)).toEqual(['uncut S2 -> S1']);
    expect(linkClickLines('S1', 'S2', [both[0]])).toEqual(['uncut S1 -> S2', 'cut S2 -> S1']);
    expect(linkClickLines('S1', 'S2', [both[1]])).toEqual(['uncut S2 -> S1']);
  });
  it('names only the clicked link, whatever other cuts there are', () => {
    const cuts = [{ from: 'S3', to: 'S4' }, { from: 'S4', to: 'S3' }, { from: 'S5', to: 'S1' }, { from: 'S2', to: 'S1' }];
    expect(linkClickLines('S1', 'S2', cuts)).toEqual(['uncut S2 -> S1']);
  });
  it('writes pairs cut both ways once', () => {
    expect(cutLines([{ from: 'S2', to: 'S1' }, { from: 'S1', to: 'S2' }])).toEqual(['cut S1 S2']);
  });
});

describe('client commands', () => {
  it('builds put, get and cas lines, with via', () => {
    expect(clientLine('put', { key: 'bike42', value: 'alice', via: '' })).toEqual({ line: 'put bike42 alice' });
    expect(clientLine('get', { key: 'bike42', value: 'x', via: 'S3' })).toEqual({ line: 'get bike42 via S3' });
    expect(clientLine('cas', { key: 'k', expected: '-', value: 'v', via: '' })).toEqual({ line: 'cas k - v' });
  });
  it('names the field that is wrong', () => {
    expect(clientLine('put', { key: 'a b', value: 'v' }).error).toMatch(/key/);
    expect(clientLine('put', { key: 'k', value: '' }).error).toMatch(/value/);
    expect(clientLine('cas', { key: 'k', expected: 'x'.repeat(33), value: 'v' }).error).toMatch(/expected/);
  });
});

describe('settings', () => {
  it('writes latency and percentages as the language does', () => {
    expect(latencyLine(20)).toBe('latency 10ms..30ms');
    expect(latencyLine(2)).toBe('latency 1ms..3ms');
    expect(percent('12.5')).toBe('12.5%');
    expect(percent(0)).toBe('0%');
  });
});

describe('the action table', () => {
  it('has unique ids and keys', () => {
    expect(new Set(ACTIONS.map((a) => a.id)).size).toBe(ACTIONS.length);
    const keys = ACTIONS.flatMap((a) => a.keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(ACTION_BY_KEY.get('k').id).toBe('toggle-pause');
  });
});
