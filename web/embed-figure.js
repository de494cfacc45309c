// One embeddable figure: a preset (or any scenario) drawn by the page's own pane adapter
// (ClusterPane: Layout, ClusterView and the drawing's input) and action table, compact enough for a 600–700 px article column,
// with a caption, narrated steps, optional controls, an ARIA live region, and a small API that
// article text can drive (crash the leader, partition, run to a step, highlight a server) and
// listen to (leader elected, entry committed, violation).
//
// The figure never edits a run itself: like the page, every change is a scenario line handed to
// the simulator, and every frame draws what the snapshot then says. Steps happen at fixed
// instants of simulated time, so playing and jumping give the same run.

// The figure module: the playground's light module without the verbs only the playground uses.
import init, { Playground } from './pkg/raft_wasm_figure.js';
import { Model } from './model.js';
import { ClusterPane } from './pane.js';
import { actionsOn, labelOf, wireButtons } from './actions.js';
import { presetByName, paneScenario } from './presets/presets.js';
import { h as el, svgEl } from './dom.js';

/** Default speed of a figure: a fifth of real time (a 10–30 ms message takes 50–150 ms). */
export const FIGURE_SPEED = 0.2;
/** A figure with no steps left keeps running this long past its last step, then pauses. */
const TAIL_MS = 400;

let simulator = null;
/** Load the WebAssembly simulator once per page, however many figures it has. */
export function loadSimulator() {
  if (!simulator) simulator = init().then(() => Playground);
  return simulator;
}

const SVG_LAYERS = ['partitions', 'messages', 'servers', 'labels'];

function clusterSvg(label) {
  const svg = svgEl('svg', {
    class: 'cluster', 'data-cluster': '', viewBox: '0 0 720 440', preserveAspectRatio: 'xMidYMid meet',
    role: 'group', 'aria-label': label,
  });
  for (const name of SVG_LAYERS) svg.appendChild(svgEl('g', { class: `layer layer-${name}` }));
  return svg;
}

/** What one pane says in one line under its drawing. */
export function paneStatus(snap) {
  const leader = snap.leader ? `${snap.leader} leads term ${snap.nodes.find((n) => n.id === snap.leader)?.term}` : 'no leader';
  const naive = snap.settings && snap.settings.protocol === 'naive';
  const writes = (snap.history || []).filter((h) => h.op !== 'get');
  const count = (o) => writes.filter((h) => h.outcome === o).length;
  const parts = [naive ? 'no consensus' : leader];
  if (writes.length) {
    const words = [`${count('ok')} of ${writes.length} writes confirmed`];
    if (count('fail')) words.push(`${count('fail')} refused`);
    const waiting = writes.filter((h) => !h.outcome).length;
    if (waiting) words.push(`${waiting} waiting`);
    parts.push(words.join(', '));
  }
  if (snap.safe === false) parts.push('inconsistent!');
  return parts.join(' · ');
}

/**
 * What each server holds, for the keys the run's clients used: "bike42: S1 alice · S2 bob ·
 * S3 —". A crashed server shows what it will restart with.
 */
export function paneValues(snap) {
  const keys = [...new Set((snap.history || []).map((h) => h.key))].slice(0, 2);
  return keys.map((k) => `${k}: ${snap.nodes.map((n) => `${n.id} ${n.state[k] ?? '—'}`).join(' · ')}`);
}

/**
 * Each server's newest log entries, one line per server: "S1  1 t1 no-op ✓ | 2 t1 put x 1 …"
 * (index, term, command; ✓ committed, … not yet). For the figures about replication and commits.
 */
export function paneLogs(snap, last = 3) {
  return snap.nodes.map((n) => {
    const tail = (n.log || []).slice(-last).map((e) => `${e.index} t${e.term} ${e.command || 'no-op'} ${e.committed ? '✓' : '…'}`);
    const more = n.log_len > tail.length ? '… | ' : '';
    return `${n.id}${n.running ? '' : ' (crashed)'}  ${tail.length ? more + tail.join(' | ') : '(empty log)'}`;
  });
}

/** One drawing of one run. */
class Pane {
  constructor(figure, spec, Playground) {
    this.figure = figure;
    this.spec = spec;
    this.model = new Model(Playground);
    this.root = el('div', { class: 'rp-pane', 'data-pane': spec.id, 'data-playground': '' });
    if (spec.label && figure.variant.panes.length > 1) this.root.appendChild(el('p', { class: 'rp-pane-title' }, spec.label));
    this.svg = clusterSvg(`${spec.label || 'Cluster'}: the servers`);
    this.root.appendChild(this.svg);
    this.status = el('p', { class: 'rp-status' });
    this.values = el('p', { class: 'rp-values', 'data-values': '' });
    this.root.append(this.status, this.values);
    this.cluster = new ClusterPane(this.svg, this.model, {
      act: (lines) => figure.actPane(this, lines),
      requestRender: () => figure.requestRender(),
      announce: (text) => figure.announce(text),
    });
    this.highlighted = null;
    /** The newest `happened` entry announced; null until the first frame after a load. */
    this.seen = null;
    this.violated = false;
  }

  load(text) {
    this.model.load(text);
    this.cluster.reset();
    this.seen = null;
  }

  render() {
    const snap = this.model.snapshot();
    this.cluster.draw(snap);
    for (const g of this.svg.querySelectorAll('[data-node]')) {
      g.classList.toggle('highlight', g.dataset.node === this.highlighted);
    }
    const d = this.root.dataset;
    ClusterPane.stamp(d, snap);
    d.leader = snap.leader || '';
    d.traceHash = snap.trace_hash || '';
    d.protocol = snap.settings ? snap.settings.protocol : 'raft';
    const text = paneStatus(snap);
    if (this.status.textContent !== text) this.status.textContent = text;
    const values = (this.figure.preset.show === 'log' ? paneLogs(snap) : paneValues(snap)).join('\n');
    if (this.values.textContent !== values) this.values.textContent = values;
    this.observe(snap);
  }

  /**
   * Tell the figure what happened since the last frame: the run's own events, which the
   * snapshot lists in `happened` (numbered by `seq`); nothing is worked out by comparing frames.
   * The first frame after a load only takes note of where the run is.
   */
  observe(snap) {
    const happened = snap.happened || [];
    const newest = happened.length ? happened[happened.length - 1].seq : 0;
    if (this.seen === null) {
      this.seen = newest;
      this.violated = snap.safe === false;
      return;
    }
    const pane = this.spec.id;
    const label = this.spec.label ? `${this.spec.label}: ` : '';
    if (snap.safe !== false) this.violated = false;
    for (const h of happened) {
      if (h.seq <= this.seen) continue;
      if (h.kind === 'leader') {
        this.figure.emit('leader-elected', { pane, leader: h.node, term: h.term },
          `${h.node} is now the leader (term ${h.term}).`);
      } else if (h.kind === 'commit') {
        this.figure.emit('entry-committed', { pane, index: h.index },
          `Entry ${h.index} is committed: a majority stores it.`);
      } else if (h.kind === 'answered') {
        const op = (snap.history || []).find((x) => x.line === h.line);
        if (!op || !op.outcome) continue;
        const what = op.op === 'get' ? `get ${op.key}` : `${op.op} ${op.key} ${op.value}`;
        const result = op.op === 'get' && op.outcome === 'ok' ? `ok, ${op.result ?? 'absent'}` : op.outcome;
        this.figure.emit('operation', { pane, line: op.line, op: op.op, key: op.key, outcome: op.outcome, result: op.result ?? null },
          `${label}${what} → ${result}.`);
      } else if (h.kind === 'violation' && !this.violated) {
        this.violated = true;
        this.figure.emit('violation', { pane, property: h.property, detail: h.detail || '' },
          `${label}consistency violated (${h.property}).`);
      }
    }
    this.seen = Math.max(this.seen, newest);
  }
}

/**
 * A figure inside `root` (an element or a shadow root). Options: `preset` (a name of
 * presets.js), or `scenario` (any scenario text), `variant`, `controls` ('none' | 'minimal' |
 * 'full'), `speed`, `autoplay`, `caption` (overrides the preset's).
 */
export class Figure extends EventTarget {
  constructor(root, options = {}) {
    super();
    this.root = root;
    this.options = options;
    this.reducedMotion = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
    this.speed = Number(options.speed) > 0 ? Number(options.speed) : FIGURE_SPEED;
    this.paused = true;
    this.panes = [];
    this.stepIndex = -1; // the last step applied
    this.lastFrame = null;
    this.frameQueued = false;
    this.destroyed = false;
    this.ready = this.start();
  }

  async start() {
    const o = this.options;
    this.preset = o.preset ? presetByName(o.preset) : null;
    if (o.preset && !this.preset) throw this.fail(`There is no figure named "${o.preset}".`);
    if (!this.preset) {
      const text = o.scenario || 'nodes 5\n';
      this.preset = {
        name: 'scenario',
        title: o.title || 'Raft',
        caption: o.caption || '',
        variants: [{ id: 'default', label: '', panes: [{ id: 'raft', label: '', setup: text }], steps: [], endMs: 0 }],
      };
    }
    this.build();
    let Pg;
    try {
      Pg = await loadSimulator();
    } catch (err) {
      throw this.fail(`The simulator could not be loaded: ${err && err.message ? err.message : err}`);
    }
    this.Playground = Pg;
    this.selectVariant(o.variant || this.preset.variants[0].id, { autoplay: o.autoplay !== false && !this.reducedMotion });
    return this;
  }

  fail(message) {
    this.root.replaceChildren(el('p', { class: 'rp-error', role: 'alert' }, message));
    return new Error(message);
  }

  // --- building ------------------------------------------------------------------------------

  build() {
    const p = this.preset;
    const controls = this.options.controls || 'minimal';
    const fig = el('figure', { class: `rp-figure controls-${controls}`, 'data-figure': p.name });
    this.figureEl = fig;
    if (this.options.title !== false && this.options.showTitle !== false) {
      fig.appendChild(el('p', { class: 'rp-title' }, p.title));
    }
    this.panesEl = el('div', { class: 'rp-panes' });
    fig.appendChild(this.panesEl);

    this.narration = el('p', { class: 'rp-narration', 'data-narration': '' });
    fig.appendChild(this.narration);

    const bar = el('div', { class: 'rp-controls', role: 'group', 'aria-label': 'Figure controls' });
    this.controlsEl = bar;
    if (p.variants.length > 1 && controls !== 'none') {
      const label = el('label', { class: 'rp-variant' }, 'Show ');
      const select = el('select', { 'data-control': 'variant', 'aria-label': 'Variant' });
      for (const v of p.variants) select.appendChild(el('option', { value: v.id }, v.label));
      select.addEventListener('change', () => this.selectVariant(select.value, { autoplay: !this.reducedMotion }));
      label.appendChild(select);
      bar.appendChild(label);
      this.variantSelect = select;
    }
    // The figure's buttons are its actions in the table; 'full' adds those marked `full`.
    if (controls !== 'none') {
      for (const a of actionsOn('figure')) {
        if (a.full && controls !== 'full') continue;
        bar.appendChild(el('button', { type: 'button', 'data-action': a.id }, labelOf(a, {})));
      }
      this.playButton = bar.querySelector('[data-action="toggle-pause"]');
    }
    wireButtons(bar, this, 'figure');
    fig.appendChild(bar);

    this.stepsEl = el('ol', { class: 'rp-steps' });
    fig.appendChild(this.stepsEl);
    const caption = this.options.caption || p.caption;
    if (caption) fig.appendChild(el('figcaption', { class: 'rp-caption' }, caption));
    this.live = el('div', { class: 'rp-live', 'aria-live': 'polite', role: 'status' });
    fig.appendChild(this.live);
    this.root.replaceChildren(fig);
  }

  /** Show variant `id` from its start (3 or 5 servers, before or after the commit…). */
  selectVariant(id, { autoplay = false } = {}) {
    const v = this.preset.variants.find((x) => x.id === String(id));
    if (!v) throw new Error(`figure ${this.preset.name} has no variant "${id}"`);
    this.variant = v;
    if (this.variantSelect) this.variantSelect.value = v.id;
    this.figureEl.dataset.variant = v.id;
    this.freePanes();
    this.panes = v.panes.map((spec) => new Pane(this, spec, this.Playground));
    this.panesEl.replaceChildren(...this.panes.map((p) => p.root));
    this.panesEl.classList.toggle('two', this.panes.length > 1);
    this.stepsEl.replaceChildren(...v.steps.map((s, i) => {
      const li = el('li', { 'data-step': String(i) });
      const b = el('button', { type: 'button', class: 'rp-step' }, s.say);
      b.addEventListener('click', () => this.runToStep(i));
      li.appendChild(b);
      return li;
    }));
    this.reset();
    if (autoplay) this.play();
  }

  /** Back to the variant's start, paused or playing as before. */
  reset() {
    for (const pane of this.panes) pane.load(pane.spec.setup);
    this.stepIndex = -1;
    this.narration.textContent = '';
    this.applyDueSteps();
    this.requestRender();
  }

  // --- time and steps --------------------------------------------------------------------------

  now() {
    return this.panes.length ? this.panes[0].model.snapshot().time_ms : 0;
  }

  /** Apply every step whose instant has come (the panes are at the same time). */
  applyDueSteps() {
    const steps = this.variant.steps;
    while (this.stepIndex + 1 < steps.length && steps[this.stepIndex + 1].at <= this.now()) {
      this.applyStep(this.stepIndex + 1);
    }
  }

  applyStep(i) {
    const s = this.variant.steps[i];
    for (const pane of this.panes) {
      for (const line of s.lines || []) this.tryAct(pane, line);
    }
    this.stepIndex = i;
    this.narration.textContent = s.say;
    for (const li of this.stepsEl.children) {
      const n = Number(li.dataset.step);
      li.classList.toggle('current', n === i);
      li.classList.toggle('done', n < i);
      const b = li.firstChild;
      if (n === i) b.setAttribute('aria-current', 'step');
      else b.removeAttribute('aria-current');
    }
    this.figureEl.dataset.step = String(i);
    this.emit('step', { index: i, say: s.say }, s.say);
  }

  tryAct(pane, line) {
    try {
      pane.model.act(line);
      return true;
    } catch (err) {
      this.emit('error', { pane: pane.spec.id, line, message: String(err && err.message ? err.message : err) },
        `"${line}" could not be applied.`);
      return false;
    }
  }

  /** Advance every pane by `ms` of simulated time, stopping at each step's instant. */
  advance(ms) {
    let left = Math.max(0, Math.floor(ms));
    const steps = this.variant.steps;
    while (left > 0) {
      const next = steps[this.stepIndex + 1];
      const gap = next ? Math.max(0, next.at - this.now()) : left;
      const d = Math.min(left, gap);
      if (d > 0) for (const pane of this.panes) pane.model.advance(d);
      left -= d;
      this.applyDueSteps();
      if (d === 0 && !next) break;
    }
    this.applyDueSteps();
  }

  /** Jump to step `i`'s instant (replaying from the start if it lies behind), then pause. */
  runToStep(i) {
    const steps = this.variant.steps;
    if (!(i >= 0 && i < steps.length)) throw new Error(`no step ${i}: this figure has steps 0 to ${steps.length - 1}`);
    // Someone chose this instant: coming into view must not start playing past it.
    this.driven = true;
    this.pause();
    if (steps[i].at < this.now() || i <= this.stepIndex) this.reset();
    this.advance(steps[i].at - this.now());
    this.requestRender();
  }

  nextStep() {
    const i = Math.min(this.stepIndex + 1, this.variant.steps.length - 1);
    if (i >= 0) this.runToStep(i);
  }

  /** Replay from the start. */
  replay() {
    this.reset();
    this.play();
  }

  play() {
    this.setPaused(false);
  }

  pause() {
    this.setPaused(true);
  }

  /** Play or pause (the 'toggle-pause' action); the button names what it would do next. */
  setPaused(paused) {
    if (!paused && this.destroyed) return;
    this.paused = paused;
    if (this.playButton) this.playButton.textContent = paused ? 'Play' : 'Pause';
    this.figureEl.dataset.paused = String(paused);
    if (paused) {
      this.requestRender();
    } else {
      this.lastFrame = null;
      this.loop();
    }
  }

  loop() {
    if (this.frameQueued || this.destroyed) return;
    this.frameQueued = true;
    requestAnimationFrame((t) => {
      this.frameQueued = false;
      this.frame(t);
    });
  }

  frame(t) {
    if (!this.paused) {
      if (this.lastFrame != null) {
        const realMs = Math.min(250, t - this.lastFrame);
        const end = Math.max(this.variant.endMs, (this.variant.steps.at(-1)?.at ?? 0) + TAIL_MS);
        const want = Math.min(100, realMs * this.speed + (this.carry || 0));
        const whole = Math.floor(want);
        this.carry = want - whole;
        if (this.variant.steps.length && this.now() >= end) this.pause();
        else if (whole > 0) this.advance(whole);
      }
      this.lastFrame = t;
    }
    this.render();
    if (!this.paused) this.loop();
  }

  requestRender() {
    if (this.paused) this.loop();
  }

  render() {
    for (const pane of this.panes) pane.render();
    const d = this.figureEl.dataset;
    d.time = String(Math.floor(this.now()));
    d.paused = String(this.paused);
  }

  // --- the API -----------------------------------------------------------------------------------

  /**
   * Apply a scenario line (or several, in order) to one pane (by id) or to every pane. Returns
   * false if any was refused (a pane stops at its first refused line).
   */
  act(lines, pane = null) {
    let ok = true;
    for (const p of this.panes) if (!pane || p.spec.id === pane) ok = this.actPane(p, [lines].flat()) && ok;
    return ok;
  }

  /** Lines for one pane (its drawing's input, or act): stops at the first refused. */
  actPane(pane, lines) {
    let ok = true;
    for (const line of lines) if (!(ok = this.tryAct(pane, line))) break;
    this.requestRender();
    return ok;
  }

  crash(id = 'leader', pane = null) {
    return this.act(`crash ${id}`, pane);
  }

  restart(id, pane = null) {
    return this.act(`restart ${id}`, pane);
  }

  /** `groups`: "S1 S2 | S3 S4 S5" or [["S1","S2"],["S3","S4","S5"]]. */
  partition(groups, pane = null) {
    const text = Array.isArray(groups) ? groups.map((g) => g.join(' ')).join(' | ') : String(groups);
    return this.act(`partition ${text}`, pane);
  }

  heal(pane = null) {
    return this.act('heal', pane);
  }

  /** Draw attention to one server (null clears). */
  highlight(id) {
    for (const p of this.panes) p.highlighted = id || null;
    this.requestRender();
  }

  /** A plain summary of the figure's state, for tests and for article scripts. */
  state() {
    return {
      preset: this.preset.name,
      variant: this.variant.id,
      step: this.stepIndex,
      steps: this.variant.steps.length,
      paused: this.paused,
      time_ms: this.now(),
      panes: this.panes.map((p) => {
        const s = p.model.snapshot();
        return {
          id: p.spec.id,
          leader: s.leader || null,
          partition: s.partition || '',
          safe: s.safe !== false,
          nodes: s.nodes.map((n) => ({ id: n.id, role: n.role, term: n.term, running: n.running, commit: n.commit_index, state: n.state })),
          history: (s.history || []).map((h) => ({ line: h.line, op: h.op, key: h.key, value: h.value, outcome: h.outcome, result: h.result })),
          recorded: p.model.recorded(),
          trace_hash: s.trace_hash,
        };
      }),
    };
  }

  /** Dispatch `name` (a CustomEvent with `detail`) and announce `say` in the live region. */
  emit(name, detail, say) {
    if (say) this.announce(say);
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  announce(text) {
    // Keep the last few lines: a screen reader reads what is added.
    const line = el('p', {}, text);
    this.live.appendChild(line);
    while (this.live.childElementCount > 3) this.live.firstChild.remove();
  }

  /** Give the simulators' memory back (wasm memory is not garbage collected). */
  freePanes() {
    for (const p of this.panes) if (p.model.pg && p.model.pg.free) p.model.pg.free();
    this.panes = [];
  }

  destroy() {
    this.destroyed = true;
    this.paused = true;
    this.freePanes();
  }
}
