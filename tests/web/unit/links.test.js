// Compressed share links, the instant a goal was recorded at, goals as sentences, keyboard
// islands' sentences: the pure parts of issue 17's changes.
import { describe, it, expect } from 'vitest';
import { encodeScenario, encodeScenarioShort, decodeScenarioAny, COMPRESSED } from '../../../web/share.js';
import { instantOfLine, goalSentence, allExercises } from '../../../web/exercises.js';

const LONG = `nodes 5\nseed 1\n${Array.from({ length: 200 }, (_, i) => `run 10ms\nput k${i} v${i}`).join('\n')}\n`;

describe('compressed share links', () => {
  it('are shorter for long runs, start with the 0xFF byte, and read back exactly', async () => {
    const short = await encodeScenarioShort(LONG);
    expect(short).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(short.length).toBeLessThan(encodeScenario(LONG).length / 2);
    expect(Buffer.from(short, 'base64url')[0]).toBe(COMPRESSED);
    expect(await decodeScenarioAny(short)).toBe(LONG);
  });
  it('stay plain when compression would not be shorter, and plain links still read', async () => {
    expect(await encodeScenarioShort('nodes 5\n')).toBe(encodeScenario('nodes 5\n'));
    expect(await decodeScenarioAny(encodeScenario('nodes 3\nseed 9\n'))).toBe('nodes 3\nseed 9\n');
  });
  it('say what is wrong with damaged compressed data', async () => {
    const bad = Buffer.from([COMPRESSED, 0xfe, 0xfd, 0x80, 0x01]).toString('base64url');
    await expect(decodeScenarioAny(bad)).rejects.toThrow(/neither UTF-8 text nor valid compressed data/);
    await expect(decodeScenarioAny('ab+c')).rejects.toThrow(/character 3/);
  });
});

describe('the instant of a recorded line', () => {
  it('sums the run lines before it, and gives up on run until', () => {
    const text = 'nodes 5\nseed 1\nrun 1s\ncrash S1\nrun 250ms\n# a comment\nexpect leader\n';
    expect(instantOfLine(text, 7)).toBe(1250);
    expect(instantOfLine(text, 4)).toBe(1000);
    expect(instantOfLine('nodes 5\nrun until leader\nexpect leader\n', 3)).toBe(null);
  });
});

describe('goals as sentences', () => {
  it('turn every goal line of every exercise into a sentence', () => {
    for (const ex of allExercises()) {
      for (const g of ex.goal) {
        const s = goalSentence(g);
        expect(s, g).not.toMatch(/^expect\b/);
        expect(s, g).toMatch(/\.$|\)\.?$/);
      }
    }
    expect(goalSentence('expect no-leader')).toBe('No running server is the leader.');
    expect(goalSentence('expect value bike42 alice on S1 S2 S3')).toBe('S1, S2 and S3 have bike42 = alice.');
  });
});
