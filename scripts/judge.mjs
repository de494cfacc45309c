// npm run judge -- FILE.scn [--json] [--trace]
// npm run judge -- --fuzz N FILE.scn
// npm run judge -- --grade HANDINS_DIR [EXERCISES_DIR]
//
// Runs a scenario of any protocol, `protocol js` included (a node written in JavaScript,
// NODE-API.md), in Node on the WebAssembly build, with the output, report and exit status of
// `raft-sim run`: 0 every expectation passed and nothing was violated unless asked for, 1 a
// failure at run time (an expectation, a property, a handler that threw), 2 an invalid file
// (the scenario or the module does not parse, or the module exports no factory).
//
// The node's module is evaluated as an ES module in a `vm` context of its own: no `Date`, no
// `Math.random`, no timers, no `console`, no imports, no eval; its only way out is `ctx`.
// (Run with --experimental-vm-modules, which package.json's script passes.)
//
// A handler that never returns: every run happens in a worker thread; the main thread watches
// each handler call (a generation counter in shared memory) and, after 1 s of real time in one
// call, asks the worker's inspector where it is (the line), then stops the worker. The report
// names the server, the event, the simulated time and the line, as for a handler that throws.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import vm from 'node:vm';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createBridge, describeInput, generator } from '../web/your-node/bridge.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm run judge -- FILE.scn [--json] [--trace]   (FILE may be - for standard input)
       npm run judge -- --fuzz N FILE.scn [--jobs J]      N random fault schedules against FILE's
                                                          node; prints the first failing one, shrunk
                                                          (J worker threads, default: the cores, ≤ 4)
       npm run judge -- [--jobs J] --grade HANDINS_DIR [EXERCISES_DIR]
                                                          grade a folder of hand-ins: ID.scn files
                                                          exported from the page, and .js nodes`;

// The module's name in stack traces and error messages.
const SOURCE = 'node.js';

/** An invalid file: its message, printed as `FILE: message`, exit status 2. */
class Invalid extends Error {}

function loadWasm() {
  // A fresh checkout has no WebAssembly build yet: make it once (the same script `npm start`
  // and `npm test` use), with its output on stderr so that --json stays clean.
  if (!existsSync(join(root, 'web/pkg/raft_wasm_full_bg.wasm'))) {
    process.stderr.write('[judge] no WebAssembly build yet: running scripts/build-wasm.sh\n');
    const built = spawnSync('bash', [join(root, 'scripts/build-wasm.sh')], { cwd: root, stdio: ['ignore', 2, 2] });
    if (built.status !== 0) {
      process.stderr.write('[judge] the build failed; run `bash scripts/setup.sh` (installs the Rust target and wasm-bindgen), then try again\n');
      process.exit(2);
    }
  }
  return import(join(root, 'web/pkg/raft_wasm_full.js')).then((wasm) => {
    wasm.initSync({ module: readFileSync(join(root, 'web/pkg/raft_wasm_full_bg.wasm')) });
    return wasm;
  });
}

// The 1-based line of the scenario where the module's first line stands (after `code`).
function codeOffset(text) {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.replace(/#.*/, '').trim() === 'code');
  return at < 0 ? 0 : at + 1;
}

const refuse = (what, instead) => `throw new Error(${JSON.stringify(`${what} is not available to a node: ${instead}`)})`;

/** Evaluate the module's text and return its default export (the node's factory). */
export async function loadNode(code, offset = 0, watch = null) {
  const context = vm.createContext({}, { codeGeneration: { strings: false, wasm: false }, name: 'node' });
  // What would make a run depend on something other than the scenario, the seed and the code.
  vm.runInContext(
    `"use strict";
    Math.random = function random() { ${refuse('Math.random', 'use ctx.random()')} };
    globalThis.Date = function Date() { ${refuse('Date', 'use ctx.now()')} };
    delete globalThis.WeakRef;
    delete globalThis.FinalizationRegistry;
    delete globalThis.SharedArrayBuffer;
    delete globalThis.Atomics;`,
    context,
  );
  const where = (e) => {
    // A syntax error's stack starts with "node.js:LINE".
    const m = new RegExp(`${SOURCE.replace('.', '\\.')}:(\\d+)`).exec(String(e.stack || ''));
    if (!m) return '';
    const line = Number(m[1]);
    return ` (module line ${line}${offset ? `, scenario line ${offset + line}` : ''})`;
  };
  let mod;
  try {
    mod = new vm.SourceTextModule(code, { identifier: SOURCE, context });
  } catch (e) {
    throw new Invalid(`the node's module does not parse: ${e.name}: ${e.message}${syntaxWhere(code, offset)}`);
  }
  try {
    await mod.link((specifier) => {
      throw new Error(`import of ${JSON.stringify(specifier)}: a node's module may not import anything`);
    });
    // The module's top level runs here: watched like a handler (an endless loop there too).
    if (watch) watch.begin('', { kind: 'module', now: 0 });
    try {
      await mod.evaluate();
    } finally {
      if (watch) watch.end();
    }
  } catch (e) {
    throw new Invalid(`the node's module failed to load: ${e.message}${where(e)}`);
  }
  const factory = mod.namespace.default;
  if (typeof factory !== 'function') {
    throw new Invalid(`the node's module must export a factory: export default function node(ctx) { … } (its default export is ${factory === undefined ? 'missing' : typeof factory})`);
  }
  return factory;
}

/**
 * Where a module's syntax error is, as " (module line L, column C, scenario line S)", or "".
 * Node reports no position for a module that does not compile, but does for a script: the
 * module's text is compiled once more as a script, its `export` keywords blanked out in place
 * (same length, so every position holds), and the script's error gives the position.
 */
function syntaxWhere(code, offset) {
  const script = code
    .replace(/\bexport\s+default\s+(?=(async\s+)?function\b|class\b)/g, (m) => ' '.repeat(m.length))
    .replace(/\bexport\s+default\b/g, (m) => `(${' '.repeat(m.length - 4)})=`)
    .replace(/\bexport(?=\s+(const|let|var|function|class|async)\b)/g, '      ');
  try {
    new vm.Script(script, { filename: SOURCE });
  } catch (e) {
    const lines = String(e.stack || '').split('\n');
    const m = new RegExp(`^${SOURCE.replace('.', '\\.')}:(\\d+)`).exec(lines[0]);
    if (m) {
      const line = Number(m[1]);
      const caret = lines[2] ?? '';
      const column = caret.includes('^') ? caret.indexOf('^') + 1 : null;
      return ` (module line ${line}${column ? `, column ${column}` : ''}${offset ? `, scenario line ${offset + line}` : ''})`;
    }
  }
  return '';
}

/** Run scenario `text`: { report, trace } (see runJs), or throws Invalid. */
export async function judge(wasm, text, { trace = false, watch = null } = {}) {
  let code;
  try {
    code = wasm.scenarioCode(text);
  } catch (e) {
    throw new Invalid(e.message);
  }
  const factory = code === undefined ? () => ({}) : await loadNode(code, codeOffset(text), watch);
  const bridge = createBridge(factory, { source: SOURCE, offset: codeOffset(text), watch });
  return JSON.parse(wasm.runJs(text, bridge, trace));
}

// ---- the watchdog: a handler that does not return ------------------------------------------

/** How long one handler call may run, in real time, before it is stopped (as in the page). */
const HANDLER_LIMIT_MS = 1000;
// Shared memory between a worker and its watchdog: [generation (odd while a handler runs),
// text length] as Int32, the simulated time as Float64, then "server<TAB>event" as UTF-8.
const WATCH_TEXT = 512;

function watcher(shared) {
  const ints = new Int32Array(shared, 0, 2);
  const now = new Float64Array(shared, 8, 1);
  const bytes = new Uint8Array(shared, 16, WATCH_TEXT);
  const encoder = new TextEncoder();
  return {
    begin(server, input) {
      ints[1] = encoder.encodeInto(`${server}\t${describeInput(input)}`, bytes).written;
      now[0] = input.now;
      Atomics.add(ints, 0, 1);
    },
    end() {
      Atomics.add(ints, 0, 1);
    },
  };
}

/** What the watched worker is doing now: { busy, generation, server, event, now }. */
function watched(shared) {
  const ints = new Int32Array(shared, 0, 2);
  const generation = Atomics.load(ints, 0);
  const text = new TextDecoder().decode(new Uint8Array(shared, 16, Math.min(ints[1], WATCH_TEXT)));
  const [server, event] = text.split('\t');
  return { busy: generation % 2 === 1, generation, server, event, now: new Float64Array(shared, 8, 1)[0] };
}

/**
 * Run `job` in a worker thread under the watchdog: resolves with what the worker posted
 * ({ result } | { invalid } | { found } …), or { stuck: "S2 … did not return …" } after a
 * handler ran `limitMs` without returning (the worker is stopped), or { crash } if the worker
 * died. The worker starts with --stack-size small enough that endless recursion is an error.
 */
export function inWorker(job, { limitMs = HANDLER_LIMIT_MS } = {}) {
  return new Promise((resolve) => {
    const shared = new SharedArrayBuffer(16 + WATCH_TEXT);
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { job, shared } });
    let done = false;
    let seen = -1;
    let since = performance.now();
    const finish = (value) => {
      if (done) return;
      done = true;
      clearInterval(tick);
      worker.terminate().finally(() => resolve(value));
    };
    const tick = setInterval(async () => {
      const w = watched(shared);
      const t = performance.now();
      if (w.generation !== seen) {
        seen = w.generation;
        since = t;
        return;
      }
      if (!w.busy || t - since < limitMs || done) return;
      clearInterval(tick);
      const line = await Promise.race([
        whereIsWorker(worker, job.offset ?? 0).catch(() => null),
        new Promise((ok) => setTimeout(() => ok(null), 3000)),
      ]);
      const what = w.event === 'module' ? `the module's top level did not finish within ${limitMs / 1000} s` : `${w.server} did not return within ${limitMs / 1000} s in ${w.event} at ${w.now}ms`;
      finish({ stuck: `${what}: stopped (an endless loop?)${line ? ` (${line})` : ''}`, at: w.now });
    }, 50);
    worker.on('message', finish);
    worker.on('error', (e) => finish({ crash: `the judge's worker failed: ${e && e.message}` }));
    worker.on('exit', (code) => finish({ crash: `the judge's worker stopped (exit status ${code})` }));
  });
}

/**
 * The line a busy worker is running in the node's module ("node.js:12:5, scenario line 20"), by
 * pausing it through the inspector; null if the inspector cannot say.
 */
async function whereIsWorker(worker, offset) {
  const inspector = await import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params = {}) => new Promise((ok, fail) => session.post(method, params, (e, r) => (e ? fail(e) : ok(r))));
  try {
    // Every live worker attaches; the one to pause is this worker: its title, "[worker N]",
    // holds its thread id (the inspector's workerId is a counter of its own).
    const attached = new Promise((ok) => {
      session.on('NodeWorker.attachedToWorker', (m) => {
        if (m.params.workerInfo?.title === `[worker ${worker.threadId}]`) ok(m.params.sessionId);
      });
    });
    await post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    const sessionId = await Promise.race([attached, new Promise((ok) => setTimeout(() => ok(null), 1000))]);
    if (!sessionId) return null;
    let nextId = 1;
    const urls = new Map(); // scriptId -> url (a paused frame names its script by id)
    const paused = new Promise((ok) => {
      session.on('NodeWorker.receivedMessageFromWorker', (m) => {
        if (m.params.sessionId !== sessionId) return;
        const msg = JSON.parse(m.params.message);
        if (msg.method === 'Debugger.scriptParsed') urls.set(msg.params.scriptId, msg.params.url);
        if (msg.method === 'Debugger.paused') ok(msg.params.callFrames);
      });
    });
    const send = (method, params = {}) => post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id: nextId++, method, params }) });
    await send('Debugger.enable');
    await send('Debugger.pause');
    const frames = await Promise.race([paused, new Promise((ok) => setTimeout(() => ok(null), 1000))]);
    // Let it go again (a paused worker cannot be stopped), then the caller stops it.
    await send('Debugger.disable');
    const frame = frames && frames.find((f) => String(urls.get(f.location.scriptId) ?? f.url).endsWith(SOURCE));
    if (!frame) return null;
    const line = frame.location.lineNumber + 1;
    const column = frame.location.columnNumber + 1;
    return `${frame.functionName ? `${frame.functionName}, ` : ''}${SOURCE}:${line}:${column}${offset ? `, scenario line ${offset + line}` : ''}`;
  } finally {
    session.disconnect();
  }
}

/** The worker's side: run the job it was given and post the outcome. */
async function workerMain({ job, shared }) {
  const watch = watcher(shared);
  try {
    const wasm = await loadWasm();
    if (job.kind === 'run') {
      parentPort.postMessage({ result: await judge(wasm, job.text, { trace: job.trace, watch }) });
    } else if (job.kind === 'fuzz') {
      const stop = job.stop ? new Int32Array(job.stop) : null;
      parentPort.postMessage({ found: await fuzz(wasm, job.text, job.count, watch, { first: job.first, step: job.step, stop }) });
    }
  } catch (e) {
    if (e instanceof Invalid) parentPort.postMessage({ invalid: e.message });
    else parentPort.postMessage({ crash: `the judge failed: ${e && e.stack}` });
  }
}

// ---- --fuzz: random fault schedules against the file's node ---------------------------------

const SETTINGS = new Set(['nodes', 'seed', 'election-timeout', 'heartbeat', 'latency', 'loss', 'duplicate', 'prevote',
  'check-quorum', 'client-timeout', 'leader-noop', 'reads', 'snapshot-every', 'protocol', 'bug']);

/** The file's settings (but `seed`) and its code block, verbatim: what every schedule runs. */
function fuzzHead(text) {
  const out = [];
  let inCode = false;
  let nodes = 5;
  for (const raw of text.replace(/\r\n/g, '\n').split('\n')) {
    const word = raw.replace(/#.*/, '').trim().split(/[ \t]+/)[0];
    if (inCode) {
      out.push(raw);
      if (raw.trim() === 'end') inCode = false;
    } else if (word === 'code') {
      out.push(raw);
      inCode = true;
    } else if (SETTINGS.has(word) && word !== 'seed') {
      out.push(raw);
      if (word === 'nodes') nodes = Number(raw.trim().split(/[ \t]+/)[1]) || nodes;
    }
  }
  return { head: out.join('\n'), nodes };
}

/** Schedule `seed`: a deterministic list of fault and client lines on `nodes` servers. */
function schedule(seed, nodes) {
  const random = generator([seed, 0x5eed]);
  const pick = (n) => Math.floor(random() * n);
  const server = () => `S${1 + pick(nodes)}`;
  const lines = [];
  for (let i = 0, steps = 8 + pick(10); i < steps; i++) {
    const r = random();
    if (r < 0.3) lines.push(`run ${50 + 50 * pick(20)}ms`);
    else if (r < 0.4) lines.push(`crash ${server()}`);
    else if (r < 0.5) lines.push(`restart ${server()}`);
    else if (r < 0.58 && nodes > 1) {
      const a = [];
      const b = [];
      for (let k = 1; k <= nodes; k++) (random() < 0.5 ? a : b).push(`S${k}`);
      lines.push(a.length && b.length ? `partition ${a.join(' ')} | ${b.join(' ')}` : 'heal');
    } else if (r < 0.63) lines.push('heal');
    else if (r < 0.8) lines.push(`put k${pick(2)} v${pick(5)} via ${server()}`);
    else if (r < 0.92) lines.push(`get k${pick(2)} via ${server()}`);
    else lines.push(`cas k${pick(2)} v${pick(5)} v${pick(5)} via ${server()}`);
  }
  lines.push('heal');
  for (let k = 1; k <= nodes; k++) lines.push(`restart S${k}`);
  lines.push('run 3s');
  return lines;
}

/** What went wrong in a report, or null: an error (a handler threw) or a violated check. */
function failure(rep) {
  if (rep.errors.length) return `error: ${rep.errors[0]}`;
  for (const [name, v] of Object.entries(rep.checks)) if (v !== 'ok' && v !== 'undecided') return `violation: ${name}`;
  return null;
}

// `first`, `step`: this worker's share of the seeds (first, first + step, …). `stop`: an Int32
// shared by all workers, the lowest failing seed found so far: seeds above it need no run.
async function fuzz(wasm, text, count, watch = null, { first = 1, step = 1, stop = null } = {}) {
  const { head, nodes } = fuzzHead(text);
  const code = wasm.scenarioCode(`${head}\nseed 1\n`);
  const factory = code === undefined ? () => ({}) : await loadNode(code, codeOffset(text), watch);
  const scenarioOf = (seed, lines) => `${head}\nseed ${seed}\n${lines.join('\n')}\n`;
  const run = (seed, lines) => {
    const t = scenarioOf(seed, lines);
    const bridge = createBridge(factory, { source: SOURCE, offset: codeOffset(t), watch });
    return failure(JSON.parse(wasm.runJs(t, bridge, false)).report);
  };
  for (let seed = first; seed <= count; seed += step) {
    if (stop && seed > Atomics.load(stop, 0)) break;
    let lines = schedule(seed, nodes);
    const found = run(seed, lines);
    if (!found) continue;
    if (stop) {
      for (let was = Atomics.load(stop, 0); seed < was; was = Atomics.load(stop, 0)) {
        if (Atomics.compareExchange(stop, 0, was, seed) === was) break;
      }
    }
    // Shrink: drop lines one at a time while the same kind of failure remains.
    const kind = found.split(':')[0] + ':' + (found.split(':')[1] ?? '');
    for (let i = lines.length - 1; i >= 0; i--) {
      const fewer = lines.filter((_, k) => k !== i);
      const again = run(seed, fewer);
      if (again && again.startsWith(kind.split(':')[0]) && (kind.startsWith('error') || again === found)) lines = fewer;
    }
    return { seed, failure: run(seed, lines), scenario: scenarioOf(seed, lines) };
  }
  return null;
}

// What `raft-sim run` prints without --json.
function human(file, rep) {
  const out = [];
  for (const e of rep.expectations) {
    out.push(`line ${String(e.line).padStart(3)}  ${e.passed ? 'passed' : 'FAILED'}  ${e.text}  (${e.detail})`);
  }
  for (const e of rep.errors) out.push(`error: ${e}`);
  for (const [name, v] of Object.entries(rep.checks)) {
    if (v === 'undecided') out.push(`${name}: the checker ran out of its search budget`);
    else if (v !== 'ok') out.push(`violation: ${name}: ${v.detail ?? ''}`);
  }
  const leaders = rep.nodes.filter((n) => n.role === 'leader' && n.running).map((n) => `${n.id} (term ${n.term})`);
  const passed = rep.expectations.filter((e) => e.passed).length;
  out.push(
    `${file}: ${rep.time_ms}ms simulated, ${rep.stats.messages_sent} messages, leader ${leaders.length ? leaders.join(', ') : 'none'}, ` +
      `${passed} of ${rep.expectations.length} expectations passed, trace ${rep.trace_hash}`,
  );
  return out.join('\n');
}

// ---- --grade: a folder of hand-ins -------------------------------------------------------

/** Split an exercise at its `# goal:` line: { setup, goal: [lines] } (as classroom.rs does). */
export function splitExercise(text) {
  const setup = [];
  const goal = [];
  let inGoal = false;
  for (const l of text.replace(/\r\n/g, '\n').split('\n')) {
    if (l.trimStart().startsWith('# goal:')) inGoal = true;
    else if (inGoal) {
      const t = l.split('#')[0].trim();
      if (t) goal.push(t);
    } else setup.push(l);
  }
  return { setup: setup.join('\n'), goal };
}

const isJsScenario = (text) => text.split('\n').some((l) => l.replace(/#.*/, '').trim().split(/[ \t]+/).join(' ') === 'protocol js');

/** `text` with the module between its `code` and `end` lines replaced by `code`. */
export function replaceCode(text, code) {
  const lines = text.split('\n');
  const from = lines.findIndex((l) => l.replace(/#.*/, '').trim() === 'code');
  const to = from < 0 ? -1 : lines.findIndex((l, i) => i > from && l.trim() === 'end');
  if (to < 0) throw new Error('the exercise has no code … end block');
  return [...lines.slice(0, from + 1), code.replace(/\n$/, ''), ...lines.slice(to)].join('\n');
}

/** The lines of a scenario outside its code block, comments and blank lines left out, spaced alike. */
function setupLines(text) {
  const out = [];
  let inCode = false;
  for (const raw of text.split('\n')) {
    if (inCode) {
      if (raw.trim() === 'end') inCode = false;
      continue;
    }
    const l = raw.split('#')[0].trim().split(/[ \t]+/).join(' ');
    if (l === 'code') inCode = true;
    if (l) out.push(l);
  }
  return out;
}

/** The exercises of a folder: Map id -> { text, goal, js }. */
function loadExercises(dir) {
  const out = new Map();
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.scn')) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    out.set(name.slice(0, -4), { text, goal: splitExercise(text).goal, js: isJsScenario(text) });
  }
  return out;
}

/** A limit of `n` at a time on async calls: limit(fn) runs fn when a place is free. */
function pool(n) {
  let active = 0;
  const waiting = [];
  return async (fn) => {
    while (active >= n) await new Promise((go) => waiting.push(go));
    active += 1;
    try {
      return await fn();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

let gradePool = pool(1);

/** One run graded: [result, detail]. */
async function gradeRun(text) {
  const out = await gradePool(() => inWorker({ kind: 'run', text, trace: false, offset: codeOffset(text) }));
  if (out.invalid) return ['invalid', out.invalid];
  if (out.stuck) return ['endless loop', out.stuck];
  if (out.crash) return ['judge error', out.crash.split('\n')[0]];
  const rep = out.result.report;
  if (rep.exit_code === 0) return ['solved', `${rep.expectations.length} expectations passed`];
  if (rep.errors.length) return ['error', rep.errors[0]];
  const failed = rep.expectations.find((e) => !e.passed);
  if (failed) return ['not solved', `line ${failed.line} FAILED ${failed.text} (${failed.detail.split('\n')[0].replace(/ The operations involved:$/, '')})`];
  const [name, v] = Object.entries(rep.checks).find(([, v]) => v !== 'ok' && v !== 'undecided') ?? ['?', {}];
  return ['not solved', `violation: ${name}: ${String(v.detail ?? '').split('\n')[0]}`];
}

/** The rows for one hand-in file: [[file, exercise, result, detail], …]. */
async function gradeFile(path, exercises) {
  const file = basename(path);
  let text;
  try {
    text = readFileSync(path, 'utf8').replace(/\r\n/g, '\n');
  } catch (e) {
    return [[file, '-', 'unreadable', e.message]];
  }
  if (file.endsWith('.js') || file.endsWith('.mjs')) {
    // A node: graded against the exercises its `// exercise: id` comments name, or every JS one.
    const named = [...text.matchAll(/^\s*\/\/\s*exercises?:\s*(.+)$/gm)].flatMap((m) => m[1].split(/[\s,]+/).filter(Boolean));
    const ids = named.length ? named : [...exercises].filter(([, e]) => e.js).map(([id]) => id);
    if (!ids.length) return [[file, '-', 'no exercise', 'no protocol js exercise to grade it against']];
    return Promise.all(
      ids.map(async (id) => {
        const ex = exercises.get(id);
        if (!ex) return [file, id, 'unknown exercise', `no ${id}.scn among the exercises`];
        if (!ex.js) return [file, id, 'not a node exercise', `${id} is not a protocol js exercise: hand in its .scn`];
        if (text.split('\n').some((l) => l.trim() === 'end')) {
          return [file, id, 'invalid', 'a line that is just "end" would close the code block early: rename or indent it'];
        }
        return [file, id, ...(await gradeRun(replaceCode(ex.text, text)))];
      }),
    );
  }
  // A scenario exported from the page: `# exercise: ID`, the goal lines still there.
  const m = /^#\s*exercise:\s*(\S+)/m.exec(text);
  if (!m) return [[file, '-', 'no exercise', 'no "# exercise: ID" line']];
  const id = m[1];
  const ex = exercises.get(id);
  if (!ex) return [[file, id, 'unknown exercise', `no ${id}.scn among the exercises`]];
  const lines = new Set(text.split('\n').map((l) => l.split('#')[0].trim()));
  const missing = ex.goal.find((g) => !lines.has(g));
  if (missing) return [[file, id, 'goal missing', `the goal line '${missing}' is not in the file`]];
  if (ex.js) {
    // A node exercise is solved by the code, not by other faults or clients: apart from its code
    // block, the file must start with the exercise's setup (comments and spacing aside).
    const want = setupLines(splitExercise(ex.text).setup);
    const have = setupLines(text);
    const at = want.findIndex((l, i) => have[i] !== l);
    if (at >= 0) return [[file, id, 'setup changed', `expected '${want[at]}' where the file has '${have[at] ?? '(its end)'}'`]];
  }
  return [[file, id, ...(await gradeRun(text))]];
}

async function grade(dir, exercisesDir, jobs = 1) {
  gradePool = pool(jobs);
  let exercises;
  let names;
  try {
    exercises = loadExercises(exercisesDir);
    names = readdirSync(dir)
      .filter((n) => /\.(scn|txt|js|mjs)$/.test(n) && statSync(join(dir, n)).isFile())
      .sort();
  } catch (e) {
    console.error(`judge: ${e.message}`);
    return 2;
  }
  // Runs go to `jobs` worker threads at a time; the rows come out in the files' order.
  const rows = (await Promise.all(names.map((name) => gradeFile(join(dir, name), exercises)))).flat();
  const width = (k, min) => Math.max(min, ...rows.map((r) => r[k].length)) + 2;
  const [w0, w1, w2] = [width(0, 4), width(1, 8), width(2, 6)];
  const row = (r) => `${r[0].padEnd(w0)}${r[1].padEnd(w1)}${r[2].padEnd(w2)}${r[3]}`.trimEnd();
  console.log(row(['file', 'exercise', 'result', 'detail']));
  for (const r of rows) console.log(row(r));
  const solved = rows.filter((r) => r[2] === 'solved').length;
  console.log(`${solved} of ${rows.length} solved`);
  return rows.length > 0 && solved === rows.length ? 0 : 1;
}

/**
 * --fuzz on `jobs` worker threads, seeds dealt round-robin. The answer does not depend on
 * `jobs`: it is the lowest failing seed (each worker stops at its first failure, or once the
 * lowest failure found so far is below its next seed), shrunk by the worker that found it.
 */
async function fuzzInWorkers(text, count, jobs) {
  const n = Math.min(jobs, count);
  const stop = new SharedArrayBuffer(4);
  new Int32Array(stop)[0] = 0x7fffffff;
  const outs = await Promise.all(
    Array.from({ length: n }, (_, k) => inWorker({ kind: 'fuzz', text, count, first: 1 + k, step: n, stop, offset: codeOffset(text) })),
  );
  const bad = outs.find((o) => o.invalid) ?? outs.find((o) => o.crash) ?? outs.find((o) => o.stuck);
  if (bad) return bad;
  const found = outs.map((o) => o.found).filter(Boolean).sort((a, b) => a.seed - b.seed);
  return { found: found[0] ?? null };
}

/** A report for a run the watchdog stopped: the shape of runJs's, with the one error. */
function stoppedReport(stuck, at) {
  return {
    exit_code: 1,
    time_ms: at,
    errors: [`${at}ms: ${stuck}`],
    expectations: [],
    checks: {},
    nodes: [],
    history: [],
    stats: { messages_sent: 0 },
    trace_hash: null,
    stopped: true,
  };
}

async function main(args) {
  let file = null;
  let json = false;
  let trace = false;
  let fuzzCount = null;
  let gradeDirs = null;
  let jobs = Math.max(1, Math.min(4, availableParallelism()));
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--jobs') {
      jobs = Number(args[++i]);
      if (!Number.isInteger(jobs) || jobs < 1) {
        console.error(`judge: --jobs takes a number of worker threads (1 or more), not ${JSON.stringify(args[i])}`);
        return 2;
      }
    } else if (a === '--fuzz') {
      fuzzCount = Number(args[++i]);
      if (!Number.isInteger(fuzzCount) || fuzzCount < 1) {
        console.error(`judge: --fuzz takes a number of schedules (1 or more), not ${JSON.stringify(args[i])}`);
        return 2;
      }
    } else if (a === '--grade') {
      gradeDirs = args.slice(i + 1);
      if (gradeDirs.length < 1 || gradeDirs.length > 2 || gradeDirs.some((d) => d.startsWith('--'))) {
        console.error(`judge: --grade takes a folder of hand-ins and, optionally, a folder of exercises\n${USAGE}`);
        return 2;
      }
      break;
    } else if (a === '--json') json = true;
    else if (a === '--trace') trace = true;
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      return 0;
    } else if (a.startsWith('--') || file !== null) {
      console.error(`judge: unexpected ${JSON.stringify(a)}\n${USAGE}`);
      return 2;
    } else file = a;
  }
  if (gradeDirs) return grade(gradeDirs[0], gradeDirs[1] ?? join(root, 'exercises'), jobs);
  if (file === null) {
    console.error(USAGE);
    return 2;
  }
  let text;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    console.error(`judge: cannot read ${file}: ${e.message}`);
    return 2;
  }
  const out = fuzzCount !== null ? await fuzzInWorkers(text, fuzzCount, jobs) : await inWorker({ kind: 'run', text, trace, offset: codeOffset(text) });
  if (out.invalid) {
    console.error(`${file}: ${out.invalid}`);
    return 2;
  }
  if (out.crash) {
    console.error(`${file}: ${out.crash}`);
    return 2;
  }
  if (fuzzCount !== null) {
    if (out.stuck) {
      console.log(`# ${file}: ${out.stuck}`);
      return 1;
    }
    const found = out.found;
    if (!found) {
      console.log(`${file}: ${fuzzCount} random fault schedules, no failure`);
      return 0;
    }
    console.log(`# ${file}: schedule ${found.seed} fails (${found.failure}); shrunk:`);
    process.stdout.write(found.scenario);
    return 1;
  }
  const result = out.stuck ? { report: stoppedReport(out.stuck, out.at), trace: [] } : out.result;
  if (trace) for (const line of result.trace) console.log(line);
  console.log(json ? JSON.stringify(result.report, null, 2) : human(file, result.report));
  return result.report.exit_code;
}

if (!isMainThread && workerData && workerData.job) {
  await workerMain(workerData);
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
