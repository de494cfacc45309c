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
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { createBridge } from '../web/your-node/bridge.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: npm run judge -- FILE.scn [--json] [--trace]   (FILE may be - for standard input)';

// The module's name in stack traces and error messages.
const SOURCE = 'node.js';

/** An invalid file: its message, printed as `FILE: message`, exit status 2. */
class Invalid extends Error {}

function loadWasm() {
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
  for (const a of args) {
    if (a === '--json') json = true;
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
