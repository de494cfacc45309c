// The JS side of `protocol js` (crates/raft-wasm/src/js.rs): the simulator calls
// bridge.call(server, inputJson) synchronously for every event of a user-written server; the
// bridge runs the node's handler and answers with what the node asked for, as one JSON list of
// effects, in order. The node's only way out is `ctx` (NODE-API.md); the simulator carries the
// effects out, so a handler that throws changes nothing.
//
// The bridge keeps, per server, the node object (dropped by a crash, made again by the
// factory at every start) and its durable storage (JSON text per key, which survives crashes).

// ctx.random: a small generator (sfc32) seeded, for every handler call, by the 64-bit seed the
// engine drew from the run's generator (two 32-bit halves), so a run depends on the seed alone.
export function generator([hi, lo]) {
  let a = hi >>> 0;
  let b = lo >>> 0;
  let c = (hi ^ 0x9e3779b9) >>> 0;
  let d = 1;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

// A copy through JSON: what crosses between servers, or into storage, is data, never shared.
function copy(value, what) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new TypeError(`${what} must be JSON data: ${e.message}`);
  }
  if (text === undefined) throw new TypeError(`${what} must be JSON data, not ${typeof value}`);
  return text;
}

// Whether `value` would be written as the same JSON as `before`, a value that came out of
// JSON.parse. Only says yes when sure (plain data, strictly equal leaves); anything unusual
// (toJSON, undefined, functions, non-finite numbers) counts as different.
function sameJson(value, before) {
  if (value === before) return value === null || typeof value !== 'number' || Number.isFinite(value);
  if (typeof value !== 'object' || value === null || typeof before !== 'object' || before === null) return false;
  if (typeof value.toJSON === 'function') return false;
  if (Array.isArray(value)) {
    if (!Array.isArray(before) || value.length !== before.length) return false;
    for (let i = 0; i < value.length; i++) if (!sameJson(value[i], before[i])) return false;
    return true;
  }
  if (Array.isArray(before)) return false;
  const keys = Object.keys(value);
  if (keys.length !== Object.keys(before).length) return false;
  for (const k of keys) if (!Object.hasOwn(before, k) || !sameJson(value[k], before[k])) return false;
  return true;
}

// The line of the node's module an error comes from ("onClient, node.js:42:7, scenario line
// 50"), if the stack says. offset: the scenario line just before the module's first line.
export function stackLine(error, source, offset = 0) {
  const stack = String((error && error.stack) || '');
  for (const line of stack.split('\n')) {
    const at = line.indexOf(source);
    if (at < 0) continue;
    const match = /:(\d+):(\d+)/.exec(line.slice(at + source.length));
    const fn = /^\s*at ([^ (]+) \(/.exec(line);
    const scenarioLine = match && offset ? `, scenario line ${offset + Number(match[1])}` : '';
    const where = match ? `${source}:${match[1]}:${match[2]}${scenarioLine}` : source;
    return fn ? `${fn[1]}, ${where}` : where;
  }
  return null;
}

// What a handler call is about, as the engine names it in errors: "onTimer(election)",
// "onMessage(Vote from S1)", "onClient(put x 1, request c1.4)", "onStart".
export function describeInput(input) {
  if (input.kind === 'start') return 'onStart';
  if (input.kind === 'crash') return 'crash';
  if (input.kind === 'timer') return `onTimer(${input.name})`;
  if (input.kind === 'message') {
    const type = typeof input.msg === 'string' ? (/"type":"((?:[^"\\]|\\.)*)"/.exec(input.msg) ?? [])[1] : input.msg && input.msg.type;
    return `onMessage(${type ?? '?'} from ${input.from})`;
  }
  if (input.kind === 'client') {
    const r = input.req;
    const what = r.op === 'put' ? `put ${r.key} ${r.value}` : r.op === 'cas' ? `cas ${r.key} ${r.expected ?? '-'} ${r.value}` : `get ${r.key}`;
    return `onClient(${what}, request ${r.id})`;
  }
  return input.kind;
}

// factory: the module's default export. source: the module's name in stack traces.
// offset: the scenario line just before the module's first line (errors name both).
// watch (optional): { begin(server, input), end() } around every handler call, for a watchdog
// that stops a handler which never returns (the judge's --grade).
export function createBridge(factory, { source = 'node.js', offset = 0, watch = null } = {}) {
  const servers = new Map();

  function makeCtx(slot, id, names) {
    const need = () => {
      if (!slot.call) throw new Error('ctx is only usable while one of this node\'s handlers runs');
      return slot.call;
    };
    const effect = (e) => need().effects.push(e);
    return Object.freeze({
      id,
      servers: Object.freeze([...names]),
      now: () => need().now,
      random: () => need().random(),
      send(to, msg) {
        if (!names.includes(to) || to === id) throw new TypeError(`ctx.send: ${JSON.stringify(to)} is not another server (${names.filter((n) => n !== id).join(', ')})`);
        if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') {
          throw new TypeError('ctx.send: a message is an object with a string `type`');
        }
        effect({ t: 'send', to, type: msg.type, msg: copy(msg, 'a message') });
      },
      setTimer(name, ms) {
        effect({ t: 'timer', name: String(name), ms: Number(ms) });
      },
      clearTimer(name) {
        effect({ t: 'clear', name: String(name) });
      },
      reply(req, result) {
        effect({ t: 'reply', id: String(req && req.id), result: JSON.parse(copy(result, 'a reply')) });
      },
      report(state) {
        // The engine only acts on what changed since the last report (js.rs, take_report): a
        // report that says the same again is dropped here, before any copying.
        const call = need();
        const last = call.report !== undefined ? call.report : slot.report;
        if (last && sameJson(state, last)) return;
        const parsed = JSON.parse(copy(state, 'a report'));
        call.report = parsed;
        effect({ t: 'report', state: parsed });
      },
      log(text) {
        effect({ t: 'log', text: String(text) });
      },
      storage: Object.freeze({
        get(key) {
          const text = slot.storage.get(String(key));
          return text === undefined ? undefined : JSON.parse(text);
        },
        set(key, value) {
          slot.storage.set(String(key), copy(value, 'a stored value'));
        },
      }),
    });
  }

  function handle(slot, server, input) {
    if (input.kind === 'crash') {
      // (A crash forgets the commit index the simulator had: the next report is sent whole.)
      slot.node = null;
      slot.report = null;
      return;
    }
    if (input.kind === 'start') {
      slot.node = null;
      slot.report = null;
      const ctx = makeCtx(slot, server, input.servers);
      const node = factory(ctx);
      if (!node || typeof node !== 'object') {
        throw new TypeError(`the module's factory returned ${node === null ? 'null' : typeof node}, not an object of handlers`);
      }
      slot.node = node;
      if (typeof node.onStart === 'function') node.onStart();
      return;
    }
    const node = slot.node;
    if (!node) return;
    if (input.kind === 'message') {
      // (The engine passes the message as JSON inside the input; older builds as a string.)
      const msg = typeof input.msg === 'string' ? JSON.parse(input.msg) : input.msg;
      if (typeof node.onMessage === 'function') node.onMessage(input.from, msg);
    } else if (input.kind === 'timer') {
      if (typeof node.onTimer === 'function') node.onTimer(input.name);
    } else if (input.kind === 'client') {
      if (typeof node.onClient === 'function') node.onClient({ ...input.req });
    }
  }

  return {
    call(server, inputText) {
      const input = JSON.parse(inputText);
      let slot = servers.get(server);
      if (!slot) {
        // report: the last state reported and carried out (its JSON copy), to drop repeats.
        slot = { node: null, storage: new Map(), call: null, report: null };
        servers.set(server, slot);
      }
      const effects = [];
      // report: the last state reported during this call (undefined: none yet).
      slot.call = { effects, now: input.now, random: generator(input.seed), report: undefined };
      if (watch) watch.begin(server, input);
      try {
        handle(slot, server, input);
        if (slot.call.report !== undefined) slot.report = slot.call.report;
        return JSON.stringify({ effects });
      } catch (error) {
        // (The node's errors come from its own realm: look at their shape, not their class.)
        const isError = error && typeof error === 'object' && typeof error.message === 'string';
        const message = isError ? `${error.name || 'Error'}: ${error.message}` : `threw ${String(error)}`;
        return JSON.stringify({ error: { message, at: stackLine(error, source, offset) } });
      } finally {
        slot.call = null;
        if (watch) watch.end();
      }
    },
  };
}
