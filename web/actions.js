// What a person can do, as scenario lines. Every input (button, key, click, drag) ends here:
// the table below is shared by the buttons (data-action="…") and the keyboard shortcuts, and
// every change to the run is one or more scenario lines handed to app.act (record → apply →
// render: the next frame shows the result).

import { byNodeNumber } from './geometry.js';

/** Keys and values of client commands (SCENARIO.md, lexical rules). */
export const TOKEN = /^[A-Za-z0-9_.:-]{1,32}$/;

/** Who books bike #42 on each click of "Book bike #42": a new person every time. */
export const BOOKERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];

/** The line a click on a server sends: a running server crashes, a crashed one restarts. */
export function toggleServerLine(node) {
  return node.running ? `crash ${node.id}` : `restart ${node.id}`;
}

/**
 * State of the link between a and b (a before b) from the snapshot's one-way cuts:
 * 'open', 'both' (cut both ways), 'a>b' (a → b blocked only) or 'b>a'.
 */
export function linkState(cuts, a, b) {
  const ab = cuts.some((c) => c.from === a && c.to === b);
  const ba = cuts.some((c) => c.from === b && c.to === a);
  if (ab && ba) return 'both';
  if (ab) return 'a>b';
  if (ba) return 'b>a';
  return 'open';
}

/** Clicking a link cycles it: open → cut both ways → a → b only → b → a only → open. */
export const NEXT_LINK_STATE = { open: 'both', both: 'a>b', 'a>b': 'b>a', 'b>a': 'open' };

/** One-way cuts as scenario lines, a pair cut both ways written once as `cut A B`. */
export function cutLines(cuts) {
  const lines = [];
  const seen = new Set();
  const sorted = [...cuts].sort((x, y) => byNodeNumber(x.from, y.from) || byNodeNumber(x.to, y.to));
  for (const c of sorted) {
    const key = `${c.from}>${c.to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const back = `${c.to}>${c.from}`;
    if (sorted.some((d) => d.from === c.to && d.to === c.from)) {
      seen.add(back);
      const [a, b] = [c.from, c.to].sort(byNodeNumber);
      lines.push(`cut ${a} ${b}`);
    } else {
      lines.push(`cut ${c.from} -> ${c.to}`);
    }
  }
  return lines;
}

/**
 * Lines that move the link a–b (a before b) to its next state: `cut` adds a cut, `uncut` lifts
 * one and leaves the partition and every other cut as they are.
 */
export function linkClickLines(a, b, cuts) {
  return {
    open: [`cut ${a} ${b}`],
    both: [`uncut ${b} -> ${a}`],
    'a>b': [`uncut ${a} -> ${b}`, `cut ${b} -> ${a}`],
    'b>a': [`uncut ${b} -> ${a}`],
  }[linkState(cuts, a, b)];
}

/** `latency` line for a mean one-way delay: the delay is drawn from half to one and a half of it. */
export function latencyRange(meanMs) {
  const lo = Math.max(1, Math.round(meanMs / 2));
  const hi = Math.max(lo, Math.round((meanMs * 3) / 2));
  return { lo, hi };
}

export function latencyLine(meanMs) {
  const { lo, hi } = latencyRange(meanMs);
  return `latency ${lo}ms..${hi}ms`;
}

/** Percentages as the language writes them: "12.5%", "0%". */
export function percent(v) {
  return `${Math.round(Number(v) * 10) / 10}%`;
}

/**
 * The client command for op ('put' | 'get' | 'cas') from the panel's fields, or an error
 * message naming the field that is wrong.
 */
export function clientLine(op, { key, value, expected, via }) {
  const bad = (name, v) => `${name} must be 1 to 32 letters, digits or _ . : - (found ${v.length > 40 ? `"${v.slice(0, 32)}…", ${v.length} characters` : `"${v}"`})`;
  if (!TOKEN.test(key)) return { error: bad('The key', key) };
  let line;
  if (op === 'put') {
    if (!TOKEN.test(value)) return { error: bad('The value', value) };
    line = `put ${key} ${value}`;
  } else if (op === 'get') {
    line = `get ${key}`;
  } else if (op === 'cas') {
    if (!TOKEN.test(expected)) return { error: bad('The expected value', expected) };
    if (!TOKEN.test(value)) return { error: bad('The value', value) };
    line = `cas ${key} ${expected} ${value}`;
  } else {
    return { error: `unknown operation ${op}` };
  }
  if (via) line += ` via ${via}`;
  return { line };
}

/**
 * The action table. `id` is the button's data-action; `keys` are keyboard shortcuts (used
 * when focus is not in a form field); `run(app)` does it. Labels live on the buttons.
 */
export const ACTIONS = [
  { id: 'toggle-pause', keys: ['k'], run: (app) => app.setPaused(!app.paused) },
  { id: 'step', keys: ['s'], run: (app) => app.step() },
  { id: 'prev-mark', keys: ['['], run: (app) => app.timeline.jump(-1) },
  { id: 'next-mark', keys: [']'], run: (app) => app.timeline.jump(1) },
  { id: 'heal', keys: ['h'], run: (app) => app.heal() },
  { id: 'timeout-leader', keys: ['t'], run: (app) => app.act(['timeout leader']) },
  { id: 'add-server', keys: ['a'], run: (app) => app.addServer() },
  { id: 'put', keys: [], run: (app) => app.client('put') },
  { id: 'get', keys: [], run: (app) => app.client('get') },
  { id: 'cas', keys: [], run: (app) => app.client('cas') },
  { id: 'book', keys: ['b'], run: (app) => app.book() },
  { id: 'share', keys: [], run: (app) => app.share() },
  { id: 'copy', keys: [], run: (app) => app.copyScenario() },
  { id: 'open-editor', keys: [], run: (app) => app.openEditor() },
  { id: 'run-editor', keys: [], run: (app) => app.runEditor() },
  { id: 'close-editor', keys: [], run: (app) => app.closeEditor() },
  { id: 'dismiss-error', keys: [], run: (app) => app.clearError() },
];

export const ACTION_BY_ID = new Map(ACTIONS.map((a) => [a.id, a]));
export const ACTION_BY_KEY = new Map(ACTIONS.flatMap((a) => a.keys.map((k) => [k, a])));
