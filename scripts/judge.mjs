// npm run judge -- FILE.scn [--json] [--trace]
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
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { createBridge, generator } from '../web/your-node/bridge.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm run judge -- FILE.scn [--json] [--trace]   (FILE may be - for standard input)
       npm run judge -- --fuzz N FILE.scn                 N random fault schedules against FILE's
                                                          node; prints the first failing one, shrunk`;

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
export async function loadNode(code, offset = 0) {
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
    await mod.evaluate();
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
export async function judge(wasm, text, { trace = false } = {}) {
  let code;
  try {
    code = wasm.scenarioCode(text);
  } catch (e) {
    throw new Invalid(e.message);
  }
  const factory = code === undefined ? () => ({}) : await loadNode(code, codeOffset(text));
  const bridge = createBridge(factory, { source: SOURCE, offset: codeOffset(text) });
  return JSON.parse(wasm.runJs(text, bridge, trace));
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

async function fuzz(wasm, text, count) {
  const { head, nodes } = fuzzHead(text);
  const code = wasm.scenarioCode(`${head}\nseed 1\n`);
  const factory = code === undefined ? () => ({}) : await loadNode(code, codeOffset(text));
  const scenarioOf = (seed, lines) => `${head}\nseed ${seed}\n${lines.join('\n')}\n`;
  const run = (seed, lines) => {
    const t = scenarioOf(seed, lines);
    const bridge = createBridge(factory, { source: SOURCE, offset: codeOffset(t) });
    return failure(JSON.parse(wasm.runJs(t, bridge, false)).report);
  };
  for (let seed = 1; seed <= count; seed++) {
    let lines = schedule(seed, nodes);
    const found = run(seed, lines);
    if (!found) continue;
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

async function main(args) {
  let file = null;
  let json = false;
  let trace = false;
  let fuzzCount = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--fuzz') {
      fuzzCount = Number(args[++i]);
      if (!Number.isInteger(fuzzCount) || fuzzCount < 1) {
        console.error(`judge: --fuzz takes a number of schedules (1 or more), not ${JSON.stringify(args[i])}`);
        return 2;
      }
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
  const wasm = await loadWasm();
  if (fuzzCount !== null) {
    let found;
    try {
      found = await fuzz(wasm, text, fuzzCount);
    } catch (e) {
      if (e instanceof Invalid) {
        console.error(`${file}: ${e.message}`);
        return 2;
      }
      throw e;
    }
    if (!found) {
      console.log(`${file}: ${fuzzCount} random fault schedules, no failure`);
      return 0;
    }
    console.log(`# ${file}: schedule ${found.seed} fails (${found.failure}); shrunk:`);
    process.stdout.write(found.scenario);
    return 1;
  }
  let result;
  try {
    result = await judge(wasm, text, { trace });
  } catch (e) {
    if (e instanceof Invalid) {
      console.error(`${file}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (trace) for (const line of result.trace) console.log(line);
  console.log(json ? JSON.stringify(result.report, null, 2) : human(file, result.report));
  return result.report.exit_code;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
