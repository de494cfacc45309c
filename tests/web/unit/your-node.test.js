// The "Your node" drawer's scenario helpers (web/your-node/code-block.js): find, replace and
// remove the `code … end` block where the simulator's parser finds it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { moduleProblem } from '../../../web/your-node/check.js';
import {
  findCodeBlock, extractCode, protocolOf, replaceCode, removeCode, baseScenario, isJsSetup, endLines,
} from '../../../web/your-node/code-block.js';

const MODULE = 'export default function node(ctx) {\n  // # not a comment here\n\n  return {};\n}';

describe('extractCode', () => {
  it('returns the module verbatim, blank lines and # included', () => {
    const text = `nodes 3\nprotocol js\ncode\n${MODULE}\nend\nrun 1s\n`;
    expect(extractCode(text)).toBe(MODULE);
  });

  it('accepts a comment after `code`, blanks around `end`, and CRLF lines', () => {
    const text = 'nodes 3\r\nprotocol js\r\n  code   # the node\r\nlet a = 1;\r\n\t end \r\nrun 1s\r\n';
    expect(extractCode(text)).toBe('let a = 1;');
  });

  it('does not take `code x` or `endless` for the block lines', () => {
    expect(findCodeBlock('nodes 3\ncode x\n')).toBeNull();
    expect(extractCode('code\nendless\nend\n')).toBe('endless');
  });

  it('is null without a block, or with a block that never ends', () => {
    expect(extractCode('nodes 3\nrun 1s\n')).toBeNull();
    expect(extractCode('protocol js\ncode\nlet a;\n')).toBeNull();
    expect(findCodeBlock('protocol js\ncode\nlet a;\n')).toEqual({ open: 1, close: -1, code: 'let a;\n' });
  });

  it('keeps a trailing newline of the module', () => {
    expect(extractCode(baseScenario({ nodes: 3, seed: 7 }, 'let a;\n'))).toBe('let a;\n');
  });
});

describe('protocolOf', () => {
  it('reads protocol lines outside the block only', () => {
    expect(protocolOf('nodes 3\n')).toBe('raft');
    expect(protocolOf('protocol naive\n')).toBe('naive');
    expect(protocolOf('protocol js # mine\ncode\nprotocol naive\nend\n')).toBe('js');
    expect(protocolOf('# protocol js\nnodes 3\n')).toBe('raft');
  });
});

describe('replaceCode', () => {
  it('replaces the block where it stands and leaves every other line alone', () => {
    const text = '# exercise: x\nnodes 3\nseed 4\nprotocol js\nrun until leader within 5s\ncode\nold();\nend\nput x 1\n';
    const out = replaceCode(text, 'fresh();\n\nmore();');
    expect(out).toBe('# exercise: x\nnodes 3\nseed 4\nprotocol js\nrun until leader within 5s\ncode\nfresh();\n\nmore();\nend\nput x 1\n');
    expect(extractCode(out)).toBe('fresh();\n\nmore();');
  });

  it('adds protocol js and a block after nodes and seed when there is none', () => {
    const out = replaceCode('# story\nnodes 3\nseed 9\n\nput x 1\n', 'a();');
    expect(out).toBe('# story\nnodes 3\nseed 9\nprotocol js\ncode\na();\nend\n\nput x 1\n');
  });

  it('refuses another protocol and an unclosed block', () => {
    expect(() => replaceCode('protocol naive\n', 'a();')).toThrow(/protocol naive/);
    expect(() => replaceCode('protocol js\ncode\na();\n', 'b();')).toThrow(/line 2 has no line "end"/);
  });
});

describe('removeCode', () => {
  it('drops the block and protocol js, keeping the story', () => {
    const text = 'nodes 3\nseed 4\nprotocol js\ncode\nold();\nend\nrun 1s\nput x 1\n';
    expect(removeCode(text)).toBe('nodes 3\nseed 4\nrun 1s\nput x 1\n');
    expect(protocolOf(removeCode(text))).toBe('raft');
  });

  it('leaves a scenario without a block as it was', () => {
    expect(removeCode('nodes 5\nseed 1\n')).toBe('nodes 5\nseed 1\n');
  });
});

describe('baseScenario', () => {
  it('writes a fresh cluster with the code verbatim, or the built-in Raft', () => {
    expect(baseScenario({ nodes: 3, seed: 42 }, 'x();')).toBe('nodes 3\nseed 42\nprotocol js\ncode\nx();\nend\n');
    expect(baseScenario({ nodes: 5, seed: 1 })).toBe('nodes 5\nseed 1\n');
  });
});

describe('isJsSetup and endLines', () => {
  it('tells a JavaScript exercise from the others', () => {
    expect(isJsSetup('nodes 3\nprotocol js\ncode\na();\nend\n')).toBe(true);
    expect(isJsSetup('nodes 3\nprotocol naive\n')).toBe(false);
    expect(isJsSetup('nodes 3\n')).toBe(false);
  });

  it('finds module lines that would end the block early', () => {
    expect(endLines('a();\n  end\nb();\nend;\nend')).toEqual([2, 5]);
    expect(endLines(MODULE)).toEqual([]);
  });
});

describe('moduleProblem (the check before a run)', () => {
  it('accepts every starting point', () => {
    for (const name of ['skeleton', 'naive', 'raft']) {
      const text = readFileSync(new URL(`../../../web/your-node/starters/${name}.js`, import.meta.url), 'utf8');
      expect(moduleProblem(text), name).toBeNull();
    }
  });

  it('names the line and column of a syntax error', () => {
    expect(moduleProblem('export default function node(ctx) {\n  return { onStart() { let x = ; } };\n}'))
      .toEqual({ line: 2, column: 32, from: 67, message: 'Unexpected token' });
  });

  it('wants a default export, in a module (import and export allowed)', () => {
    expect(moduleProblem('function node(ctx) { return {}; }').message).toMatch(/no default export/);
    expect(moduleProblem('const k = 1;\nexport { k };\nexport default (ctx) => ({});')).toBeNull();
  });

  it('refuses a line that would close the scenario block early', () => {
    const p = moduleProblem('export default function node(ctx) {\n  return {};\n}\nend\n');
    expect(p).toMatchObject({ line: 4, column: 1, from: 51 });
    expect(p.message).toMatch(/would close the scenario's code block/);
  });
});
