// Two lanes in step with the timeline, over the same window of simulated time that ends at the
// instant shown: a space-time diagram of messages (servers as horizontal lines, each message an
// arrow from its send to its delivery, a lost one ending in a cross) and the client history
// (each operation a bar from invocation to completion: ok, fail, unknown or pending, Porcupine
// style, with the operations of a linearizability violation marked). Messages come from the
// handle's bounded history, pg.messagesBetween(from, to), not from the snapshot.

import { messageKindClass } from './cluster-view.js';
import { svgEl as el } from './dom.js';

const LEFT = 26;
const RIGHT = 6;
const ROW = 11;
const OP_ROW = 14;
const OP_ROWS_MAX = 3;
/** While the run plays, the lanes are redrawn at most this often (wall ms). */
const REDRAW_RUNNING_MS = 150;

/** x of instant `t` in a window [t0, t0 + span] drawn `width` pixels wide. */
export function laneX(t, t0, span, width = 1000) {
  return LEFT + ((t - t0) / Math.max(1, span)) * (width - LEFT - RIGHT);
}

/**
 * Rows for operations so that bars in one row never overlap (greedy, by invocation).
 * Returns [{op, row}] for ops that fit in `maxRows`; the rest share the last row.
 */
export function stackOps(ops, now, maxRows = OP_ROWS_MAX) {
  const ends = [];
  const out = [];
  for (const op of [...ops].sort((a, b) => a.invoked_ms - b.invoked_ms || a.line - b.line)) {
    const end = op.completed_ms ?? now;
    let row = ends.findIndex((e) => e < op.invoked_ms);
    if (row < 0) row = ends.length < maxRows ? ends.length : maxRows - 1;
    ends[row] = Math.max(ends[row] ?? -1, end);
    out.push({ op, row });
  }
  return out;
}

export function opLabel(op) {
  const what = op.op === 'put' ? `put ${op.key} ${op.value}` : op.op === 'get' ? `get ${op.key}` : `cas ${op.key} ${op.expected ?? '-'} ${op.value}`;
  const out = op.outcome ?? 'pending';
  const got = op.op === 'get' && op.outcome === 'ok' ? ` → ${op.result ?? '(absent)'}` : '';
  return `line ${op.line}: ${what}: ${out}${got}`;
}

export class Lanes {
  constructor(box, app) {
    this.app = app;
    this.box = box;
    this.msgSvg = box.querySelector('[data-diagram]');
    this.opSvg = box.querySelector('[data-history-lane]');
    this.caption = box.querySelector('[data-message-summary]');
    this.windowSelect = box.querySelector('[data-control="window"]');
    this.spanMs = Number(this.windowSelect.value) || 2000;
    this.windowSelect.addEventListener('change', () => {
      this.spanMs = Number(this.windowSelect.value) || 2000;
      this.key = '';
    });
    this.key = '';
    this.drawnAt = -Infinity;
    this.msgLayout = '';
    this.msgOrigin = 0;
    this.msgEls = new Map();
    // The lanes' widths, kept by a ResizeObserver: reading clientWidth every frame would force
    // a layout of the whole page in the middle of drawing it, and so would reading it here, at
    // start-up, before the first drawing (the observer reports the first widths after the first
    // layout; until then the lanes are drawn at a default width).
    this.msgWidth = 0;
    this.opWidth = 0;
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        this.msgWidth = this.msgSvg.clientWidth;
        this.opWidth = this.opSvg.clientWidth;
        this.key = '';
      }).observe(this.msgSvg);
    }
    this.selected = -1;
    this.shown = [];
    const hover = (e) => {
      const g = e.target.closest && e.target.closest('[data-msg]');
      if (g) this.describe(g.dataset.summary);
    };
    this.msgSvg.addEventListener('pointerover', hover);
    this.msgSvg.addEventListener('pointermove', hover);
    this.msgSvg.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      e.stopPropagation();
      if (!this.shown.length) return;
      const d = e.key === 'ArrowRight' ? 1 : -1;
      this.selected = (this.selected + d + this.shown.length) % this.shown.length;
      this.highlight();
    });
    this.msgSvg.addEventListener('focus', () => {
      if (this.selected < 0 && this.shown.length) this.selected = this.shown.length - 1;
      this.highlight();
    });
  }

  describe(text) {
    this.caption.textContent = text || '';
  }

  highlight() {
    const m = this.shown[this.selected];
    for (const g of this.msgSvg.querySelectorAll('[data-msg].selected')) g.classList.remove('selected');
    if (!m) return;
    const g = this.msgSvg.querySelector(`[data-msg="${m.id}"]`);
    if (g) g.classList.add('selected');
    this.describe(messageText(m));
  }

  render(snap) {
    const now = snap.time_ms;
    const span = this.spanMs;
    const t0 = Math.max(0, now - span);
    // While time runs, a few redraws a second are enough and leave the frame to the cluster:
    // the messages are asked of the simulator in one frame, drawn in another, and the
    // operations lane redrawn in a third (the page's turns, App.turn), so that no part makes a
    // frame long. While paused or forced, all three happen at once.
    if (this.fetched && this.app.turn('lane-draw')) this.drawFetched();
    this.fetchIfDue(snap, t0, span, now);
    if (this.opsDue && this.app.turn('lane-ops')) {
      this.opsDue = false;
      this.renderOps(snap, t0, span, now);
    }
  }

  /** Ask for the window's messages when a redraw is due (drawn at once if it is also the draw's turn). */
  fetchIfDue(snap, t0, span, now) {
    const wall = performance.now();
    if (!this.app.paused && (wall - this.drawnAt < REDRAW_RUNNING_MS || !this.app.turn('lane-messages'))) return;
    const key = `${now}:${span}:${snap.trace_hash}:${snap.nodes.length}:${this.msgWidth}:${this.opWidth}`;
    if (key === this.key) return;
    this.drawnAt = wall;
    this.key = key;
    this.fetched = { pg: this.app.model.pg, ids: snap.nodes.map((n) => n.id), messages: this.messagesFor(snap, t0, now), t0, span, now };
    if (this.app.turn('lane-draw')) this.drawFetched();
  }

  /** Draw the messages fetched last (unless another run has replaced the one they came from). */
  drawFetched() {
    const f = this.fetched;
    this.fetched = null;
    if (f.pg !== this.app.model.pg) {
      this.key = ''; // asked again at the next turn
      return;
    }
    this.renderMessages(f.ids, f.messages, f.t0, f.span, f.now);
    this.opsDue = true;
  }

  /**
   * The messages on the wire at any time in [t0, now], in the simulator's order (by id). While
   * the run goes forward live, only what can have changed since the last redraw is asked of the
   * simulator: the messages alive at or after that instant. One that had landed or was lost
   * before it is as it was, and is kept from the last answer while the window still holds it.
   * Anything else (another run, a seek, time travel, a window that jumped past the last redraw)
   * asks for the whole window again.
   */
  messagesFor(snap, t0, now) {
    const pg = this.app.model.pg;
    const live = snap.live !== false;
    const c = this.lastAnswer;
    let list;
    if (c && c.pg === pg && c.live && live && now >= c.now && t0 >= c.t0 && c.now >= t0) {
      const kept = c.list.filter((m) => m.end_ms != null && m.end_ms < c.now && m.end_ms >= t0);
      const fresh = pg.messagesBetween(c.now, now);
      const ids = new Set(fresh.map((m) => m.id));
      list = [...kept.filter((m) => !ids.has(m.id)), ...fresh].sort((a, b) => a.id - b.id);
    } else {
      list = pg.messagesBetween(t0, now);
    }
    this.lastAnswer = { pg, live, now, t0, list };
    return list;
  }

  /**
   * The message lane, updated in place: messages are drawn once in coordinates of absolute time
   * inside a group that slides left as time runs, and a redraw only touches the messages that
   * arrived, changed (on the wire → delivered or dropped) or left the window. A full rebuild
   * happens when the rows, the width or the window change.
   */
  renderMessages(ids, messages, t0, span, now) {
    const rows = [...ids, 'clients'];
    const rowOf = new Map(ids.map((id, i) => [id, i]));
    const y = (name) => 8 + ROW * (rowOf.get(name) ?? ids.length);
    const height = 8 + ROW * rows.length;
    const svg = this.msgSvg;
    // Drawn in CSS pixels (no stretching: text stays readable at any width).
    const W = Math.max(200, this.msgWidth || 1000);
    const k = (W - LEFT - RIGHT) / Math.max(1, span);
    const layout = `${rows.join(' ')}|${W}|${span}`;
    // Absolute x grows without bound: start over from a new origin now and then.
    if (layout !== this.msgLayout || t0 < this.msgOrigin || (t0 - this.msgOrigin) * k > 50_000) {
      this.msgLayout = layout;
      this.msgOrigin = t0;
      svg.setAttribute('viewBox', `0 0 ${W} ${height}`);
      svg.style.height = `${height}px`;
      const frag = document.createDocumentFragment();
      for (const name of rows) {
        frag.append(el('line', { class: 'lane-line', x1: LEFT, x2: W - RIGHT, y1: y(name), y2: y(name) }));
        frag.append(el('text', { class: 'lane-name', x: 2, y: y(name) + 3.5 }, name));
      }
      this.msgGroup = el('g', { class: 'lane-messages' });
      this.nowLine = el('line', { class: 'lane-now', y1: 0, y2: height });
      frag.append(this.msgGroup, this.nowLine);
      svg.replaceChildren(frag);
      this.msgEls = new Map();
    }
    const origin = this.msgOrigin;
    const ax = (t) => LEFT + (t - origin) * k;
    this.msgGroup.setAttribute('transform', `translate(${(-(t0 - origin) * k).toFixed(2)} 0)`);
    const xNow = laneX(now, t0, span, W);
    this.nowLine.setAttribute('x1', xNow);
    this.nowLine.setAttribute('x2', xNow);

    const seen = new Set();
    for (const m of messages) {
      seen.add(m.id);
      const state = m.end_ms == null ? 'flying' : m.dropped ? 'dropped' : 'delivered';
      const end = m.end_ms ?? now;
      let rec = this.msgEls.get(m.id);
      if (rec && rec.state === state && rec.end === end) continue;
      const x1 = ax(m.sent_ms);
      const y1 = y(m.from);
      const ty = y(m.to);
      const f = m.deliver_ms > m.sent_ms ? Math.min(1, (end - m.sent_ms) / (m.deliver_ms - m.sent_ms)) : 1;
      const x2 = ax(end);
      const y2 = y1 + (ty - y1) * f;
      // One element per message: its line, and for a delivered one a closed arrow head.
      let d = `M${x1.toFixed(1)} ${y1.toFixed(1)} L${x2.toFixed(1)} ${y2.toFixed(1)}`;
      if (state === 'delivered') {
        const dx = x2 - x1;
        const dy = y2 - y1;
        const len = Math.hypot(dx, dy) || 1;
        const ux = dx / len;
        const uy = dy / len;
        const p = (a, b) => `${(x2 - ux * a + uy * b).toFixed(1)} ${(y2 - uy * a - ux * b).toFixed(1)}`;
        d += ` M${x2.toFixed(1)} ${y2.toFixed(1)} L${p(6, 3)} L${p(6, -3)} Z`;
      }
      if (!rec) {
        rec = { el: el('path', { 'data-msg': m.id }), cross: null, end: null, state: null };
        this.msgEls.set(m.id, rec);
        this.msgGroup.append(rec.el);
      }
      rec.end = end;
      // A message on the wire only grows: its class, state and summary are written when they
      // change, its path every redraw.
      const cls = `dmsg ${messageKindClass(m.kind)} ${m.response ? 'reply' : 'request'} ${state}`;
      const text = messageText(m);
      if (rec.cls !== cls) {
        rec.cls = cls;
        rec.el.setAttribute('class', cls);
      }
      if (rec.state !== state) {
        rec.state = state;
        rec.el.setAttribute('data-state', state);
      }
      if (rec.text !== text) {
        rec.text = text;
        rec.el.setAttribute('data-summary', text);
      }
      rec.el.setAttribute('d', d);
      if (state === 'dropped') {
        const c = `M${(x2 - 3).toFixed(1)} ${(y2 - 3).toFixed(1)} l6 6 m0 -6 l-6 6`;
        if (!rec.cross) {
          rec.cross = el('path', { class: 'dmsg-cross' });
          rec.el.after(rec.cross);
        }
        rec.cross.setAttribute('d', c);
      } else if (rec.cross) {
        rec.cross.remove();
        rec.cross = null;
      }
    }
    for (const [id, rec] of this.msgEls) {
      if (seen.has(id)) continue;
      rec.el.remove();
      if (rec.cross) rec.cross.remove();
      this.msgEls.delete(id);
    }
    this.shown = messages;
    svg.dataset.count = String(messages.length);
    if (this.selected >= messages.length) this.selected = messages.length - 1;
    if (document.activeElement === svg) this.highlight();
  }

  renderOps(snap, t0, span, now) {
    const bad = new Set(snap.linearizability_lines || []);
    const ops = (snap.history || []).filter((op) => (op.completed_ms ?? now) >= t0 || bad.has(op.line));
    const placed = stackOps(ops, now);
    const rows = Math.max(1, ...placed.map((p) => p.row + 1));
    const height = 4 + OP_ROW * rows;
    const svg = this.opSvg;
    const W = Math.max(200, this.opWidth || 1000);
    svg.setAttribute('viewBox', `0 0 ${W} ${height}`);
    svg.style.height = `${height}px`;
    const frag = document.createDocumentFragment();
    frag.append(el('text', { class: 'lane-name', x: 2, y: 13 }, 'ops'));
    for (const { op, row } of placed) {
      const outcome = op.outcome ?? 'pending';
      const x1 = Math.max(LEFT, laneX(op.invoked_ms, t0, span, W));
      const x2 = Math.max(x1 + 3, laneX(op.completed_ms ?? now, t0, span, W));
      const yy = 3 + row * OP_ROW;
      const g = el('g', {
        class: `op-bar outcome-${outcome}${bad.has(op.line) ? ' not-linearizable' : ''}`,
        'data-op-line': op.line,
        'data-outcome': outcome,
      });
      g.append(el('rect', { x: x1, y: yy, width: x2 - x1, height: OP_ROW - 3, rx: 3 }));
      const label = `${bad.has(op.line) ? '✕ ' : ''}${op.op} ${op.key}${op.value != null ? ` ${op.value}` : ''} ${outcome}`;
      if (x2 - x1 > 60) g.append(el('text', { x: x1 + 3, y: yy + OP_ROW - 5.5 }, label));
      g.append(el('title', {}, `${opLabel(op)}${bad.has(op.line) ? ' (part of the linearizability violation)' : ''}`));
      frag.append(g);
    }
    frag.append(el('line', { class: 'lane-now', x1: laneX(now, t0, span, W), x2: laneX(now, t0, span, W), y1: 0, y2: height }));
    svg.replaceChildren(frag);
    svg.dataset.count = String(placed.length);
    const v = (snap.violations || []).find((x) => x.property === 'linearizability');
    // Undecided (the checker ran out of its search budget) is neither: never shown as linearizable.
    const undecided = !v && snap.linearizability === 'undecided';
    this.box.dataset.linearizable = v ? 'false' : undecided ? 'undecided' : 'true';
    const note = this.box.querySelector('[data-history-note]');
    note.textContent = v ? `Not linearizable: ${v.detail}` : undecided ? `Linearizability ${snap.linearizability_undecided}` : '';
    note.classList.toggle('undecided', undecided);
    note.hidden = !v && !undecided;
  }
}

export function messageText(m) {
  const fate = m.end_ms == null
    ? 'on the wire'
    : m.dropped
      ? `dropped at ${m.end_ms} ms`
      : `delivered at ${m.end_ms} ms`;
  return `${m.summary} · sent ${m.sent_ms} ms · ${fate}`;
}
