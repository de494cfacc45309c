// A run of `protocol js` off the page's thread (NODE-API.md): this worker owns the simulator
// instance (the full WebAssembly module: a Playground whose servers call bridge.js) and evaluates
// the person's module here, so an endless loop freezes this worker, never the page. The page's
// side is web/your-node/runtime.js (WorkerPlayground), which also watches for a hung handler.
//
// In:  {type: 'open', text}: evaluate the scenario's module, start the run (replayed to its end).
//      {type: 'batch', id, ops, span, goals}: apply ops in order ({op: 'advance', ms}, {op: 'step',
//        max}, {op: 'act', line}, {op: 'seek', ms}, {op: 'live'}, {op: 'budget', steps}), then
//        answer with the state; `span`: the diagram's window (ms before now) whose messages to
//        send along; `goals`: goal texts to check at the new instant (the classroom's).
//      {type: 'trace', id}: the trace so far as JSON Lines.
// Out: {type: 'run'}: the node's code may run now (a request began); {type: 'alive'} every
//        ALIVE_MS of wall time while handlers run; {type: 'sim'}: the simulator works (no user
//        code runs: the snapshot, the checks); {type: 'enter', server, input} before every
//        handler when opened with `beacons` (the page looking for the handler that hung);
//      {type: 'state', id, …} after open and every batch; {type: 'failed', id, error} when the
//        module cannot be loaded; {type: 'trace', id, text}.
//
// Nothing the node could use to depend on anything but the scenario, the seed and its code is
// left in this worker's global scope once the module is about to load (see `sandbox`): no
// Math.random, Date, performance, timers, fetch, XMLHttpRequest, importScripts, postMessage,
// crypto, console (the judge's vm context has none of these either).

import init, { Playground } from '../pkg/raft_wasm_full.js';
import { createBridge } from './bridge.js';
import { codeOf, describeCall } from './describe.js';
import { GUARD, guardLoops } from './guard.js';

// The module's name in stack traces (a `//# sourceURL` comment names it so).
const SOURCE = 'node.js';

// Kept before the sandbox takes them away from the global scope.
const post = self.postMessage.bind(self);
const addListener = self.addEventListener.bind(self);
const createURL = URL.createObjectURL.bind(URL);
const revokeURL = URL.revokeObjectURL.bind(URL);
const BlobOf = Blob;
const wallNow = performance.now.bind(performance);

/**
 * The diagram's messages are sent at most this often (wall ms): a window of a js run's messages
 * is large (each carries its JSON), and the diagram does not need them at every frame.
 */
const MESSAGES_EVERY_MS = 150;
let messagesAt = -Infinity;

/**
 * While handlers run, the page hears from this worker at least this often (wall ms): a handler
 * that never returns is one the page stops hearing from (runtime.js, HANG_MS).
 */
const ALIVE_MS = 200;
let aliveAt = -Infinity;
/**
 * Set by the page when it looks for the handler that hung (it replays the same requests on a new
 * worker): every handler call is then announced first, with its server and input.
 */
let beacons = false;
/** When the handler running now began (wall ms), for the loop guards of that replay. */
let callStart = 0;
/** A loop guard trips after this long in one handler: before the page's HANG_MS of silence. */
const GUARD_MS = 800;

const ready = init();
ready.catch(() => {}); // reported to the page by `open`

let pg = null;
let factory = null;
let offset = 0;
/** The handler that threw and stopped the run at this instant, as the page shows it. */
let lastError = null;
const sandboxed = { done: false };

/** Take from the global scope whatever would let a node depend on more than its inputs. */
function sandbox() {
  if (sandboxed.done) return;
  sandboxed.done = true;
  const refuse = (what, instead) =>
    function unavailable() {
      throw new Error(`${what} is not available to a node: ${instead}`);
    };
  Math.random = refuse('Math.random', 'use ctx.random()');
  const names = [
    'performance', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'queueMicrotask',
    'requestAnimationFrame', 'fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'importScripts',
    'postMessage', 'close', 'Worker', 'SharedWorker', 'BroadcastChannel', 'MessageChannel', 'indexedDB',
    'caches', 'crypto', 'navigator', 'location', 'console', 'SharedArrayBuffer', 'Atomics', 'WeakRef',
    'FinalizationRegistry', 'addEventListener', 'removeEventListener', 'onmessage',
  ];
  for (const name of names) {
    // Own properties and those of the global scope's prototypes alike.
    for (let o = self; o; o = Object.getPrototypeOf(o)) {
      try {
        if (Object.prototype.hasOwnProperty.call(o, name)) delete o[name];
      } catch {
        // not configurable: shadowed below
      }
    }
    try {
      Object.defineProperty(self, name, { value: undefined, configurable: false, writable: false });
    } catch {
      // (the name could not be shadowed either; nothing else to do)
    }
  }
  const NoDate = refuse('Date', 'use ctx.now()');
  Object.defineProperty(self, 'Date', { value: NoDate, configurable: false, writable: false });
}

/** `node.js:L:C` in a stack line, as numbers (module lines, 1-based). */
function position(at) {
  const m = /node\.js:(\d+):(\d+)/.exec(at || '');
  return m ? { line: Number(m[1]), column: Number(m[2]) } : { line: null, column: null };
}

/** A bridge that tells the page which handler runs, and remembers the first that threw. */
function makeBridge() {
  const inner = createBridge(factory, { source: SOURCE, offset });
  return {
    call(server, inputText) {
      if (beacons) {
        post({ type: 'enter', server, input: inputText });
        callStart = wallNow();
      } else {
        const now = wallNow();
        if (now - aliveAt > ALIVE_MS) {
          aliveAt = now;
          post({ type: 'alive' });
        }
      }
      const out = inner.call(server, inputText);
      if (out.startsWith('{"error"')) {
        const { error } = JSON.parse(out);
        const where = describeCall(server, inputText);
        const pos = position(error.at);
        const found = { kind: 'throw', message: error.message, ...where, ...pos, at: error.at || null };
        // (The engine stops the run at a failure: one per pass over the timeline.)
        lastError = found;
      }
      return out;
    },
  };
}

async function open(text) {
  await ready;
  // From here on the node's code may run (its module's top level, then its handlers).
  post({ type: 'run' });
  aliveAt = wallNow();
  const parts = codeOf(text);
  offset = parts.offset;
  if (parts.code != null) {
    sandbox();
    let code = parts.code;
    if (beacons) {
      // The replay that looks for a hung handler: every loop says where it is once it has run
      // too long (guard.js), and the page hears of it before the loop goes on or throws.
      let count = 0;
      Object.defineProperty(self, GUARD, {
        value: (line, column) => {
          if ((++count & 1023) === 0 && wallNow() - callStart > GUARD_MS) {
            post({ type: 'loop', line, column });
            throw new Error(`a loop at module line ${line}, column ${column} ran for more than ${GUARD_MS} ms`);
          }
          return true;
        },
      });
      code = guardLoops(code);
    }
    // The module as the person wrote it (same lines, same columns), named for stack traces.
    const url = createURL(new BlobOf([`${code}\n//# sourceURL=${SOURCE}\n`], { type: 'text/javascript' }));
    let mod;
    try {
      mod = await import(/* @vite-ignore */ url);
    } catch (e) {
      const pos = position(String((e && e.stack) || ''));
      throw Object.assign(new Error(`the node's module failed to load: ${e && e.name ? `${e.name}: ` : ''}${(e && e.message) || e}`), { detail: { kind: 'syntax', ...pos } });
    } finally {
      revokeURL(url);
    }
    factory = mod.default;
    if (typeof factory !== 'function') {
      throw Object.assign(
        new Error(`the node's module must export a factory: export default function node(ctx) { … } (its default export is ${factory === undefined ? 'missing' : typeof factory})`),
        { detail: { kind: 'syntax', line: null, column: null } },
      );
    }
  } else {
    factory = () => ({});
  }
  pg = Playground.withBridge(text, makeBridge);
}

function apply(ops) {
  const errors = [];
  for (const o of ops) {
    try {
      if (o.op === 'advance') pg.advance(o.ms);
      else if (o.op === 'step') pg.step(o.max);
      else if (o.op === 'act') pg.act(o.line);
      else if (o.op === 'seek') pg.seek(o.ms);
      else if (o.op === 'live') pg.live();
      else if (o.op === 'budget') pg.setLinearizabilityBudget(o.steps);
    } catch (e) {
      errors.push({ line: o.line ?? o.op, message: (e && e.message) || String(e) });
    }
  }
  return errors;
}

/** The diagram's window of messages, or null when it was sent lately (the page keeps the last). */
function messagesFor(span, t, force) {
  if (span == null) return null;
  const now = wallNow();
  if (!force && now - messagesAt < MESSAGES_EVERY_MS) return null;
  messagesAt = now;
  return pg.messagesBetween(Math.max(0, t - span), t);
}

/** `fresh`: send the diagram's messages whatever (the run did not just move on by time). */
function state(id, span, goals, actErrors, fresh = true) {
  post({ type: 'sim' });
  const snap = pg.snapshot();
  const t = snap.time_ms;
  const checked = {};
  for (const g of goals || []) {
    try {
      checked[g] = { results: pg.check(g) };
    } catch (e) {
      checked[g] = { error: (e && e.message) || String(e) };
    }
  }
  // The error shown is the one this instant has run into (time travel can go back before it).
  if (!(snap.errors && snap.errors.some((x) => / failed in /.test(x)))) lastError = null;
  const error = lastError;
  return {
    type: 'state',
    id,
    snap,
    recorded: pg.recorded(),
    recordedAll: pg.recordedAll(),
    traceHash: pg.traceHash(),
    timeline: pg.timeline(),
    live: pg.isLive(),
    endMs: pg.endMs(),
    messages: messagesFor(span, t, fresh),
    goals: checked,
    actErrors,
    nodeError: error,
  };
}

// One message at a time, in order (opening awaits the module: what comes meanwhile waits).
let chain = Promise.resolve();
addListener('message', (e) => {
  chain = chain.then(() => handle(e.data));
});

async function handle(m) {
  if (m.type === 'open') {
    beacons = !!m.beacons;
    callStart = wallNow();
    try {
      await open(m.text);
    } catch (err) {
      post({ type: 'failed', id: m.id, error: { message: (err && err.message) || String(err), ...(err.detail || { kind: 'scenario' }) } });
      return;
    }
    try {
      post(state(m.id, m.span, m.goals, []));
    } catch (err) {
      post({ type: 'failed', id: m.id, error: { message: (err && err.message) || String(err), kind: 'scenario' } });
    }
  } else if (m.type === 'batch') {
    post({ type: 'run' });
    aliveAt = wallNow();
    try {
      const actErrors = apply(m.ops);
      // Only time passing (the frames of a running page) may leave the diagram a little behind.
      const fresh = !m.ops.every((o) => o.op === 'advance');
      post(state(m.id, m.span, m.goals, actErrors, fresh));
    } catch (err) {
      post({ type: 'failed', id: m.id, error: { message: (err && err.message) || String(err), kind: 'throw' } });
    }
  } else if (m.type === 'trace') {
    let text = '';
    try {
      text = pg.traceJsonl();
    } catch (err) {
      text = '';
    }
    post({ type: 'trace', id: m.id, text });
  }
}
