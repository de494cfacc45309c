import { describe, it, expect } from 'vitest';
import {
  EXERCISE_FILES, parseExercise, allExercises, startText, handInFile, exerciseLink, readExerciseHash, exerciseIdOf,
} from '../../../web/exercises.js';

const SAMPLE = `# title: A title
# story: First line of the story,
# story: second line.
# hint: one
# hint: two
# explain: Because.
# hold: 2s
# start: paused
nodes 3
run 1s   # a comment
# goal:
expect leader   # trailing comment
expect safe
`;

describe('exercises', () => {
  it('reads the header, the setup and the goal', () => {
    const ex = parseExercise('sample', SAMPLE);
    expect(ex.title).toBe('A title');
    expect(ex.story).toBe('First line of the story, second line.');
    expect(ex.hints).toEqual(['one', 'two']);
    expect(ex.explain).toBe('Because.');
    expect(ex.holdMs).toBe(2000);
    expect(ex.startPaused).toBe(true);
    expect(ex.goal).toEqual(['expect leader', 'expect safe']);
    expect(ex.setup.endsWith('nodes 3\nrun 1s   # a comment\n')).toBe(true);
    expect(ex.setup).not.toContain('expect');
  });

  it('lists exercises by their order header, those without one last, by name', () => {
    const files = { b: '# title: B\n# order: 20\n', a: '# title: A\n', c: '# title: C\n# order: 5\n', d: '# title: D\n' };
    expect(allExercises(files).map((e) => e.id)).toEqual(['c', 'b', 'a', 'd']);
    expect(allExercises()[0].id).toBe('elect-leader');
  });

  it('bundles at least ten exercises, each complete', () => {
    const list = allExercises();
    expect(list.length).toBeGreaterThanOrEqual(10);
    expect(Object.keys(EXERCISE_FILES)).toContain('elect-leader');
    for (const ex of list) {
      expect(ex.title, ex.id).not.toBe(ex.id);
      expect(ex.story, ex.id).not.toBe('');
      expect(ex.hints.length, ex.id).toBeGreaterThan(0);
      expect(ex.explain, ex.id).not.toBe('');
      expect(ex.goal.length, ex.id).toBeGreaterThan(0);
      for (const g of ex.goal) expect(g, ex.id).toMatch(/^expect /);
    }
  });

  it('hands in the recording, with the goal appended only when it was not reached', () => {
    const ex = parseExercise('sample', SAMPLE);
    const rec = `${startText(ex)}restart S1\nexpect leader\nexpect safe\n`;
    expect(exerciseIdOf(rec)).toBe('sample');
    expect(handInFile(ex, rec, true)).toBe(rec);
    const unsolved = handInFile(ex, `${startText(ex)}run 1s`, false);
    expect(unsolved).toMatch(/run 1s\n# goal: .*\nexpect leader\nexpect safe\n$/);
  });

  it('exercise links carry the id and the scenario', () => {
    const link = exerciseLink('http://x', '/p/', 'elect-leader', 'nodes 5\nrestart S1\n');
    const hash = link.slice(link.indexOf('#'));
    expect(readExerciseHash(hash)).toEqual({ id: 'elect-leader', text: 'nodes 5\nrestart S1\n' });
    expect(readExerciseHash('#ex=catch-up')).toEqual({ id: 'catch-up', text: null });
    expect(readExerciseHash('#s=abc')).toBeNull();
    expect(() => readExerciseHash('#ex=a&s=%%%')).toThrow(/base64url/);
  });
});
