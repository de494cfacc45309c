// Small helpers shared by the page's side of a js run (runtime.js) and its worker (worker.js).

import { findCodeBlock } from './code-block.js';

/**
 * The scenario's code block: { code, offset } (offset: the scenario line before its first line).
 * Read by code-block.js, the one reader of the block on the page's side (the drawer's too).
 */
export function codeOf(text) {
  const block = findCodeBlock(text);
  return block ? { code: block.code, offset: block.open + 1 } : { code: null, offset: 0 };
}

/**
 * What a person is told about one handler call of the bridge (`server`, its input as JSON
 * text): { server, event, timeMs }, the event as "message Vote from S2", "timer election",
 * "client put x 1 (request c1.1)", "start" or "crash".
 */
export function describeCall(server, inputText) {
  let input;
  try {
    input = JSON.parse(inputText);
  } catch {
    return { server, event: 'a handler', timeMs: null };
  }
  let event = String(input.kind);
  if (input.kind === 'message') {
    let type = '';
    try {
      type = JSON.parse(input.msg).type;
    } catch {
      // (a message is JSON; without its type the sender still says enough)
    }
    event = `message ${type} from ${input.from}`;
  } else if (input.kind === 'timer') event = `timer ${input.name}`;
  else if (input.kind === 'client') {
    const r = input.req || {};
    event = `client ${r.op} ${r.key}${r.op === 'get' ? '' : ` ${r.value}`} (request ${r.id})`;
  }
  return { server, event, timeMs: input.now ?? null };
}
