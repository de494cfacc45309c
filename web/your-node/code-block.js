// The `code … end` block of a scenario (NODE-API.md, docs/SCENARIO-NOTES.md), read and
// rewritten as text: pure functions for the "Your node" drawer. They follow the simulator's
// parser (crates/simulator/src/scenario/parse.rs) line for line: a block opens at a line whose
// only word is `code` (a `#` comment after it allowed), holds the following lines verbatim,
// and closes at the first line that is exactly `end` (blanks around it allowed). Outside the
// block, `#` starts a comment.

/** The words of a scenario line outside a code block: blanks split, `#` ends it. */
function words(raw) {
  const at = raw.indexOf('#');
  return (at < 0 ? raw : raw.slice(0, at)).split(/[ \t]+/).filter(Boolean);
}

const isCodeLine = (raw) => {
  const w = words(raw);
  return w.length === 1 && w[0] === 'code';
};

/** A line that closes a code block: exactly `end`, spaces and tabs around it allowed. */
export const isEndLine = (raw) => raw.replace(/^[ \t]+|[ \t]+$/g, '') === 'end';

const lines = (text) => text.split('\n').map((l) => l.replace(/\r$/, ''));

/**
 * The first code block of `text`: `{ open, close, code }` with the 0-based indices of its
 * `code` and `end` lines and the module's text between them (lines joined with `\n`, as the
 * simulator reads it), or null when there is none. An unclosed block gives `close: -1`.
 */
export function findCodeBlock(text) {
  const all = lines(text);
  for (let i = 0; i < all.length; i++) {
    if (!isCodeLine(all[i])) continue;
    for (let j = i + 1; j < all.length; j++) {
      if (isEndLine(all[j])) return { open: i, close: j, code: all.slice(i + 1, j).join('\n') };
    }
    return { open: i, close: -1, code: all.slice(i + 1).join('\n') };
  }
  return null;
}

/** The node's code carried by a scenario, or null when it has no (closed) code block. */
export function extractCode(text) {
  const block = findCodeBlock(text);
  return block && block.close >= 0 ? block.code : null;
}

/** The protocol a scenario selects (`raft` when it says none); lines of a code block are not read. */
export function protocolOf(text) {
  let protocol = 'raft';
  let inCode = false;
  for (const raw of lines(text)) {
    if (inCode) {
      inCode = !isEndLine(raw);
      continue;
    }
    if (isCodeLine(raw)) {
      inCode = true;
      continue;
    }
    const w = words(raw);
    if (w[0] === 'protocol' && w.length === 2) protocol = w[1];
  }
  return protocol;
}

/** The block as scenario lines: the module verbatim between `code` and `end`. */
function blockLines(code) {
  return ['code', ...code.split('\n'), 'end'];
}

/** Where settings end: just past the leading blank, comment, `nodes` and `seed` lines. */
function afterHead(all) {
  let i = 0;
  while (i < all.length) {
    const w = words(all[i]);
    if (w.length && w[0] !== 'nodes' && w[0] !== 'seed') break;
    i += 1;
  }
  // Keep trailing blank lines of the head below what is inserted.
  while (i > 0 && words(all[i - 1]).length === 0 && !/^#/.test(all[i - 1].trim())) i -= 1;
  return i;
}

/**
 * `text` with its code block holding `code` instead (the block stays where it stood). A text
 * without a block gets `protocol js` (when it selects none) and the block after its `nodes`
 * and `seed` lines, so that both come before the first action.
 */
export function replaceCode(text, code) {
  const all = lines(text);
  const block = findCodeBlock(text);
  if (block && block.close >= 0) {
    all.splice(block.open, block.close - block.open + 1, ...blockLines(code));
    return all.join('\n');
  }
  if (block) throw new Error(`the code block that starts on line ${block.open + 1} has no line "end" after it`);
  const at = afterHead(all);
  const protocol = protocolOf(text);
  if (protocol !== 'js' && protocol !== 'raft') throw new Error(`this scenario runs protocol ${protocol}, not js`);
  all.splice(at, 0, ...(protocol === 'js' ? [] : ['protocol js']), ...blockLines(code));
  return all.join('\n');
}

/**
 * `text` without its code block and without its `protocol js` lines: the same story with the
 * built-in Raft.
 */
export function removeCode(text) {
  const all = lines(text);
  const block = findCodeBlock(text);
  if (block && block.close >= 0) all.splice(block.open, block.close - block.open + 1);
  return all.filter((raw) => {
    const w = words(raw);
    return !(w.length === 2 && w[0] === 'protocol' && w[1] === 'js');
  }).join('\n');
}

/**
 * A fresh cluster of `nodes` servers on `seed`: with the node's `code` (protocol js), or the
 * built-in Raft when `code` is null.
 */
export function baseScenario({ nodes, seed }, code = null) {
  const head = `nodes ${nodes}\nseed ${seed}\n`;
  return code == null ? head : `${head}protocol js\n${blockLines(code).join('\n')}\n`;
}

/** Whether an exercise's setup runs a JavaScript node: `protocol js` and a code block. */
export function isJsSetup(setup) {
  return protocolOf(setup) === 'js' && extractCode(setup) != null;
}

/**
 * The 1-based lines of `code` that would close the scenario's code block early: a module line
 * that is only `end` ends the block there, and the rest is read as scenario lines.
 */
export function endLines(code) {
  return lines(code).flatMap((raw, i) => (isEndLine(raw) ? [i + 1] : []));
}
