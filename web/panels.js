// The HTML around the drawing, refreshed from each snapshot: the log table, the client
// operations, the event feed, the scenario's expectations, the settings controls, the
// headline. Like the drawing, it only reads the snapshot; each part is redrawn only when the
// part of the snapshot it shows has changed.

import { latencyRange } from './actions.js';
import { h, scrollToEndNextFrame, setText } from './dom.js';

/** How many log entries the table shows per row (the newest ones). */
const LOG_WINDOW = 22;
/** How many events the feed keeps. */
const FEED_MAX = 80;

/** Term colours cycle through this many hues (see style.css .term-0 … .term-7). */
const TERM_HUES = 8;

export function termClass(term) {
  return `term-${term % TERM_HUES}`;
}

/** The headline: who leads, or why nobody does. */
export function headline(snap) {
  const running = snap.nodes.filter((n) => n.running);
  const leaders = running.filter((n) => n.role === 'leader').sort((a, b) => b.term - a.term);
  const crashed = snap.nodes.length - running.length;
  const crashedText = crashed ? ` · ${crashed} crashed` : '';
  const splitText = snap.partition ? ' · network split' : '';
  if (leaders.length) {
    const l = leaders[0];
    const stale = leaders.length > 1 ? ` (also ${leaders.slice(1).map((x) => `${x.id} of term ${x.term}`).join(', ')})` : '';
    return `${l.id} leads term ${l.term}${stale}${crashedText}${splitText}`;
  }
  // Servers that report no Raft state (naive, or a JavaScript node that never reports): no
  // leader or term to speak of.
  if (snap.nodes.length && snap.nodes.every((n) => n.plain)) return `${running.length} of ${snap.nodes.length} servers running, no leader reported${splitText}`;
  const maxTerm = Math.max(0, ...snap.nodes.map((n) => n.term));
  const electing = running.some((n) => n.role === 'candidate' || n.role === 'pre-candidate');
  return `${electing ? 'Election under way' : 'No leader'} (term ${maxTerm})${crashedText}${splitText}`;
}

export function outcomeText(op, now) {
  if (op.outcome == null) return `pending ${Math.max(0, now - op.invoked_ms)} ms`;
  const took = op.completed_ms != null ? ` in ${op.completed_ms - op.invoked_ms} ms` : '';
  const result = op.op === 'get' && op.outcome === 'ok' ? ` → ${op.result == null ? '(absent)' : op.result}` : '';
  // What a failed cas found (absent included); one turned away by every server observed nothing.
  const seen = op.op === 'cas' && op.outcome === 'fail' ? op.observed : null;
  const failed = seen ? ` (it was ${seen.value ?? 'absent'})` : '';
  return `${op.outcome}${result}${failed}${took}`;
}

export function opText(op) {
  if (op.op === 'put') return `put ${op.key} ${op.value}`;
  if (op.op === 'get') return `get ${op.key}`;
  return `cas ${op.key} ${op.expected ?? '-'} ${op.value}`;
}

/** What identifies one client operation across frames, seeks and forks. */
export function opKey(op) {
  return `${op.line}|${opText(op)}|${op.invoked_ms}|${op.via || ''}`;
}

/** Set attribute `name` to `value` (null: remove it), only when it differs. */
function setAttr(el, name, value) {
  if (value == null) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) {
    el.setAttribute(name, value);
  }
}

/**
 * Make `tr`'s cells the described ones ({ tag, scope, class, text, title, label, snapshot }),
 * writing only what differs; cells are added or removed at the end as the count changes.
 */
function patchCells(tr, cells) {
  cells.forEach((c, i) => {
    let cell = tr.cells[i];
    if (cell && cell.localName !== c.tag) {
      const fresh = document.createElement(c.tag);
      cell.replaceWith(fresh);
      cell = fresh;
    } else if (!cell) {
      cell = tr.appendChild(document.createElement(c.tag));
    }
    setAttr(cell, 'scope', c.scope ?? null);
    setAttr(cell, 'class', c.class ?? null);
    setAttr(cell, 'title', c.title ?? null);
    setAttr(cell, 'aria-label', c.label ?? null);
    setAttr(cell, 'data-snapshot', c.snapshot ?? null);
    setText(cell, c.text);
  });
  while (tr.cells.length > cells.length) tr.cells[tr.cells.length - 1].remove();
}

/**
 * Whether server `n`'s row of the log table, from index `first` on, reads as that of `w` (the
 * server as last drawn; snapshots are never changed, so it can be kept): compared field by
 * field, building nothing. A frame keeps the objects of entries that did not change, so most
 * entries compare at `===`.
 */
function sameRow(n, w, first) {
  if (w.id !== n.id || w.running !== n.running || w.commit_index !== n.commit_index ||
    w.snapshot?.last_index !== n.snapshot?.last_index || w.snapshot?.last_term !== n.snapshot?.last_term) return false;
  const a = n.log;
  const b = w.log;
  let j = b.length;
  for (let i = a.length - 1; i >= 0 && a[i].index >= first; i--) {
    const e = a[i];
    const d = b[--j];
    if (e !== d && (!d || e.index !== d.index || e.term !== d.term || e.committed !== d.committed || e.command !== d.command)) return false;
  }
  if (j > 0 && b[j - 1].index >= first) return false;
  // The state machine: the same pairs in the same order.
  return n.state === w.state || JSON.stringify(n.state) === JSON.stringify(w.state);
}

export class Panels {
  constructor(root) {
    this.root = root;
    this.logTable = root.querySelector('[data-log-table]');
    this.ops = root.querySelector('[data-ops]');
    this.events = root.querySelector('[data-events]');
    this.eventsScroll = root.querySelector('[data-events-scroll]');
    this.checks = root.querySelector('[data-checks]');
    this.headline = root.querySelector('[data-headline]');
    this.clock = root.querySelector('[data-clock]');
    this.recordedEl = root.querySelector('[data-recorded]');
    // Whether the scenario view follows its newest line: true until the reader scrolls up.
    // Measured when the reader scrolls, never while a frame is being drawn (reading scroll
    // sizes then would force a layout of the whole page).
    this.recordedFollows = true;
    this.recordedEl.addEventListener('scroll', () => {
      const el = this.recordedEl;
      this.recordedFollows = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
    }, { passive: true });
    this.violation = root.querySelector('[data-violation]');
    this.controls = Object.fromEntries(
      [...root.querySelectorAll('[data-control]')].map((e) => [e.dataset.control, e]),
    );
    this.outs = Object.fromEntries([...root.querySelectorAll('[data-out]')].map((e) => [e.dataset.out, e]));
    this.readsNote = root.querySelector('[data-reads-note]');
    this.keys = {};
    this.logRows = []; // the servers the log table's rows were drawn from
    this.feedLast = null;
    this.opRows = new Map();
    this.opKeyOf = new WeakMap(); // operation object → its row key (opKey)
  }

  changed(part, key) {
    if (this.keys[part] === key) return false;
    this.keys[part] = key;
    return true;
  }

  /** Forget what was drawn (a new run starts). */
  reset() {
    this.keys = {};
    this.logColumns = null;
    this.feedLast = null;
    this.events.replaceChildren();
    this.ops.replaceChildren();
    this.opRows.clear();
  }

  render(snap) {
    this.clock.textContent = `${(snap.time_ms / 1000).toFixed(3)} s`;
    const head = headline(snap);
    if (this.changed('headline', head)) this.headline.textContent = head;
    this.renderLogs(snap);
    this.renderOps(snap);
    this.renderFeed(snap);
    this.renderChecks(snap);
    this.renderSettings(snap);
    this.renderViolations(snap);
  }

  renderLogs(snap) {
    // A log's entries are in index order: its last one has its highest index.
    let last = 0;
    for (const n of snap.nodes) {
      if (n.log.length) last = Math.max(last, n.log[n.log.length - 1].index);
      if (n.snapshot) last = Math.max(last, n.snapshot.last_index);
    }
    const first = Math.max(1, last - LOG_WINDOW + 1);
    // The snapshot starts the row: everything up to its last index, compacted away.
    const snapshots = snap.nodes.some((n) => n.snapshot);
    // The table as cells ({ tag, class, text, title, label, snapshot }), then written into the
    // cells already there: a changed log touches only the cells whose words changed. The
    // header when the columns moved (and then every row).
    const body = this.logTable.tBodies[0];
    const headRow = this.logTable.tHead.rows[0] || this.logTable.tHead.appendChild(h('tr'));
    const was = this.logColumns;
    if (this.changed('log-columns', `${first}-${last}-${snapshots}`)) {
      // The window moved on by `k` new indices (with the older-entries column before and after,
      // and no snapshot column): every row's cells move `k` columns left and `k` empty ones
      // come at the end, so a row whose entries did not change is right as it is.
      const k = first - was?.first;
      if (k > 0 && was.first > 1 && !snapshots && !was.snapshots && last - was.last === k && k <= last - first) {
        for (const tr of [headRow, ...body.rows]) {
          for (let j = 0; j < k; j++) {
            tr.cells[2].remove();
            tr.lastElementChild.before(document.createElement(tr === headRow ? 'th' : 'td'));
          }
        }
      } else {
        this.logRows = [];
      }
      this.logColumns = { first, last, snapshots };
      const head = [{ tag: 'th', scope: 'col', class: 'corner', text: 'index' }];
      if (snapshots) head.push({ tag: 'th', scope: 'col', class: 'snap-col', text: 'snapshot' });
      if (first > 1) head.push({ tag: 'th', scope: 'col', class: 'older', text: `…${first - 1}` });
      for (let i = first; i <= last; i++) head.push({ tag: 'th', scope: 'col', text: String(i) });
      head.push({ tag: 'th', scope: 'col', class: 'state-col', text: 'state machine' });
      patchCells(headRow, head);
    }

    const drawn = this.logRows;
    snap.nodes.forEach((n, r) => {
      // What the table shows: the window's entries only (older ones are out of sight), so that
      // the check costs the same however long the logs grow. A row is written only when it
      // reads differently from the server it was last drawn from (this runs every frame).
      if (drawn[r] && sameRow(n, drawn[r], first)) return;
      drawn[r] = n;
      const cells = [{ tag: 'th', scope: 'row', text: n.running ? n.id : `${n.id} ✕` }];
      if (snapshots) {
        const sn = n.snapshot;
        cells.push(sn
          ? { tag: 'td', class: 'snap-cell', text: `1–${sn.last_index} T${sn.last_term}`, snapshot: `${sn.last_index}/${sn.last_term}`,
            title: `${n.id}'s snapshot: entries 1 to ${sn.last_index} (the last of term ${sn.last_term}) compacted into its state machine` }
          : { tag: 'td', class: 'snap-cell none', text: '—' });
      }
      if (first > 1) cells.push({ tag: 'td', class: 'older', text: n.snapshot && n.snapshot.last_index >= first - 1 ? 'snap' : '' });
      const byIndex = new Map(n.log.map((e) => [e.index, e]));
      for (let i = first; i <= last; i++) {
        const e = byIndex.get(i);
        const c = { tag: 'td', class: null, text: '', title: null };
        if (e) {
          const committed = e.committed;
          c.class = `entry ${termClass(e.term)} ${committed ? 'committed' : 'uncommitted'}${e.command !== 'no-op' ? ' command' : ''}`;
          c.text = String(e.term);
          c.title = `index ${e.index}, term ${e.term}: ${e.command} — ${committed ? 'committed' : 'not committed yet'}`;
        } else if (n.snapshot && i <= n.snapshot.last_index) {
          c.class = 'entry snapshotted';
          c.text = 's';
          c.title = `index ${i} is inside ${n.id}'s snapshot`;
        }
        if (i === n.commit_index) {
          c.class = c.class ? `${c.class} commit-mark` : 'commit-mark';
          c.label = `${c.text || 'empty'}, commit index`;
        }
        cells.push(c);
      }
      const kv = Object.entries(n.state || {}).map(([k, v]) => `${k}=${v}`).join(' ');
      cells.push({ tag: 'td', class: 'state-col', text: kv || '—' });
      let tr = body.rows[r];
      if (!tr) tr = body.appendChild(h('tr'));
      setAttr(tr, 'data-log-node', n.id);
      setAttr(tr, 'class', n.running ? '' : 'crashed');
      patchCells(tr, cells);
    });
    drawn.length = snap.nodes.length;
    while (body.rows.length > snap.nodes.length) body.rows[body.rows.length - 1].remove();
  }

  /**
   * The operations of the run at the shown instant, one row per operation, keyed by the
   * operation itself (its line, what it does and when it was invoked): after going back in
   * time the rows of operations that do not exist yet go, and a new request in a forked run
   * gets its own row even when it reuses a line number of the abandoned future.
   */
  renderOps(snap) {
    const now = snap.time_ms;
    const list = snap.history || [];
    if (list.length === 0) {
      if (this.opRows.size) this.opRows.clear();
      if (this.changed('ops-empty', 'y')) this.ops.replaceChildren(h('li', { class: 'empty' }, 'No operations yet. Try Put, or book bike #42.'));
      return;
    }
    if (this.keys['ops-empty'] === 'y' || this.opRows.size === 0) this.ops.replaceChildren();
    this.keys['ops-empty'] = null;
    const seen = new Set();
    let added = false;
    for (const op of list) {
      // A frame keeps the objects of operations that did not change (model.js): their keys
      // are remembered, and a row drawn from the very same finished operation is as it was.
      let key = this.opKeyOf.get(op);
      if (key === undefined) {
        key = opKey(op);
        this.opKeyOf.set(op, key);
      }
      seen.add(key);
      let row = this.opRows.get(key);
      if (row && row.op === op && op.outcome != null) continue;
      if (!row) {
        const li = h('li', { 'data-op-line': op.line });
        const what = h('span', { class: 'op-what' }, `${opText(op)}`);
        const line = h('span', { class: 'op-line' }, `line ${op.line}`);
        const out = h('span', { class: 'op-outcome' });
        li.append(line, what, out);
        this.ops.append(li);
        row = { li, out };
        this.opRows.set(key, row);
        added = true;
      }
      row.op = op;
      const outcome = op.outcome || 'pending';
      const text = outcomeText(op, now);
      setText(row.out, text);
      if (row.li.dataset.outcome !== outcome) {
        row.li.dataset.outcome = outcome;
        row.li.className = `op outcome-${outcome}`;
      }
    }
    for (const [key, row] of this.opRows) {
      if (!seen.has(key)) {
        row.li.remove();
        this.opRows.delete(key);
      }
    }
    if (added) scrollToEndNextFrame(this.ops);
  }

  renderFeed(snap) {
    const events = snap.events || [];
    const keyOf = (e) => `${e.time_ms}|${e.text}`;
    let start = 0;
    if (this.feedLast) {
      let found = -1;
      for (let i = events.length - 1; i >= 0; i--) {
        if (keyOf(events[i]) === this.feedLast) {
          found = i;
          break;
        }
      }
      if (found >= 0) start = found + 1;
      else this.events.replaceChildren();
    }
    if (start >= events.length) return;
    const frag = document.createDocumentFragment();
    for (const e of events.slice(start)) {
      const li = h('li');
      li.append(h('span', { class: 'ev-time' }, `${(e.time_ms / 1000).toFixed(3)} s`), ' ', e.text);
      frag.append(li);
    }
    this.events.append(frag);
    while (this.events.childElementCount > FEED_MAX) this.events.firstElementChild.remove();
    this.feedLast = keyOf(events[events.length - 1]);
    scrollToEndNextFrame(this.eventsScroll);
  }

  renderChecks(snap) {
    const list = snap.expectations || [];
    // The text and detail too: after a fork, another expectation may stand on the same line.
    const sig = list.map((x) => `${x.line}${x.passed}${x.undecided}${x.text}|${x.detail}`).join(',');
    if (!this.changed('checks', sig)) return;
    this.checks.hidden = list.length === 0;
    // An expectation that failed only because the linearizability checker could not decide.
    const mark = (x) => (x.passed ? '✓ passed' : x.undecided ? '? undecided' : '✗ failed');
    this.checks.replaceChildren(
      ...list.map((x) => h('li', { class: x.passed ? 'passed' : x.undecided ? 'undecided' : 'failed' },
        `${mark(x)} — line ${x.line}: ${x.text}${x.detail ? ` (${x.detail})` : ''}`)),
    );
  }

  renderSettings(snap) {
    const s = snap.settings;
    if (!s) return;
    const c = this.controls;
    const active = document.activeElement;
    const put = (el, value, prop = 'value') => {
      if (el && el !== active && el[prop] !== value) el[prop] = value;
    };
    if (c.nodes && this.changed('nodes-options', String(s.nodes))) {
      if (c.nodes.options.length !== 9) {
        c.nodes.replaceChildren(...Array.from({ length: 9 }, (_, i) => h('option', { value: i + 1 }, String(i + 1))));
      }
      c.via.replaceChildren(
        h('option', { value: '' }, 'auto'),
        ...snap.nodes.map((n) => h('option', { value: n.id }, n.id)),
      );
    }
    put(c.nodes, String(s.nodes));
    put(c.seed, String(s.seed));
    put(c.prevote, !!s.prevote, 'checked');
    put(c['check-quorum'], !!s.check_quorum, 'checked');
    put(c.reads, s.reads);
    if (this.readsNote) this.readsNote.hidden = s.reads !== 'lease';
    // A slider that was just moved shows its own value until the setting has been applied.
    if (this.previewUntil && performance.now() < this.previewUntil) return;
    put(c.loss, String(Math.round(s.loss_pct)));
    put(c.duplicate, String(Math.round(s.duplicate_pct)));
    const mean = Math.round((s.latency_min_ms + s.latency_max_ms) / 2);
    put(c.latency, String(mean));
    setText(this.outs.loss, `${s.loss_pct}%`);
    setText(this.outs.duplicate, `${s.duplicate_pct}%`);
    setText(this.outs.latency, `${s.latency_min_ms}–${s.latency_max_ms} ms`);
  }

  /** While a slider moves, show what it will set (and keep it shown until it is set). */
  preview(name, value) {
    if (name === 'latency') {
      const { lo, hi } = latencyRange(value);
      this.outs.latency.textContent = `${lo}–${hi} ms`;
    } else {
      this.outs[name].textContent = `${value}%`;
    }
    this.previewUntil = performance.now() + 600;
  }

  renderViolations(snap) {
    const v = snap.violations || [];
    const sig = v.map((x) => `${x.property}@${x.at_ms}`).join(',');
    if (!this.changed('violations', sig)) return;
    this.violation.hidden = v.length === 0;
    if (v.length === 0) {
      this.violation.replaceChildren();
      return;
    }
    this.violation.replaceChildren(
      h('strong', {}, 'Safety violated. '),
      ...v.map((x) => h('span', { class: 'violation-item' },
        `${x.property} at ${(x.at_ms / 1000).toFixed(3)} s: ${x.detail}. `)),
    );
  }

  /** The recorded scenario, shown and kept for Copy and Share. */
  renderRecorded(text) {
    if (this.recordedEl.textContent !== text) {
      this.recordedEl.textContent = text;
      if (this.recordedFollows) scrollToEndNextFrame(this.recordedEl);
    }
  }
}
