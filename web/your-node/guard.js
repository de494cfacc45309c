// Loop guards, for the one replay that looks for a handler that never returned (runtime.js's
// `hung`, worker.js with `beacons`): every `while (…)` and `for (…; …; …)` condition of the node's
// module first calls GUARD(line, column) (a comma expression: `while (GUARD(3,5), x = next())`,
// valid whatever the condition), and so does the block of every `for (… of …)` and
// `for (… in …)` (`{GUARD(3,5);`); the guard returns true until the handler has run too long,
// and then names the loop. Only that replay runs the rewritten module; a run as the person wrote it never does.
//
// The rewrite needs no parser: strings, template literals, comments and regular expressions are
// blanked out first (same length), so the keywords and parentheses found are code. It inserts no
// line breaks, so every line keeps its number.

export const GUARD = '__yourNodeLoopGuard';

/** `code` with strings, templates, comments and regular expressions replaced by spaces. */
export function blankOut(code) {
  const out = code.split('');
  const blank = (from, to) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let i = 0;
  let prev = ''; // the last code character that was not white space
  while (i < code.length) {
    const c = code[i];
    const next = code[i + 1];
    let end = -1;
    if (c === '/' && next === '/') {
      end = code.indexOf('\n', i);
      if (end < 0) end = code.length;
    } else if (c === '/' && next === '*') {
      end = code.indexOf('*/', i + 2);
      end = end < 0 ? code.length : end + 2;
    } else if (c === '"' || c === "'" || c === '`' || (c === '/' && (prev === '' || '(,=:[!&|?{};+-*%<>~^'.includes(prev)))) {
      // A string, a template literal (whole, with what is inside ${…}), or a regular expression.
      let k = i + 1;
      let inClass = false;
      while (k < code.length) {
        const d = code[k];
        if (d === '\\') k += 2;
        else if (c === '/' && d === '[') (inClass = true), k++;
        else if (c === '/' && d === ']') (inClass = false), k++;
        else if (d === c && !inClass) break;
        else if (d === '\n' && c !== '`') break;
        else k++;
      }
      end = Math.min(code.length, k + 1);
    }
    if (end >= 0) {
      blank(i, end);
      if (c === '"' || c === "'" || c === '`' || c === '/') prev = 'a'; // a value ends there
      i = end;
      continue;
    }
    if (!/\s/.test(c)) prev = c;
    i++;
  }
  return out.join('');
}

/** The module with a guard in every `while` and `for` loop (see above). */
export function guardLoops(code) {
  const plain = blankOut(code);
  const inserts = [];
  const loop = /\b(while|for)\s*\(/g;
  let m;
  while ((m = loop.exec(plain))) {
    if (m.index > 0 && /[.$\w]/.test(plain[m.index - 1])) continue;
    const open = m.index + m[0].length; // just inside the parenthesis
    // The matching parenthesis, and for `for` the first `;` at its depth.
    let depth = 1;
    let semi = -1;
    let k = open;
    for (; k < plain.length && depth > 0; k++) {
      const d = plain[k];
      if (d === '(' || d === '[' || d === '{') depth++;
      else if (d === ')' || d === ']' || d === '}') depth--;
      else if (d === ';' && depth === 1 && semi < 0) semi = k;
    }
    const close = k - 1;
    const before = plain.slice(0, m.index);
    const line = before.split('\n').length;
    const column = m.index - before.lastIndexOf('\n');
    const call = `${GUARD}(${line},${column})`;
    if (m[1] === 'while') {
      inserts.push([open, `${call},`]);
    } else if (semi >= 0) {
      const second = plain.indexOf(';', semi + 1);
      const empty = second < 0 || second > close ? true : plain.slice(semi + 1, second).trim() === '';
      inserts.push([semi + 1, empty ? call : `${call},`]);
    } else {
      // `for (… of …)` or `for (… in …)`: no condition to put the guard in, so it goes first in
      // the body when the body is a block. A body without braces keeps no guard (the page still
      // names the server, event and time of the hang, without a line).
      const body = plain.slice(close + 1).search(/\S/);
      if (body >= 0 && plain[close + 1 + body] === '{') inserts.push([close + 2 + body, `${call};`]);
    }
  }
  let out = code;
  for (const [at, text] of inserts.sort((a, b) => b[0] - a[0])) out = out.slice(0, at) + text + out.slice(at);
  return out;
}
