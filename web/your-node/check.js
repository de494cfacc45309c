// The real check of a node's module before it runs (the editor marks Lezer's parse errors as
// you type; this is the parse that decides): acorn reads the text as an ES module, by the
// language's own rules, and the module must export the node's factory and stay inside its
// scenario code block.

import { Parser } from 'acorn';
import { endLines } from './code-block.js';

/**
 * The real parse of the module, before anything runs: acorn reads it as an ES module (the
 * browser's own rules), and it must have a default export. `{ line, column, from, message }`
 * (1-based line and column, `from` an offset into `code`) or null when it is fine.
 */
export function moduleProblem(code) {
  let ast;
  try {
    ast = Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  } catch (err) {
    const loc = err.loc || { line: 1, column: 0 };
    return { line: loc.line, column: loc.column + 1, from: err.pos ?? 0, message: String(err.message).replace(/ \(\d+:\d+\)$/, '') };
  }
  if (!ast.body.some((n) => n.type === 'ExportDefaultDeclaration')) {
    return { line: 1, column: 1, from: 0, message: 'The module has no default export: it must export the node\'s factory, `export default function node(ctx) { … }`' };
  }
  const ends = endLines(code);
  if (ends.length) {
    const line = ends[0];
    const from = code.split('\n').slice(0, line - 1).join('\n').length + (line > 1 ? 1 : 0);
    return { line, column: 1, from, message: 'A line that is only "end" would close the scenario\'s code block here: write it otherwise (say "end;")' };
  }
  return null;
}

