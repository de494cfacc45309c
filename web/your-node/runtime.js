// The page's side of a `protocol js` run: a stand-in for the wasm Playground (the same methods
// web/*.js call on model.pg) whose simulator lives in a Web Worker (web/your-node/worker.js).
// Loaded only for a js run (a dynamic import from main.js), so the first load does not grow.
//
// The page's frame loop stays synchronous: commands (advance, step, act, seek, live, …) are
// queued and sent as one batch when the worker is free (at most one request outstanding;
// advances add up, seeks replace each other), and every reader (snapshot, recorded, traceHash,
// timeline, messagesBetween, check) answers from the newest state the worker sent.
//
// Errors come back asynchronously, through the callbacks given to `open`:
//   onUpdate()            a new state arrived (redraw);
//   onActError(line, msg) a scenario line was refused;
//   onNodeError(detail)   the run stopped on the node: { kind: 'throw'|'timeout', message, server,
//                         event, timeMs, line, column } (line/column in the node's module, 1-based).
// A handler that runs for HANG_MS of real time is stopped by terminating the worker (the worker
// says it is alive every 200 ms while handlers run); the same requests are then replayed on a
// new worker that names each handler before it runs, to say which one hung. The run is then
// dead (`dead` is true) and the page keeps its last state on screen.

import { codeOf, describeCall } from './describe.js';

/** A handler that has not returned after this much real time is stopped. */
export const HANG_MS = 1000;
/** The simulator itself (checking linearizability, say) may take this long before it is stopped. */
const SIM_MS = 30_000;
/**
 * The replay that looks for the hung handler waits this long after a handler began before it
 * gives up on hearing from a loop guard (worker.js trips one after 800 ms in one handler). It is
 * well past that, so a guard is heard even when the machine is busy; only a hang no guard sees
 * (a `for … of` without braces, recursion) waits it out, and only once.
 */
const DIAGNOSE_MS = 4 * HANG_MS;
/**
 * A frame of the page may ask this much simulated time of the worker (model.js's MAX_STEP_MS
 * keeps a run on the page's own thread to 100 ms a frame, so that a frame stays short; this run
 * is computed off the page's thread, so the page can play it at 100x real time and more).
 */
const MAX_STEP_MS = 2000;
/** Advances waiting for the worker add up to at most this much simulated time (the rest is dropped: the run lags, it does not pile up). */
const ADVANCE_BACKLOG_MS = 2 * MAX_STEP_MS;

/** Does this scenario text select `protocol js`? (The parser has the last word; this is cheap.) */
export function isJsScenario(text) {
  return /^[ \t]*protocol[ \t]+js[ \t]*(#.*)?$/m.test(text);
}

/**
 * Where the module's syntax error is, or null when it parses: { message, line, column } (module
 * lines, 1-based). The browser tells a classic script's error position, not a module's: the
 * module is checked as a script, its `export` keywords blanked out in place (same length, so every
 * position holds), inside a function that is never called.
 */
export function checkSyntax(code) {
  const script = code
    .replace(/\bexport\s+default\b/g, (m) => ' '.repeat(m.length))
    .replace(/\bexport(?=\s+(const|let|var|function|class|async)\b)/g, '      ');
  const source = `(function(){"use strict";\n${script}\n});postMessage(0);`;
  return new Promise((resolve) => {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const w = new Worker(url);
    const done = (v) => {
      w.terminate();
      URL.revokeObjectURL(url);
      resolve(v);
    };
    w.onmessage = () => done(null);
    w.onerror = (e) => {
      e.preventDefault();
      const message = String(e.message || 'SyntaxError').replace(/^Uncaught /, '');
      const line = e.lineno ? e.lineno - 1 : null;
      done({ message, line: line && line >= 1 ? line : null, column: e.colno || null });
    };
  });
}

/** An error of a js run that the page shows and marks: `detail` is the yournode-error detail. */
export class NodeError extends Error {
  constructor(detail) {
    super(detail.message);
    this.detail = detail;
  }
}

export class WorkerPlayground {
  /**
   * Start a js run of `text`. Resolves once the worker has replayed it (the first state is
   * there); rejects with a NodeError (kind 'syntax': the module does not parse or exports no
   * factory; 'scenario': the scenario is not valid; 'timeout': a handler never returned).
   */
  static async open(text, callbacks = {}) {
    const { code } = codeOf(text);
    if (code != null) {
      const bad = await checkSyntax(code);
      if (bad) {
        const at = bad.line ? ` (module line ${bad.line}${bad.column ? `, column ${bad.column}` : ''})` : '';
        throw new NodeError({ kind: 'syntax', message: `the node's module does not parse: ${bad.message}${at}`, server: null, event: null, timeMs: null, line: bad.line, column: bad.column });
      }
    }
    const pg = new WorkerPlayground(callbacks);
    await pg.start(text);
    return pg;
  }

  constructor({ onUpdate = () => {}, onActError = () => {}, onNodeError = () => {}, onFree = () => {} } = {}) {
    this.onUpdate = onUpdate;
    this.onFree = onFree;
    this.onActError = onActError;
    this.onNodeError = onNodeError;
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.addEventListener('message', (e) => this.receive(e.data));
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.fail({ kind: 'throw', message: `the worker failed: ${e.message || 'unknown error'}`, server: null, event: null, timeMs: this.state ? this.state.snap.time_ms : null, line: null, column: null });
    });
    this.queue = [];
    this.pending = null; // the request out: { id, resolve, reject }
    this.nextId = 1;
    this.state = null;
    this.span = null; // the diagram's window, ms before now
    this.goals = new Map(); // goal text -> { results } | { error }
    this.running = false; // the node's code may be running (the worker said 'run', not yet 'sim')
    this.heard = 0; // when the worker last said something (performance.now())
    this.opened = null; // the scenario text, and every op sent since: replayed to find a hung handler
    this.sent = [];
    this.watchdog = setInterval(() => this.watch(), 100);
    this.dead = false;
    this.lastNodeError = '';
    this.traceWaiters = new Map();
    this.seekingTo = null; // the instant of a seek the worker has not answered yet
    this.maxStepMs = MAX_STEP_MS; // read by model.js's tick
  }

  start(text) {
    this.opened = text;
    return this.request({ type: 'open', text });
  }

  // ---- the worker ------------------------------------------------------------------------------

  request(msg) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.running = false;
      this.heard = performance.now();
      this.worker.postMessage({ ...msg, id, span: this.span, goals: [...this.goals.keys()] });
    });
  }

  /** Stop the worker when a request has gone unanswered too long: HANG_MS while handlers run. */
  watch() {
    if (!this.pending || this.dead || this.diagnosing) return;
    const quiet = performance.now() - this.heard;
    if (quiet > (this.running ? HANG_MS : SIM_MS)) this.hung();
  }

  /**
   * The worker went quiet while the node's code ran: stop it, and find which handler hung by
   * replaying the same requests on a new worker that names every handler before it runs (the run
   * is deterministic: it hangs in the same call). Costs about one more HANG_MS, only when a node hangs.
   */
  hung() {
    this.diagnosing = true;
    this.worker.terminate();
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    let last = null;
    let loop = null; // where a loop guard tripped (guard.js): the hung handler's line
    let heard = performance.now();
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearInterval(watch);
      w.terminate();
      this.reportHang(last ? describeCall(...last) : {}, loop);
    };
    w.onmessage = (e) => {
      const m = e.data;
      heard = performance.now();
      if (m.type === 'enter') last = [m.server, m.input];
      else if (m.type === 'loop') loop = loop || { line: m.line, column: m.column };
      else if (m.id === 1 && (m.type === 'state' || m.type === 'failed')) done(); // it did not hang this time
    };
    // Before the first handler (the module still loading), no limit but the simulator's.
    const started = performance.now();
    const watch = setInterval(() => {
      const now = performance.now();
      if ((last && now - heard > DIAGNOSE_MS) || now - started > SIM_MS) done();
    }, 50);
    w.postMessage({ type: 'open', id: 0, text: this.opened, beacons: true });
    if (this.state) w.postMessage({ type: 'batch', id: 1, ops: this.sent, span: null, goals: [] });
  }

  reportHang(e, loop) {
    const where = e.server ? `${e.server} did not return from ${e.event} at ${e.timeMs}ms` : 'the node did not return';
    this.fail({
      kind: 'timeout',
      message: `${where} within ${HANG_MS / 1000} s of real time: the worker running the node was stopped (${loop ? 'the loop at' : 'an endless loop?'}${loop ? ` module line ${loop.line}` : ''})`,
      server: e.server ?? null,
      event: e.event ?? null,
      timeMs: e.timeMs ?? null,
      line: loop ? loop.line : null,
      column: loop ? loop.column : null,
    });
  }

  /** The run cannot go on (a hung handler, a dead worker): stop the worker, keep the last state. */
  fail(detail) {
    if (this.dead) return;
    this.dead = true;
    clearInterval(this.watchdog);
    this.worker.terminate();
    this.queue = [];
    const p = this.pending;
    this.pending = null;
    if (p && !this.state) {
      p.reject(new NodeError(detail));
      return;
    }
    if (p) p.resolve();
    this.onNodeError(detail);
    this.onUpdate();
  }

  receive(m) {
    if (this.dead) return;
    if (m.type === 'run' || m.type === 'alive' || m.type === 'sim') {
      this.running = m.type !== 'sim';
      this.heard = performance.now();
      return;
    }
    if (m.type === 'trace') {
      const w = this.traceWaiters.get(m.id);
      this.traceWaiters.delete(m.id);
      if (w) w(m.text);
      return;
    }
    const p = this.pending;
    if (!p || p.id !== m.id) return;
    this.pending = null;
    if (m.type === 'failed') {
      const detail = { server: null, event: null, timeMs: null, line: null, column: null, ...m.error };
      if (!this.state) {
        p.reject(new NodeError(detail));
        this.free();
      } else {
        // The simulator itself failed during a run (not the node): the run is over; say so.
        this.pending = p;
        this.fail({ ...detail, kind: 'throw', message: `the simulator failed: ${detail.message}` });
      }
      return;
    }
    // (The diagram's messages come every few states: keep the last ones until new ones come.)
    if (m.messages == null && this.state) m.messages = this.state.messages;
    this.state = m;
    // A seek is shown as it is once no other is still on its way.
    if (!this.queue.some((o) => o.op === 'seek' || o.op === 'live')) this.seekingTo = null;
    for (const [g, r] of Object.entries(m.goals || {})) this.goals.set(g, r);
    p.resolve();
    for (const a of m.actErrors || []) this.onActError(a.line, a.message);
    const err = m.nodeError;
    const key = err ? `${err.server}|${err.timeMs}|${err.message}` : '';
    if (key && key !== this.lastNodeError) this.onNodeError(err);
    this.lastNodeError = key;
    this.onUpdate();
    this.flush();
  }

  /** Send what is queued, if the worker is free. */
  flush() {
    if (this.pending || this.dead || !this.queue.length || !this.state) return;
    const ops = this.queue;
    this.queue = [];
    this.sent.push(...ops);
    this.request({ type: 'batch', ops }).catch(() => {});
  }

  enqueue(op) {
    if (this.dead) return;
    const last = this.queue[this.queue.length - 1];
    if (op.op === 'advance' && last && last.op === 'advance') {
      last.ms = Math.min(ADVANCE_BACKLOG_MS, last.ms + op.ms);
    } else if (op.op === 'seek' && last && (last.op === 'seek' || last.op === 'live')) {
      this.queue[this.queue.length - 1] = op;
    } else {
      this.queue.push(op);
    }
    this.flush();
  }

  /** Resolves when everything queued so far has been applied (for tests and the page's Run). */
  async settled() {
    while (!this.dead && (this.pending || this.queue.length)) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  // ---- the Playground's methods (web/*.js) ------------------------------------------------

  advance(ms) {
    if (ms > 0) this.enqueue({ op: 'advance', ms: Math.floor(ms) });
  }

  step(max) {
    this.enqueue({ op: 'step', max });
    return 0;
  }

  /** Applied in order with everything else; a refusal comes back through onActError. */
  act(line) {
    if (this.dead) throw new Error('this run of your node was stopped: load it again to go on');
    this.enqueue({ op: 'act', line });
  }

  seek(ms) {
    this.enqueue({ op: 'seek', ms });
    if (this.state) this.seekingTo = Math.max(0, Math.min(this.state.endMs, Math.floor(ms)));
  }

  live() {
    this.enqueue({ op: 'live' });
    this.seekingTo = null;
  }

  setLinearizabilityBudget(steps) {
    this.enqueue({ op: 'budget', steps });
  }

  /**
   * The newest state's snapshot. While a seek is on its way, its instant (and not live) already,
   * so that the timeline follows the pointer and the keys (each arrow press moves on from there).
   */
  snapshot() {
    const snap = this.state.snap;
    return this.seekingTo == null ? snap : { ...snap, time_ms: this.seekingTo, live: false };
  }

  recorded() {
    return this.state.recorded;
  }

  recordedAll() {
    return this.state.recordedAll;
  }

  traceHash() {
    return this.state.traceHash;
  }

  time() {
    return this.state.snap.time_ms;
  }

  isLive() {
    return this.state.live;
  }

  endMs() {
    return this.state.endMs;
  }

  timeline() {
    return this.state.timeline;
  }

  /** The messages of the diagram's window, as the newest state has them (the window is kept for the next states). */
  messagesBetween(from, to) {
    const span = Math.max(0, Math.ceil(to - from));
    if (this.span !== span) {
      this.span = span;
      this.enqueue({ op: 'noop' });
    }
    const list = this.state.messages;
    if (!list) return [];
    return list.filter((m) => m.sent_ms <= to && (m.end_ms == null || m.end_ms >= from));
  }

  /** The classroom's goal check: the results at the newest state (computed with every state from now on). */
  check(goal) {
    const r = this.goals.get(goal);
    if (!r) {
      this.goals.set(goal, { results: [] });
      this.enqueue({ op: 'noop' });
      return [];
    }
    if (r.error) throw new Error(r.error);
    return r.results;
  }

  /** The trace so far as JSON Lines (a promise: the worker replays the recording for it). */
  traceJsonl() {
    if (this.dead) return Promise.resolve('');
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.traceWaiters.set(id, resolve);
      this.worker.postMessage({ type: 'trace', id });
    });
  }

  free() {
    if (this.state) this.onFree();
    this.dead = true;
    clearInterval(this.watchdog);
    this.worker.terminate();
  }
}

// ---- the page's side (web/main.js's App) ----------------------------------------------------------

/**
 * Start a js run of `text` in `app` (main.js's App.load, for a `protocol js` scenario): resolves
 * to whether it started. A run started meanwhile (another load) wins over this one.
 */
export async function loadJs(app, text, { paused, source }) {
  const before = app.model.pg;
  let pg;
  const mine = () => app.model.pg === pg;
  try {
    pg = await WorkerPlayground.open(text, {
      onFree: () => clearNodeError(app.root),
      onUpdate: () => {
        if (!mine()) return;
        app.model.snap = null;
        // Paused, the page draws only when asked: the worker's answer (a seek, a goal's check)
        // is news.
        app.requestRender();
      },
      onActError: (line, message) => mine() && app.showError(`"${line}" was not applied: ${message}`),
      onNodeError: (detail) => mine() && nodeError(app, detail),
    });
  } catch (err) {
    if (app.model.pg !== before) return false;
    // (A scenario that does not parse is the page's usual error, not the node's.)
    if (err && err.detail && err.detail.kind !== 'scenario') markNodeError(app.root, err.detail);
    // As main.js's App.load does: say why; the run that was there goes on (or a fresh one starts).
    const message = `${source === 'link' ? 'This share link could not be opened' : 'This scenario could not be run'}: ${err.message || err}`;
    if (!app.model.pg) app.load('nodes 5\nseed 1\n');
    else app.renderNow(true);
    app.showError(message);
    return false;
  }
  if (app.model.pg !== before) {
    pg.free();
    return false;
  }
  // The page's model takes this run (model.js's load, with a run made here).
  const model = app.model;
  const old = model.pg;
  clearNodeError(app.root);
  if (old && old.free) old.free();
  model.pg = pg;
  // (An exercise started with this load begins once it resolves: classroom.js's start. Any
  // other run leaves the exercise that was active, as a run loaded on the page's thread does.)
  model.carryMs = 0;
  model.snap = null;
  app.afterLoad(paused);
  if (pg.state.nodeError) nodeError(app, pg.state.nodeError);
  return true;
}

/**
 * The node stopped the run (it threw, or a handler never returned): the run pauses there, and the
 * page says where (see markNodeError).
 */
export function nodeError(app, detail) {
  app.setPaused(true);
  const pg = app.model.pg;
  // The run's own line for it ("S2 failed in …") is said here, with more detail, instead.
  if (pg && pg.state) app.errorsSeen = (pg.state.snap.errors || []).length;
  markNodeError(app.root, detail);
  const what = { throw: 'Your node threw an error', timeout: 'Your node was stopped' }[detail.kind] || 'Your node could not run';
  app.showError(`${what}: ${detail.message}${whereOf(detail)}`);
}

/**
 * Mark the page's root with a node's error: data-node-error (its kind) and data-node-error-server,
 * -event, -time, -line, -column, for tests and the code editor (removed when that run is
 * replaced by another); and tell listeners with a
 * `yournode-error` event on the root, detail { kind, message, server, event, timeMs, line, column }.
 * (main.js's afterLoad clears the marks when another run starts.)
 */
export function markNodeError(root, detail) {
  const d = root.dataset;
  const put = (k, v) => (v == null ? delete d[k] : (d[k] = String(v)));
  put('nodeError', detail.kind);
  put('nodeErrorServer', detail.server);
  put('nodeErrorEvent', detail.event);
  put('nodeErrorTime', detail.timeMs);
  put('nodeErrorLine', detail.line);
  put('nodeErrorColumn', detail.column);
  const { kind, message, server = null, event = null, timeMs = null, line = null, column = null } = detail;
  root.dispatchEvent(new CustomEvent('yournode-error', { bubbles: true, detail: { kind, message, server, event, timeMs, line, column } }));
}

/** Remove a node's error marks: the run they were about is gone. */
export function clearNodeError(root) {
  for (const k of Object.keys(root.dataset)) if (k.startsWith('nodeError')) delete root.dataset[k];
}

/** " (S2, on timer election, at 1234 ms, module line 12:7)" for a node's error at run time. */
function whereOf(d) {
  if (d.kind === 'syntax') return ''; // its message names line and column already
  const parts = [d.server, d.event && `on ${d.event}`, d.timeMs != null && `at ${d.timeMs} ms`, d.line && `module line ${d.line}${d.column ? `:${d.column}` : ''}`];
  const s = parts.filter(Boolean).join(', ');
  return s ? ` (${s})` : '';
}
