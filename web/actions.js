// What a person can do, as scenario lines. Every input ends here: one table (ACTIONS, below)
// lists every action with its label, its keys, when it applies and its verb, and the buttons
// (data-action="…"), the keyboard shortcuts, a click on a server or a drawn link, a drop after a
// drag and the items of a server's menu all look their action up in it, in the page and in the
// figures alike. An action's verb is either the scenario lines it records (`lines`) or, for what
// does not change the run (pause, share, open a drawer), a call on the shell (`run`). Either
// way it goes one way: record it, apply it, render (perform, at the end).

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

/** `membership` of server `id` as the view model reports it: member, joining or removed. */
export function membershipOf(snap, id) {
  const n = snap.nodes.find((x) => x.id === id);
  return n ? n.membership : 'removed';
}

/** The servers `id` shares a partition group with (every other server when there is none). */
export function sameSide(snap, id) {
  const ids = snap.nodes.map((x) => x.id).filter((x) => x !== id);
  const groups = snap.partition_groups || [];
  const mine = groups.find((g) => g.includes(id));
  return mine && groups.length > 1 ? ids.filter((x) => mine.includes(x)) : ids;
}

/** What the next click on the link a–b (a before b) does, in words. */
export function linkLabel(cuts, a, b, peer) {
  return {
    both: `Cut link to ${peer}`,
    'a>b': `Link to ${peer}: block only ${a} to ${b}`,
    'b>a': `Link to ${peer}: block only ${b} to ${a}`,
    open: `Restore link to ${peer}`,
  }[NEXT_LINK_STATE[linkState(cuts, a, b)]];
}

/** The lines a drop records: the islands on the drawing as the network, nothing if it is so already. */
export function dropLines(want, have) {
  if (want === (have || '')) return [];
  return [want === '' ? 'heal' : `partition ${want}`];
}

const node = (snap, id) => snap.nodes.find((n) => n.id === id);

/**
 * The action table: every user action, once.
 * - `id`: the button's data-action (or a server menu item's data-server-action);
 * - `on`: what it acts on: 'page' and 'figure' (the shells' buttons and keys), 'server' (a
 *   click, a key or a menu item on one server; ctx = { snap, id }), 'link' (a drawn link or its
 *   menu item; ctx = { snap, ends: [a, b] }) or 'drop' (after a drag; ctx = { want, have });
 * - `label`: text or ctx → text, for the buttons and menus built from the table (the page's
 *   own buttons carry theirs in index.html);
 * - `keys`: keyboard shortcuts (page keys when focus is not in a form field; server keys on a
 *   focused server; '1-9' stands for each digit, passed on as ctx.n);
 * - `menu`: listed in a server's menu (in the table's order, then one item per link);
 * - `when(ctx)`: whether it applies now (a menu lists only what applies; a key does nothing
 *   otherwise);
 * - the verb: `lines(ctx)`, the scenario lines it records, or `run(shell, ctx)`.
 */
export const ACTIONS = [
  // The shells' buttons and keys.
  { id: 'toggle-pause', on: ['page', 'figure'], label: 'Play', keys: ['k'], run: (s) => s.setPaused(!s.paused) },
  { id: 'step', on: ['page'], label: 'Step', keys: ['s'], run: (s) => s.step() },
  { id: 'next-step', on: ['figure'], label: 'Next step', keys: [], run: (s) => s.nextStep() },
  { id: 'replay', on: ['figure'], label: 'Replay', keys: [], run: (s) => s.replay() },
  { id: 'prev-mark', on: ['page'], label: 'Previous mark', keys: ['['], run: (s) => s.timeline.jump(-1) },
  { id: 'next-mark', on: ['page'], label: 'Next mark', keys: [']'], run: (s) => s.timeline.jump(1) },
  { id: 'crash-leader', on: ['figure'], label: 'Crash leader', keys: [], full: true, lines: () => ['crash leader'] },
  { id: 'heal', on: ['page', 'figure'], label: 'Heal', keys: ['h'], full: true, run: (s) => s.heal() },
  { id: 'timeout-leader', on: ['page'], label: 'Leader times out', keys: ['t'], lines: () => ['timeout leader'] },
  { id: 'add-server', on: ['page'], label: 'Add server', keys: ['a'], run: (s) => s.addServer() },
  { id: 'put', on: ['page'], label: 'Put', keys: [], run: (s) => s.client('put') },
  { id: 'get', on: ['page'], label: 'Get', keys: [], run: (s) => s.client('get') },
  { id: 'cas', on: ['page'], label: 'CAS', keys: [], run: (s) => s.client('cas') },
  { id: 'book', on: ['page'], label: 'Book bike #42', keys: ['b'], run: (s) => s.book() },
  { id: 'share', on: ['page'], label: 'Share', keys: [], run: (s) => s.share() },
  { id: 'copy', on: ['page'], label: 'Copy', keys: [], run: (s) => s.copyScenario() },
  { id: 'open-editor', on: ['page'], label: 'Edit', keys: [], run: (s) => s.openEditor() },
  { id: 'run-editor', on: ['page'], label: 'Run', keys: [], run: (s) => s.runEditor() },
  { id: 'close-editor', on: ['page'], label: 'Close', keys: [], run: (s) => s.closeEditor() },
  { id: 'dismiss-error', on: ['page'], label: 'Dismiss', keys: [], run: (s) => s.clearError() },

  // One server: a click (or Enter, Space) crashes or restarts it; its menu lists the rest.
  {
    id: 'toggle', on: ['server'], menu: true, keys: ['Enter', ' '],
    label: ({ snap, id }) => (node(snap, id).running ? 'Crash' : 'Restart'),
    when: ({ snap, id }) => !!node(snap, id),
    lines: ({ snap, id }) => [toggleServerLine(node(snap, id))],
  },
  {
    id: 'transfer', on: ['server'], menu: true, keys: ['l'], label: 'Make leader',
    when: ({ snap, id }) => membershipOf(snap, id) === 'member' && snap.leader !== id,
    lines: ({ id }) => [`transfer ${id}`],
  },
  {
    id: 'remove', on: ['server'], menu: true, keys: ['Delete'], label: 'Remove from cluster',
    when: ({ snap, id }) => !!node(snap, id) && membershipOf(snap, id) !== 'removed',
    lines: ({ id }) => [`remove ${id}`],
  },
  {
    id: 'add', on: ['server'], menu: true, keys: ['Delete'], label: 'Add to cluster',
    when: ({ snap, id }) => !!node(snap, id) && membershipOf(snap, id) === 'removed',
    lines: ({ id }) => [`add ${id}`],
  },
  {
    id: 'menu', on: ['server'], keys: ['m', 'ContextMenu', 'Shift+F10'], label: 'Actions',
    when: ({ snap, id }) => !!node(snap, id),
    run: (pane, { id }) => pane.openMenu(id),
  },
  {
    // The keyboard's islands: 1, 2, 3 … move the focused server to that island.
    id: 'island', on: ['server'], keys: ['1-9'], label: 'Move to island',
    when: ({ snap, id }) => !!node(snap, id),
    run: (pane, { id, n }) => pane.moveToIsland(id, n),
  },

  // A link between two servers (drawn, or an item of a server's menu): one step of its cycle.
  {
    id: 'link', on: ['link'], keys: [],
    label: ({ snap, id, peer, ends }) => linkLabel(snap.cuts || [], ends[0], ends[1], peer ?? (ends[0] === id ? ends[1] : ends[0])),
    lines: ({ snap, ends }) => linkClickLines(ends[0], ends[1], snap.cuts || []),
  },

  // A drop after a drag: the islands on the drawing become the network.
  { id: 'drop', on: ['drop'], keys: [], label: 'Move', lines: ({ want, have }) => dropLines(want, have) },
];

export const ACTION_BY_ID = new Map(ACTIONS.map((a) => [a.id, a]));

/** The actions of one kind (`on`), in the table's order. */
export function actionsOn(kind) {
  return ACTIONS.filter((a) => a.on.includes(kind));
}

/** A key as the table writes it: "a", "Delete", "Shift+F10"; digits 1–9 are "1-9". */
export function keyName(e) {
  if (/^[1-9]$/.test(e.key)) return '1-9';
  if (e.key === 'F10' && e.shiftKey) return 'Shift+F10';
  return e.key.length === 1 ? e.key.toLowerCase() : e.key;
}

/** The action of kind `on` that key `name` does in context `ctx` (the first that applies). */
export function actionForKey(on, name, ctx) {
  return actionsOn(on).find((a) => a.keys.includes(name) && applies(a, ctx)) || null;
}

export function applies(action, ctx) {
  return !action.when || action.when(ctx);
}

export function labelOf(action, ctx) {
  return typeof action.label === 'function' ? action.label(ctx) : action.label;
}

/** Wire the buttons of `root` (data-action="…") to the table's actions of kind `on`. */
export function wireButtons(root, shell, on) {
  root.addEventListener('click', (e) => {
    const button = e.target.closest('[data-action]');
    if (!button || button.disabled) return;
    const action = ACTION_BY_ID.get(button.dataset.action);
    if (action && action.on.includes(on)) {
      e.preventDefault();
      perform(shell, action);
    }
  });
}

/**
 * Do `action` on `target` (a shell, or a pane for server, link and drop actions): record and
 * apply its lines through target.act (which renders), or run it. An action that does not apply,
 * or has nothing to record, only redraws.
 */
export function perform(target, action, ctx = {}) {
  if (!applies(action, ctx)) return false;
  if (action.run) {
    action.run(target, ctx);
    return true;
  }
  const lines = action.lines(ctx);
  if (lines.length) return target.act(lines);
  target.requestRender();
  return true;
}
