import { describe, it, expect } from 'vitest';
import {
  toggleServerLine, linkState, linkClickLines, cutLines, clientLine, latencyLine, percent, ACTIONS, ACTION_BY_ID,
  actionForKey, actionsOn, dropLines, perform,
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
  const snap = () => ({
    leader: 'S1',
    cuts: [{ from: 'S2', to: 'S1' }],
    nodes: [
      { id: 'S1', running: true, membership: 'member' },
      { id: 'S2', running: false, membership: 'member' },
      { id: 'S3', running: true, membership: 'removed' },
    ],
  });
  it('has unique ids, and a page key names one action', () => {
    expect(new Set(ACTIONS.map((a) => a.id)).size).toBe(ACTIONS.length);
    const keys = actionsOn('page').flatMap((a) => a.keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(actionForKey('page', 'k', {}).id).toBe('toggle-pause');
    expect(actionForKey('page', 'l', {})).toBe(null);
  });
  it('gives every action a verb: lines it records or a call on the shell', () => {
    for (const a of ACTIONS) expect(typeof (a.lines || a.run)).toBe('function');
  });
  it('picks the server key\'s action that applies: Delete removes a member, adds a removed server back', () => {
    expect(actionForKey('server', 'Delete', { snap: snap(), id: 'S2' }).id).toBe('remove');
    expect(actionForKey('server', 'Delete', { snap: snap(), id: 'S3' }).id).toBe('add');
    expect(actionForKey('server', 'l', { snap: snap(), id: 'S1' })).toBe(null); // S1 leads already
    expect(actionForKey('server', 'l', { snap: snap(), id: 'S2' }).id).toBe('transfer');
    expect(actionForKey('server', ' ', { snap: snap(), id: 'S9' })).toBe(null); // no such server
  });
  it('records the verb\'s lines through act, and only what applies', () => {
    const acted = [];
    let renders = 0;
    const target = { act: (lines) => acted.push(lines) > 0, requestRender: () => { renders += 1; } };
    perform(target, ACTION_BY_ID.get('toggle'), { snap: snap(), id: 'S2' });
    perform(target, ACTION_BY_ID.get('transfer'), { snap: snap(), id: 'S1' });
    perform(target, ACTION_BY_ID.get('link'), { snap: snap(), ends: ['S1', 'S2'] });
    perform(target, ACTION_BY_ID.get('drop'), { want: 'S1 | S2 S3', have: '' });
    perform(target, ACTION_BY_ID.get('drop'), { want: 'S1 | S2 S3', have: 'S1 | S2 S3' });
    perform(target, ACTION_BY_ID.get('timeout-leader'));
    expect(acted).toEqual([['restart S2'], ['uncut S2 -> S1'], ['partition S1 | S2 S3'], ['timeout leader']]);
    expect(renders).toBe(1); // the drop that changes nothing only redraws
  });
  it('a drop back home heals; a drop that changes nothing records nothing', () => {
    expect(dropLines('', 'S1 | S2 S3')).toEqual(['heal']);
    expect(dropLines('', '')).toEqual([]);
  });
  it('runs the shell\'s own verbs', () => {
    const shell = { paused: false, setPaused(p) { this.paused = p; } };
    perform(shell, ACTION_BY_ID.get('toggle-pause'));
    expect(shell.paused).toBe(true);
  });
});
