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

// factory: the module's default export. source: the module's name in stack traces.
// offset: the scenario line just before the module's first line (errors name both).
export function createBridge(factory, { source = 'node.js', offset = 0 } = {}) {
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
        // The same state again tells the simulator nothing (a report is compared with the last
        // one, and only what changed becomes events): it is not sent, which keeps a node that
        // reports after every handler from costing its whole log on every call.
        const text = copy(state, 'a report');
        need();
        if (text === slot.reported) return;
        slot.reported = text;
        effect({ t: 'report', state: JSON.parse(text) });
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
      slot.reported = null;
      return;
    }
    if (input.kind === 'start') {
      slot.node = null;
      slot.reported = null;
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
      if (typeof node.onMessage === 'function') node.onMessage(input.from, JSON.parse(input.msg));
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
        slot = { node: null, storage: new Map(), call: null, reported: null };
        servers.set(server, slot);
      }
      const effects = [];
      slot.call = { effects, now: input.now, random: generator(input.seed) };
      try {
        handle(slot, server, input);
        return JSON.stringify({ effects });
      } catch (error) {
        // (The node's errors come from its own realm: look at their shape, not their class.)
        const isError = error && typeof error === 'object' && typeof error.message === 'string';
        const message = isError ? `${error.name || 'Error'}: ${error.message}` : `threw ${String(error)}`;
        return JSON.stringify({ error: { message, at: stackLine(error, source, offset) } });
      } finally {
        slot.call = null;
      }
    },
  };
}
