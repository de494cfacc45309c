// Exercises: plain scenario files in exercises/ with a header of comments (see
// exercises/README.md). Pure functions: read an exercise, build what a student hands in, read
// an exercise link. The files are bundled into the page at build time.

import { encodeScenario, decodeScenario } from './share.js';

/** Every exercise file, by id (its file name without .scn). */
export const EXERCISE_FILES = Object.fromEntries(
  Object.entries(import.meta.glob('../exercises/*.scn', { query: '?raw', import: 'default', eager: true }))
    .map(([path, text]) => [path.replace(/^.*\/([^/]+)\.scn$/, '$1'), text]),
);

/** `2s`, `1500ms` → milliseconds; 0 for anything else. */
function durationMs(text) {
  const m = /^(\d+)(ms|s)$/.exec((text || '').trim());
  if (!m) return 0;
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/**
 * Read an exercise: `# key: value` comment lines give its title, story (lines joined), hints
 * (one per line, in order), explanation, and optionally `hold` (how long the goal must hold
 * without a break), `start: paused` and `order` (a whole number: where it stands in the
 * list). Everything before the `# goal:` line is the setup; the expectation lines after it are
 * the goal.
 */
export function parseExercise(id, text) {
  const ex = { id, title: id, story: '', hints: [], explain: '', holdMs: 0, startPaused: false, order: Infinity, setup: '', goal: [] };
  const story = [];
  const explain = [];
  const setup = [];
  let inGoal = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^#\s*goal:/.test(line)) {
      inGoal = true;
      continue;
    }
    if (inGoal) {
      const code = line.replace(/#.*$/, '').trim();
      if (code) ex.goal.push(code);
      continue;
    }
    setup.push(line);
    const m = /^#\s*(title|story|hint|explain|hold|start|order):\s?(.*)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m;
    if (key === 'title') ex.title = value.trim();
    else if (key === 'story') story.push(value.trim());
    else if (key === 'hint') ex.hints.push(value.trim());
    else if (key === 'explain') explain.push(value.trim());
    else if (key === 'hold') ex.holdMs = durationMs(value);
    else if (key === 'start') ex.startPaused = value.trim() === 'paused';
    else if (key === 'order' && /^\d+$/.test(value.trim())) ex.order = Number(value.trim());
  }
  ex.story = story.join(' ');
  ex.explain = explain.join('\n');
  while (setup.length && setup[setup.length - 1].trim() === '') setup.pop();
  ex.setup = `${setup.join('\n')}\n`;
  return ex;
}

/** All exercises, by their `# order:` (those without one last), then by file name. */
export function allExercises(files = EXERCISE_FILES) {
  return Object.keys(files)
    .sort()
    .map((id) => parseExercise(id, files[id]))
    .sort((a, b) => (a.order === b.order ? 0 : a.order < b.order ? -1 : 1));
}

/** The text a student starts from: the setup, under a line naming the exercise. */
export function startText(ex) {
  return `# exercise: ${ex.id}\n${ex.setup}`;
}

/** The `# exercise: ID` a recorded scenario starts with, or null. */
export function exerciseIdOf(text) {
  const m = /^# exercise:\s*([A-Za-z0-9_-]+)/m.exec(text || '');
  return m ? m[1] : null;
}

/**
 * The file a student hands in: the recorded scenario. When solved, the page recorded the goal
 * at the instant it held, so `raft-sim run` passes it; when not, the goal is appended at the
 * end, where it fails.
 */
export function handInFile(ex, recorded, solved) {
  const text = recorded.endsWith('\n') ? recorded : `${recorded}\n`;
  if (solved) return text;
  return `${text}# goal: (not reached on the page)\n${ex.goal.join('\n')}\n`;
}

/** `#ex=ID&s=BASE64URL` of a recorded scenario. */
export function exerciseLink(origin, pathname, id, recorded) {
  return `${origin}${pathname}#ex=${encodeURIComponent(id)}&s=${encodeScenario(recorded)}`;
}

/** {id, text} of an exercise hash (`#ex=ID` or `#ex=ID&s=…`), or null. Throws on a broken `s`. */
export function readExerciseHash(hash) {
  const m = /^#ex=([A-Za-z0-9_-]+)(?:&s=(.*))?$/s.exec(hash || '');
  if (!m) return null;
  return { id: m[1], text: m[2] == null ? null : decodeScenario(m[2]) };
}
