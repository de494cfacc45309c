// The page: loads the simulator, owns the frame loop, and is the one place where input
// becomes scenario lines (record → apply → render). The JS never edits the model: it calls
// pg.act(line) and the next frame draws whatever the snapshot then says.

import init, { Playground } from './pkg/raft_wasm.js';
import { Model } from './model.js';
import { ClusterPane } from './pane.js';
import { Panels } from './panels.js';
import { wireControls } from './input.js';
import { wireServerMenu } from './server-menu.js';
import { latencyLine, percent, clientLine, BOOKERS } from './actions.js';
import { decodeScenarioAny, sharePayload, shareLink, shortShareLink } from './share.js';
import { Timeline } from './timeline.js';
import { Lanes } from './diagram.js';
import { wireIO } from './io.js';
import { Drawers } from './drawers.js';
import { viewFor } from './geometry.js';
import yourNodeUrl from './your-node/drawer.js?worker&url';

/**
 * Default speed: a tenth of real time. Messages take 10–30 ms of simulated time, so at 0.1 a
 * message crosses the screen in 0.1–0.3 s and an election timeout lasts 1.5–3 s: slow enough to
 * follow, quick enough not to bore. `?speed=X` overrides it (1 = real time).
 */
export const DEFAULT_SPEED = 0.1;

/** A fresh run: the language's defaults, written out so the recording says them. */
const FRESH = 'nodes 5\nseed 1\n';
const FRESH_NODES = 5;

/**
 * What the drawing needs of a fresh run's first instant (time 0: every server a follower of term
 * 0, nothing sent yet), for the frame drawn before the simulator is loaded. The simulator's own
 * snapshot replaces it at once (with the election timers, which depend on the seed).
 */
export function firstInstant(nodes) {
  const ids = Array.from({ length: nodes }, (_, i) => `S${i + 1}`);
  return {
    time_ms: 0,
    nodes: ids.map((id) => ({
      id, running: true, role: 'follower', term: 0, voted_for: null, commit_index: 0, membership: 'member', timer: null, votes_needed: null,
    })),
    messages: [],
    partition: '',
    partition_groups: [],
    cuts: [],
    safe: true,
  };
}

/** A scenario of `protocol js` (a node written in JavaScript): run in a worker (your-node/runtime.js). */
const JS_PROTOCOL = /^\s*protocol\s+js\b/m;
/** Where that module is: built as an entry of its own (vite.config.js), beside main's chunk. */
const YOUR_NODE_RUNTIME = import.meta.env.DEV ? './your-node/runtime.js' : './your-node-runtime.js';

/** Refresh the recorded scenario on screen at most this often (ms of wall time). */
const RECORDED_EVERY_MS = 250;

/**
 * The work a running page does now and then rather than every frame (each at its own rate:
 * the lanes' messages, asked of the simulator and then drawn, their operations, the timeline's
 * marks, the recorded scenario), given one frame each in turn, so that two of them never land
 * in the same frame.
 */
export const SLOW_TURNS = ['lane-messages', 'lane-draw', 'lane-ops', 'marks', 'recorded'];

class App {
  constructor(root, model) {
    this.root = root;
    this.model = model;
    // The drawing: the pane adapter the figures use too; its input acts through this.act.
    this.pane = new ClusterPane(root.querySelector('[data-cluster]'), model, {
      act: (lines) => this.act(lines),
      requestRender: () => this.requestRender(),
      announce: (text) => this.announce(text),
    });
    this.svg = this.pane.svg;
    this.layout = this.pane.layout;
    this.panels = new Panels(root);
    // The page's parts, by their data-* attribute; buttons by their action in the table.
    const part = (attr) => root.querySelector(`[${attr}]`);
    const button = (id) => root.querySelector(`[data-action="${id}"]`);
    this.errorEl = part('data-error');
    this.errorBox = part('data-error-box');
    this.pauseButton = button('toggle-pause');
    this.stepButton = button('step');
    this.speedSelect = root.querySelector('[data-control="speed"]');
    this.shareOut = part('data-share-out');
    this.shareLinkEl = part('data-share-link');
    this.shareButton = button('share');
    this.shareNote = part('data-share-note');
    this.shareCopied = part('data-share-copied');
    this.editor = part('data-editor');
    this.clientError = part('data-client-error');
    this.paused = false;
    this.speed = DEFAULT_SPEED;
    this.bookings = 0;
    this.lastFrame = null;
    this.recordedAt = -Infinity;
    this.renderQueued = false;
    this.errorFromLink = false;
    this.errorsSeen = 0;
    this.frameNo = 0;
  }

  /**
   * Whether periodic work `name` (one of SLOW_TURNS) may run in this frame: always while paused
   * or when a drawing is forced, otherwise in its turn only.
   */
  turn(name) {
    return this.paused || this.forced || SLOW_TURNS[this.frameNo % SLOW_TURNS.length] === name;
  }

  /**
   * Fit the drawing's coordinate box to the screen: on a phone the narrow, tall box, so that
   * servers are large enough to read and to touch (servers go home when it changes).
   */
  fitView() {
    const box = viewFor(window.innerWidth);
    if (box === this.layout.box) return;
    this.layout.setBox(box);
    this.svg.setAttribute('viewBox', `0 0 ${box.width} ${box.height}`);
    this.root.dataset.view = box.width < 600 ? 'phone' : 'wide';
    if (this.model.pg) this.renderNow();
  }

  // --- starting runs ---------------------------------------------------------------------------

  /**
   * Start a run from scenario text; on error, say so and keep (or start) a usable run. Returns
   * whether it started; for a `protocol js` scenario, a promise of that (its worker loads first).
   */
  load(text, { paused = false, source = 'scenario' } = {}) {
    // A node written in JavaScript: its simulator and its code in a Web Worker (loaded on demand).
    if (JS_PROTOCOL.test(text)) return import(/* @vite-ignore */ new URL(YOUR_NODE_RUNTIME, import.meta.url).href).then((m) => m.loadJs(this, text, { paused, source }));
    try {
      this.model.load(text);
    } catch (err) {
      this.showError(`${source === 'link' ? 'This share link could not be opened' : 'This scenario could not be run'}: ${messageOf(err)}`);
      if (!this.model.pg) {
        this.model.load(FRESH);
        this.afterLoad(false);
      } else {
        // The run that was there goes on as it was (paused stays paused).
        this.renderNow(true);
      }
      return false;
    }
    this.afterLoad(paused);
    return true;
  }

  afterLoad(paused) {
    this.errorsSeen = 0;
    this.panels.reset();
    this.pane.reset();
    this.setPaused(paused);
    this.renderNow(true);
    // A new run: the "Your node" drawer (when loaded) shows the code that belongs to it.
    this.nodeError = null;
    this.root.dispatchEvent(new CustomEvent('playground-load'));
  }

  /** Open the share link in the location's hash, if there is one. */
  async loadFromHash() {
    const payload = sharePayload(location.hash);
    if (payload == null) return false;
    if (payload === '') {
      this.showError('This share link is empty: it holds no scenario (was it cut short when it was copied?). A new cluster was started instead.');
      this.load(FRESH);
      return true;
    }
    let text;
    try {
      text = await decodeScenarioAny(payload);
    } catch (err) {
      this.showError(`This share link could not be opened: ${messageOf(err)}. A new cluster was started instead.`);
      this.load(FRESH);
      return true;
    }
    if (!(await this.load(text, { paused: true, source: 'link' }))) {
      this.errorEl.append(' A new cluster was started instead.');
    }
    return true;
  }

  /** A new run with another cluster size or seed. */
  newRun({ nodes, seed }) {
    const s = this.model.snapshot().settings;
    const text = `nodes ${nodes ?? s.nodes}\nseed ${seed ?? s.seed}\n`;
    this.clearError();
    this.load(text, { paused: this.paused });
  }

  // --- acting on the run -------------------------------------------------------------------------

  /** Apply scenario lines in order; stop at the first that the simulator refuses. */
  act(lines) {
    if (!this.model.pg) return false; // the first frame, drawn before the simulator was loaded
    for (const line of lines) {
      try {
        this.model.act(line);
      } catch (err) {
        this.showError(`"${line}" was not applied: ${messageOf(err)}`);
        this.renderNow();
        return false;
      }
    }
    if (!this.errorFromLink) this.clearError();
    this.renderNow();
    return true;
  }

  /** "Add server": the lowest free name joins (it catches up as a non-voter first). */
  addServer() {
    const have = new Set(this.model.snapshot().nodes.map((n) => n.id));
    const free = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `S${i}`).find((id) => !have.has(id));
    if (!free) {
      this.showError('A cluster has at most nine servers (S1 to S9).');
      return;
    }
    this.act([`add ${free}`]);
  }

  /** Say something to screen readers (and keep it on the page for everyone). */
  announce(text) {
    const el = this.root.querySelector('[data-announce]');
    if (el) el.textContent = text;
  }

  heal() {
    this.layout.goHome();
    this.act(['heal']);
  }

  setting(name, value) {
    const line = {
      loss: () => `loss ${percent(value)}`,
      duplicate: () => `duplicate ${percent(value)}`,
      latency: () => latencyLine(Number(value)),
      prevote: () => `prevote ${value ? 'on' : 'off'}`,
      'check-quorum': () => `check-quorum ${value ? 'on' : 'off'}`,
      reads: () => `reads ${value}`,
    }[name]();
    this.act([line]);
  }

  clientFields() {
    const form = this.root.querySelector('[data-client-form]');
    const v = (name) => form.elements[name].value.trim();
    return { key: v('key'), value: v('value'), expected: v('expected'), via: v('via') };
  }

  client(op) {
    const built = clientLine(op, this.clientFields());
    if (built.error) {
      this.clientError.textContent = built.error;
      return;
    }
    this.clientError.textContent = '';
    this.act([built.line]);
  }

  /** "Book bike #42": a new person tries to take the bike, only if nobody has it yet. */
  book() {
    const who = BOOKERS[this.bookings % BOOKERS.length];
    this.bookings += 1;
    const { via } = this.clientFields();
    this.act([`cas bike42 - ${who}${via ? ` via ${via}` : ''}`]);
  }

  // --- time ------------------------------------------------------------------------------------

  setPaused(paused) {
    this.paused = paused;
    this.pauseButton.textContent = paused ? 'Play' : 'Pause';
    this.stepButton.disabled = !paused;
    this.stepButton.title = paused ? 'Advance to the next delivery or timer (S)' : 'Pause first to step';
    this.root.dataset.paused = String(paused);
    this.lastFrame = null;
  }

  setSpeed(speed) {
    if (!(speed > 0)) return;
    this.speed = speed;
    const value = String(speed);
    if (![...this.speedSelect.options].some((o) => o.value === value)) {
      const opt = document.createElement('option');
      opt.value = value;
      opt.textContent = `×${value}`;
      const after = [...this.speedSelect.options].find((o) => Number(o.value) > speed);
      this.speedSelect.insertBefore(opt, after || null);
    }
    this.speedSelect.value = value;
  }

  step() {
    if (!this.paused) this.setPaused(true);
    this.model.step();
    this.renderNow();
  }

  // --- sharing ---------------------------------------------------------------------------------

  /**
   * Share: a popover under the button with the whole link, Copy, and whether the clipboard has
   * it. The plain link is there at once; the compressed one replaces it when it is ready (and
   * shorter), and that is the one copied.
   */
  share() {
    const base = [location.origin, location.pathname + location.search];
    const recorded = this.model.recorded();
    const at = this.model.snapshot().time_ms;
    this.showShareLink(shareLink(...base, recorded));
    this.shareNote.textContent = `Opens this run paused at ${(at / 1000).toFixed(3)} s, exactly as it is now.`;
    this.shareCopied.textContent = '';
    this.shareOut.hidden = false;
    this.shareButton.setAttribute('aria-expanded', 'true');
    const token = (this.shareToken = (this.shareToken || 0) + 1);
    shortShareLink(...base, recorded).then((link) => {
      if (token !== this.shareToken) return;
      this.showShareLink(link);
      return this.copyShareLink(false);
    });
  }

  showShareLink(link) {
    this.shareLinkEl.textContent = link;
    this.shareLinkEl.href = link;
    this.shareOut.dataset.length = String(link.length);
  }

  /** Copy the shown link; say whether the clipboard took it (and, if not, how to copy it). */
  async copyShareLink(fromButton = true) {
    const ok = await copyText(this.shareLinkEl.textContent);
    this.shareOut.dataset.copied = String(ok);
    this.shareCopied.textContent = ok
      ? `Copied to the clipboard (${this.shareLinkEl.textContent.length} characters).`
      : fromButton ? 'The browser did not allow copying: select the link and copy it.' : '';
    return ok;
  }

  closeShare(refocus = true) {
    if (this.shareOut.hidden) return;
    this.shareOut.hidden = true;
    this.shareButton.setAttribute('aria-expanded', 'false');
    if (refocus) this.shareButton.focus();
  }

  copyScenario() {
    copyText(this.model.recorded());
  }

  openEditor() {
    this.editor.hidden = false;
    const area = this.editor.querySelector('textarea');
    if (!area.value) area.value = this.model.recorded();
    area.focus();
  }

  closeEditor() {
    this.editor.hidden = true;
  }

  runEditor() {
    const text = this.editor.querySelector('textarea').value;
    this.clearError();
    // (A js scenario loads in its worker first: the editor closes once it has.)
    Promise.resolve(this.load(text, { paused: true })).then((ok) => ok && this.closeEditor());
  }

  // --- messages to the person ----------------------------------------------------------------

  showError(message) {
    this.errorEl.textContent = message;
    this.errorBox.hidden = false;
    this.errorFromLink = /share link/.test(message);
  }

  clearError() {
    if (this.errorBox.hidden) return;
    this.errorBox.hidden = true;
    this.errorEl.textContent = '';
    this.errorFromLink = false;
  }

  // --- drawing -----------------------------------------------------------------------------------

  requestRender() {
    this.renderQueued = true;
  }

  renderNow(forceRecorded = false) {
    this.frameNo += 1;
    this.forced = forceRecorded;
    const snap = this.model.snapshot();
    this.pane.draw(snap);
    this.panels.render(snap);
    if (this.timeline) this.timeline.render(snap);
    if (this.lanes) this.lanes.render(snap);
    const d = this.root.dataset;
    ClusterPane.stamp(d, snap);
    d.traceHash = this.model.traceHash();
    d.live = String(snap.live !== false);
    d.nodes = String(snap.nodes.length);
    // Errors of the run itself (say "timeout leader" when there is no leader): show the newest.
    const errors = snap.errors || [];
    if (errors.length > this.errorsSeen) {
      this.errorsSeen = errors.length;
      this.showError(`The run reported: ${errors[errors.length - 1]}`);
    }
    const now = performance.now();
    if (forceRecorded || (now - this.recordedAt > RECORDED_EVERY_MS && this.turn('recorded'))) {
      this.recordedAt = now;
      this.panels.renderRecorded(this.model.recorded());
    }
    if (this.drawers) this.drawers.renderBadge(snap);
    if (this.classroom) this.classroom.render(snap);
    this.renderQueued = false;
  }

  frame(now) {
    if (!this.paused && this.lastFrame != null) {
      const realMs = Math.min(250, now - this.lastFrame);
      this.model.tick(realMs, this.speed);
    }
    this.lastFrame = this.paused ? null : now;
    this.renderNow();
  }

  run() {
    const loop = (now) => {
      try {
        this.frame(now);
      } catch (err) {
        // A failure inside the simulator: show it, stop time, keep the page alive.
        this.showError(`The simulator stopped: ${messageOf(err)}`);
        this.setPaused(true);
      }
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }
}

function messageOf(err) {
  if (err == null) return 'unknown error';
  if (typeof err === 'string') return err;
  return err.message || String(err);
}

/** Copy to the clipboard when the browser allows it; resolves to whether it did. */
async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Not allowed here (no permission, no focus): the text is still shown on the page.
  }
  return false;
}

/** The Share popover: Copy, Close, Escape, and a press outside closes it. */
function wireSharePopover(root, app) {
  const pop = root.querySelector('[data-share-out]');
  root.querySelector('[data-share-copy]').addEventListener('click', () => app.copyShareLink(true));
  root.querySelector('[data-share-close]').addEventListener('click', () => app.closeShare(true));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !pop.hidden) {
      e.preventDefault();
      e.stopPropagation();
      app.closeShare(true);
    }
  });
  document.addEventListener('pointerdown', (e) => {
    if (!pop.hidden && !pop.contains(e.target) && !app.shareButton.contains(e.target)) app.closeShare(false);
  });
}

/** `?speed=X` from the URL, or the default. */
export function speedFromQuery(search) {
  const v = Number(new URLSearchParams(search).get('speed'));
  return v > 0 && Number.isFinite(v) ? Math.min(v, 1000) : DEFAULT_SPEED;
}

/**
 * Load the editor (web/your-node/drawer.js, bundled on its own by Vite's `?worker&url`, which
 * gives its built file's address) with a script element, and open it. Not `import()`: Vite
 * would add its preloading helper to the page's first load for it.
 */
function loadYourNode(app) {
  if (globalThis.raftYourNode) return globalThis.raftYourNode(app);
  const s = document.createElement('script');
  s.type = 'module';
  s.src = yourNodeUrl;
  s.onload = () => globalThis.raftYourNode(app);
  s.onerror = () => {
    s.remove();
    app.root.querySelector('[data-your-node]').dataset.editor = 'failed';
    app.root.querySelector('[data-your-node-status]').textContent = 'The editor could not be loaded (offline?). Close the drawer and open it again to retry.';
  };
  document.head.append(s);
}

/** Resolves after the next frame has been painted. */
function afterPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** An `#ex=` link: load the classroom and open its exercise (false: not one, or it failed). */
async function openExerciseLink(app) {
  if (!location.hash.startsWith('#ex=')) return false;
  try {
    const classroom = await app.drawers.classroom();
    return await classroom.loadFromHash();
  } catch (err) {
    app.showError(`This exercise link could not be opened: the exercises could not be loaded (${messageOf(err)}).`);
    return false;
  }
}

async function main() {
  const root = document.querySelector('[data-playground]');
  // A plain visit (no link in the hash) starts a fresh run whose first instant is known without
  // the simulator: draw its servers while the WebAssembly module compiles, and let that frame
  // be painted before the simulator and the rest of the page are set up. A link's run is known
  // only once the link is read.
  const fresh = sharePayload(location.hash) == null && !location.hash.startsWith('#ex=');
  const app = new App(root, new Model(Playground));
  window.playground = app; // for the console, and for tests that want to look inside
  app.setSpeed(speedFromQuery(location.search));
  app.fitView();
  if (fresh) app.pane.draw(firstInstant(FRESH_NODES));
  try {
    await Promise.all([init(), fresh && afterPaint()]);
  } catch (err) {
    if (fresh) app.pane.draw(firstInstant(0));
    root.querySelector('[data-error]').textContent = `The simulator could not be loaded: ${messageOf(err)}`;
    root.querySelector('[data-error-box]').hidden = false;
    return;
  }
  window.addEventListener('resize', () => app.fitView());
  wireServerMenu(app.pane);
  wireControls(root, app);
  app.timeline = new Timeline(root.querySelector('[data-timeline]'), app);
  app.lanes = new Lanes(root.querySelector('[data-lanes]'), app);
  wireIO(root, app);
  // The classroom (exercises, Break Raft) loads on demand: see web/drawers.js.
  app.drawers = new Drawers(app);
  wireSharePopover(root, app);
  // The "Your node" drawer's editor loads when the drawer is first opened, not with the page
  // (see loadYourNode); an error of the person's node is kept until then.
  root.querySelector('[data-drawer-toggle="your-node"]').addEventListener('click', () => loadYourNode(app));
  root.addEventListener('yournode-error', (e) => { app.nodeError = e.detail; });
  if (fresh) app.load(FRESH);
  else if (!(await openExerciseLink(app)) && !(await app.loadFromHash())) app.load(FRESH);
  window.addEventListener('hashchange', () => {
    if (sharePayload(location.hash) != null) {
      app.clearError();
      app.loadFromHash();
    } else if (location.hash.startsWith('#ex=')) {
      openExerciseLink(app);
    }
  });
  delete root.dataset.loading;
  app.run();
}

main();
