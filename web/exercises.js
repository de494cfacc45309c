// Exercises: plain scenario files in exercises/ with a header of comments (see
// exercises/README.md). Pure functions: read an exercise, build what a student hands in, read
// an exercise link. The files are bundled into the page at build time.

import { encodeScenario, decodeScenario, encodeScenarioShort, decodeScenarioAny } from './share.js';

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

/** The same link with the shortest payload (compressed when shorter, see share.js). */
export async function exerciseLinkShort(origin, pathname, id, recorded) {
  return `${origin}${pathname}#ex=${encodeURIComponent(id)}&s=${await encodeScenarioShort(recorded)}`;
}

/** readExerciseHash for links in either payload form. */
export async function readExerciseHashAny(hash) {
  const m = /^#ex=([A-Za-z0-9_-]+)(?:&s=(.*))?$/s.exec(hash || '');
  if (!m) return null;
  return { id: m[1], text: m[2] == null ? null : await decodeScenarioAny(m[2]) };
}

/**
 * The simulated instant at which line `line` (1-based) of a recording was applied: the sum of
 * the `run` lines before it (a recording is actions separated by `run Nms`). null when a line
 * before it runs for a time the text does not say (`run until …`).
 */
export function instantOfLine(text, line) {
  let ms = 0;
  const lines = text.split('\n');
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) {
    const code = lines[i].replace(/#.*$/, '').trim();
    const m = /^run\s+(\d+)(ms|s)$/.exec(code);
    if (m) ms += Number(m[1]) * (m[2] === 's' ? 1000 : 1);
    else if (/^run\b/.test(code)) return null;
  }
  return ms;
}

const SERVERS = (list) => {
  const ids = list.trim().split(/\s+/);
  return ids.length === 1 ? ids[0] : `${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
};

/** A goal line (an expectation) as a sentence a student reads; the line itself when unknown. */
export function goalSentence(text) {
  const t = text.trim().replace(/\s+/g, ' ');
  let m;
  if (t === 'expect leader') return 'One running server is the leader.';
  if ((m = /^expect leader (S\d)$/.exec(t))) return `${m[1]} is the leader.`;
  if (t === 'expect no-leader') return 'No running server is the leader.';
  if (t === 'expect leaders 1') return 'Exactly one server believes it is the leader.';
  if ((m = /^expect leaders (\d+)$/.exec(t))) return `${m[1]} servers believe they are the leader at the same time.`;
  if (t === 'expect safe') return 'Every safety property still holds.';
  if (t === 'expect linearizable') return 'Every answer the clients got fits one order of the operations: the history is linearizable.';
  if (t === 'expect not-linearizable') return 'A client sees an impossible answer: the history is not linearizable.';
  if ((m = /^expect violation ([a-z-]+)$/.exec(t))) return `The checker catches a violation of ${m[1].replace(/-/g, ' ')}.`;
  if ((m = /^expect role (S\d) ([a-z-]+)$/.exec(t))) return `${m[1]} is a ${m[2]}.`;
  if ((m = /^expect term (\d+)\.\.$/.exec(t))) return `The term reaches ${m[1]} or more.`;
  if ((m = /^expect term (\d+)\.\.(\d+)$/.exec(t))) return `The term is between ${m[1]} and ${m[2]}.`;
  if ((m = /^expect term (\d+)$/.exec(t))) return `The term is ${m[1]}.`;
  if ((m = /^expect committed (\d+) on (.+)$/.exec(t))) return `${SERVERS(m[2])} have committed entry ${m[1]} (or later ones).`;
  if ((m = /^expect committed (\d+)$/.exec(t))) return `Every running server has committed entry ${m[1]} (or later ones).`;
  if ((m = /^expect value (\S+) - on (.+)$/.exec(t))) return `${SERVERS(m[2])} have no value for ${m[1]}.`;
  if ((m = /^expect value (\S+) (\S+) on (.+)$/.exec(t))) return `${SERVERS(m[3])} have ${m[1]} = ${m[2]}.`;
  if ((m = /^expect value (\S+) -$/.exec(t))) return `No value for ${m[1]} is committed (the write is lost).`;
  if ((m = /^expect value (\S+) (\S+)$/.exec(t))) return `${m[1]} = ${m[2]} is committed.`;
  return t;
}
