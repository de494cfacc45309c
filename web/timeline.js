// Time travel: the timeline under the cluster. It is a slider ("Timeline") over the whole
// recording, with marks for elections, crashes, partitions, client writes and violations.
// Dragging or the keys move to any instant (the handle clones its nearest checkpoint and replays
// from there); acting in the past forks the recording there (the handle does that); "Live"
// returns to the end. The JS only asks: pg.seek(t), pg.live(), pg.timeline().

import { svgEl as el } from './dom.js';

/** Marks are fetched again at most this often (wall ms) while the run is live. */
const MARKS_EVERY_MS = 300;
/** Arrow keys move this much; with Shift (or Page Up/Down) ten times as much. */
const KEY_STEP_MS = 100;
const PAD = 8;
const WIDTH = 1000;
const HEIGHT = 36;

/** Mark kinds in drawing order, each with a word for people (colour is never the only signal). */
export const MARK_KINDS = {
  write: 'client write',
  read: 'client read',
  commit: 'commit',
  partition: 'partition',
  heal: 'heal',
  crash: 'crash',
  restart: 'restart',
  leader: 'new leader',
  violation: 'safety violation',
};

export function formatSeconds(ms) {
  return `${(ms / 1000).toFixed(3)} s`;
}

/** x of instant `t` on a timeline of `end` ms drawn `width` wide. */
export function timeX(t, end, width = WIDTH) {
  const span = Math.max(1, end);
  return PAD + (Math.min(Math.max(t, 0), span) / span) * (width - 2 * PAD);
}

/** The instant under x. */
export function xTime(x, end, width = WIDTH) {
  const f = (x - PAD) / (width - 2 * PAD);
  return Math.round(Math.min(1, Math.max(0, f)) * Math.max(0, end));
}

/** At most one mark per kind and pixel column: a long run has thousands of writes. */
export function thinMarks(marks, end, width = WIDTH) {
  const seen = new Set();
  const out = [];
  for (const m of marks) {
    const x = Math.round(timeX(m.time_ms, end, width));
    const key = `${m.kind}:${x}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...m, x });
  }
  return out;
}

export class Timeline {
  /** `box` holds the slider ([data-timeline-slider]) and the Live button ([data-action="live"]). */
  constructor(box, app) {
    this.app = app;
    this.box = box;
    this.slider = box.querySelector('[data-timeline-slider]');
    this.liveButton = box.querySelector('[data-action="live"]');
    this.readout = box.querySelector('[data-timeline-readout]');
    this.svg = el('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', 'aria-hidden': 'true' });
    this.track = el('rect', { class: 'tl-track', x: PAD, y: 15, width: WIDTH - 2 * PAD, height: 6, rx: 3 });
    this.played = el('rect', { class: 'tl-played', x: PAD, y: 15, width: 0, height: 6, rx: 3 });
    this.marksLayer = el('g', { class: 'tl-marks' });
    this.thumb = el('rect', { class: 'tl-thumb', x: 0, y: 4, width: 4, height: 28, rx: 2 });
    this.svg.append(this.track, this.played, this.marksLayer, this.thumb);
    this.slider.append(this.svg);
    this.marksAt = -Infinity;
    this.marksKey = '';
    this.end = 0;
    this.time = 0;
    this.wire();
  }

  wire() {
    let dragging = null;
    const at = (e) => {
      const r = this.svg.getBoundingClientRect();
      return xTime(((e.clientX - r.left) / Math.max(1, r.width)) * WIDTH, this.end);
    };
    this.slider.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      this.slider.focus();
      dragging = e.pointerId;
      this.slider.setPointerCapture(e.pointerId);
      this.seek(at(e));
    });
    this.slider.addEventListener('pointermove', (e) => {
      if (dragging === e.pointerId) this.seek(at(e));
    });
    const stop = (e) => {
      if (dragging !== e.pointerId) return;
      dragging = null;
      if (this.slider.hasPointerCapture(e.pointerId)) this.slider.releasePointerCapture(e.pointerId);
    };
    this.slider.addEventListener('pointerup', stop);
    this.slider.addEventListener('pointercancel', stop);
    this.slider.addEventListener('lostpointercapture', () => {
      dragging = null;
    });
    this.slider.addEventListener('keydown', (e) => {
      const big = e.shiftKey ? 10 : 1;
      const now = this.time;
      const to = {
        ArrowLeft: now - KEY_STEP_MS * big,
        ArrowDown: now - KEY_STEP_MS * big,
        ArrowRight: now + KEY_STEP_MS * big,
        ArrowUp: now + KEY_STEP_MS * big,
        PageDown: now - KEY_STEP_MS * 10,
        PageUp: now + KEY_STEP_MS * 10,
        Home: 0,
        End: this.end,
      }[e.key];
      if (e.key === '[' || e.key === ']') {
        e.preventDefault();
        e.stopPropagation();
        this.jump(e.key === ']' ? 1 : -1);
        return;
      }
      if (to === undefined) return;
      e.preventDefault();
      e.stopPropagation();
      if (e.key === 'End') this.live();
      else this.seek(Math.max(0, Math.min(this.end, to)));
    });
    this.liveButton.addEventListener('click', () => this.live());
  }

  /**
   * Jump to the next (dir 1) or previous (dir -1) mark of the recording: an election, a crash
   * or restart, a partition or heal, a client write, a commit, a violation. Says which mark it
   * landed on.
   */
  jump(dir) {
    const now = this.app.model.snapshot().time_ms;
    const marks = (this.app.model.pg.timeline().marks || []).filter((m) => m.kind !== 'read');
    const times = [...new Set(marks.map((m) => m.time_ms))].sort((a, b) => a - b);
    const to = dir > 0 ? times.find((t) => t > now) : times.filter((t) => t < now).pop();
    if (to == null) {
      this.app.announce(dir > 0 ? 'No later mark: this is the last one.' : 'No earlier mark: this is the first one.');
      return;
    }
    this.seek(to);
    const here = marks.filter((m) => m.time_ms === to).map((m) => m.text).join('; ');
    this.app.announce(`${formatSeconds(to)}: ${here}`);
  }

  /** Show instant `t`: the run pauses there (acting now forks the recording). */
  seek(t) {
    const app = this.app;
    if (!app.paused) app.setPaused(true);
    app.model.pg.seek(t);
    this.afterMove();
  }

  /** Back to the end of the recording, running. */
  live() {
    const app = this.app;
    app.model.pg.live();
    this.afterMove();
    app.setPaused(false);
  }

  afterMove() {
    const app = this.app;
    app.model.snap = null;
    app.model.carryMs = 0;
    const snap = app.model.snapshot();
    // Errors of the run are shown once, when they happen, not again on every pass.
    app.errorsSeen = (snap.errors || []).length;
    this.marksAt = -Infinity;
    app.renderNow(true);
  }

  render(snap) {
    const end = snap.end_ms ?? snap.time_ms;
    const time = snap.time_ms;
    const live = snap.live !== false;
    this.end = end;
    this.time = time;
    const s = this.slider;
    s.setAttribute('aria-valuemin', '0');
    s.setAttribute('aria-valuemax', String(end));
    s.setAttribute('aria-valuenow', String(time));
    s.setAttribute('aria-valuetext', `${formatSeconds(time)} of ${formatSeconds(end)}${live ? ', live' : ''}`);
    s.dataset.end = String(end);
    this.box.dataset.live = String(live);
    this.liveButton.disabled = live;
    this.liveButton.setAttribute('aria-pressed', String(live));
    this.readout.textContent = live ? `live · ${formatSeconds(time)}` : `${formatSeconds(time)} / ${formatSeconds(end)}`;
    const x = timeX(time, end);
    this.played.setAttribute('width', String(Math.max(0, x - PAD)));
    this.thumb.setAttribute('x', String(x - 2));
    const wall = performance.now();
    if (wall - this.marksAt > MARKS_EVERY_MS && (!this.app.turn || this.app.turn('marks'))) {
      this.marksAt = wall;
      this.renderMarks(this.app.model.pg.timeline(), end);
    }
  }

  renderMarks(info, end) {
    const marks = thinMarks(info.marks || [], end);
    const key = `${end}:${marks.length}:${marks.length ? marks[marks.length - 1].time_ms : 0}`;
    if (key === this.marksKey) return;
    this.marksKey = key;
    const layer = this.marksLayer;
    layer.replaceChildren();
    const order = Object.keys(MARK_KINDS);
    marks.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
    for (const m of marks) {
      const g = el('g', { class: `tl-mark mark-${m.kind}`, 'data-mark': m.kind, 'data-time': String(m.time_ms) });
      const x = m.x;
      if (m.kind === 'leader') g.append(el('path', { d: `M${x - 4} 12 L${x} 4 L${x + 4} 12 Z` }));
      else if (m.kind === 'crash') g.append(el('path', { d: `M${x - 3} 25 L${x + 3} 31 M${x + 3} 25 L${x - 3} 31` }));
      else if (m.kind === 'restart') g.append(el('circle', { cx: x, cy: 28, r: 3 }));
      else if (m.kind === 'partition' || m.kind === 'heal') g.append(el('rect', { x: x - 1, y: 9, width: 2, height: 18 }));
      else if (m.kind === 'violation') g.append(el('rect', { x: x - 2, y: 0, width: 4, height: HEIGHT }));
      else if (m.kind === 'commit') g.append(el('path', { d: `M${x - 3} 33 L${x} 28 L${x + 3} 33 Z` }));
      else g.append(el('rect', { x: x - 0.75, y: 22, width: 1.5, height: 5 }));
      const title = el('title');
      title.textContent = `${formatSeconds(m.time_ms)}: ${m.text}`;
      g.append(title);
      layer.append(g);
    }
  }
}
