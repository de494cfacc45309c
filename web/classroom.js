// The classroom: exercises whose goal the page checks live, and "Break Raft" (bug switches and
// counterexample search in a Web Worker). Like the rest of the page it never edits the model:
// exercises start as scenario text, bugs are `bug NAME` lines, a finding is replayed from its
// scenario text. Loaded on demand (web/drawers.js): the first time a drawer opens, an `#ex=`
// link is opened or a hand-in file is imported.

import { bugNames } from './pkg/raft_wasm.js';
import {
  allExercises, startText, handInFile, exerciseLink, exerciseLinkShort, readExerciseHashAny, exerciseIdOf, instantOfLine, goalSentence,
} from './exercises.js';
import { h } from './dom.js';
import { BUG_RULES, focusables } from './drawers.js';

export { BUG_RULES, focusables };

/** The search gives up after this many seeds (every bug shows up within a few hundred). */
export const MAX_SEEDS = 1000;

/**
 * The finding as the page shows it: its header comment rewritten so that every line number and
 * time in it points at the scenario on screen (the search's header cited the lines of the
 * scenario before the header was put on top, and the instant of its own check).
 * `stop`: untilViolation's answer (its detail cites lines of stop.scenario); `f`: the finding.
 */
export function headerForPage(stop, f) {
  const lines = stop.scenario.split('\n');
  let oldH = 0;
  while (oldH < lines.length && lines[oldH].startsWith('#')) oldH += 1;
  const detail = String(stop.detail || f.detail || '').split('\n');
  const newH = 1 + detail.length;
  const shift = (d) => d.replace(/\b(lines?) (\d+(?:(?:, | and | to |–)\d+)*)/g,
    (_, word, nums) => `${word} ${nums.replace(/\d+/g, (n) => String(Number(n) - oldH + newH))}`);
  const shifted = detail.map(shift);
  const head = [
    `# Found by the page's search (bug ${f.bug}, seed ${f.seed}): ${stop.property || f.property} at ${stop.at_ms}ms`,
    ...shifted.map((d) => `# ${d}`),
  ];
  return { text: [...head, ...lines.slice(oldH)].join('\n'), detail: shifted.join('\n') };
}

/** How many lines of `recorded` a person acted with (not settings, comments or passing time). */
export function actionsIn(recorded) {
  return recorded.split('\n').map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l && !/^(nodes|seed|run|loss|duplicate|latency|prevote|check-quorum|protocol|snapshot-every)\b/.test(l)).length;
}

const squash = (s) => s.trim().replace(/\s+/g, ' ');
const seconds = (ms) => `${(ms / 1000).toFixed(ms < 10_000 ? 3 : 1)} s`;

export class Classroom {
  /** `drawers`: the page's drawers (web/drawers.js), which loaded this. */
  constructor(app, drawers) {
    this.app = app;
    this.drawers = drawers;
    const root = app.root;
    const q = (sel) => root.querySelector(sel);
    this.exercises = allExercises();
    this.byId = new Map(this.exercises.map((e) => [e.id, e]));
    this.el = {
      select: q('[data-control="exercise"]'),
      panel: q('[data-exercise]'),
      title: q('[data-exercise-title]'),
      story: q('[data-exercise-story]'),
      goal: q('[data-goal]'),
      status: q('[data-exercise-status]'),
      explain: q('[data-explain]'),
      hints: q('[data-hints]'),
      hint: q('[data-classroom="hint"]'),
      handIn: q('[data-hand-in]'),
      handInLink: q('[data-hand-in-link]'),
      switches: q('[data-bug-switches]'),
      fuzzBug: q('[data-control="fuzz-bug"]'),
      fuzz: q('[data-classroom="fuzz"]'),
      cancel: q('[data-classroom="fuzz-cancel"]'),
      progress: q('[data-fuzz-progress]'),
      fuzzStatus: q('[data-fuzz-status]'),
      fuzzResult: q('[data-fuzz-result]'),
      confirm: q('[data-fuzz-confirm]'),
      exBadge: q('[data-exercise-badge]'),
      hold: q('[data-hold]'),
      lost: q('[data-lost]'),
    };
    this.active = null; // { ex, pg, solved, solvedAt, heldSince, hints, lastKey }
    this.search = null;
    this.pool = null;
    this.bugs = bugNames();
    this.build();
    this.wire();
  }

  // --- building the drawers ----------------------------------------------------------------------

  build() {
    for (const ex of this.exercises) this.el.select.append(h('option', { value: ex.id }, ex.title));
    this.switchInputs = new Map();
    for (const bug of this.bugs) {
      const input = h('input', { type: 'checkbox', role: 'switch', name: `bug-${bug}`, 'data-bug': bug });
      const text = h('span');
      text.append(h('code', {}, bug), h('span', { class: 'rule' }, BUG_RULES[bug] || ''));
      const label = h('label', { class: 'switch' });
      label.append(input, text);
      this.el.switches.append(label);
      this.switchInputs.set(bug, input);
      this.el.fuzzBug.append(h('option', { value: bug }, bug));
    }
  }

  wire() {
    const root = this.app.root;
    this.el.select.addEventListener('change', () => {
      if (this.el.select.value) this.start(this.el.select.value);
      else this.leave(true);
    });
    const actions = {
      hint: () => this.showHint(),
      restart: () => this.active && this.start(this.active.ex.id),
      'hand-in-link': () => this.handInLink(),
      'hand-in-file': () => this.handInFile(),
      fuzz: () => this.askFind(this.el.fuzzBug.value),
      'fuzz-confirmed': () => {
        this.el.confirm.hidden = true;
        this.find(this.el.fuzzBug.value);
      },
      'fuzz-keep': () => {
        this.el.confirm.hidden = true;
        this.el.fuzz.focus();
      },
      'fuzz-cancel': () => this.cancel(),
    };
    root.addEventListener('click', (e) => {
      const b = e.target.closest('[data-classroom]');
      if (b && !b.disabled && actions[b.dataset.classroom]) actions[b.dataset.classroom]();
    });
    this.el.fuzzBug.addEventListener('change', () => {
      this.fuzzBugPicked = true;
    });
    this.el.switches.addEventListener('change', (e) => {
      const bug = e.target.dataset.bug;
      if (bug && e.target.checked) this.app.act([`bug ${bug}`]);
    });
  }

  /**
   * A drawer was opened (web/drawers.js). Workers take a moment to load the simulator: start
   * them when Break Raft opens, before they are needed (not with every page: most visits never
   * search).
   */
  opened(name) {
    if (name === 'break' && !this.pool && !this.search) this.pool = this.spawnPool();
  }

  // --- exercises ---------------------------------------------------------------------------------

  /** Load an exercise: play its setup, then check its goal while the student acts. */
  start(id, recorded = null, source = 'link') {
    const ex = this.byId.get(id);
    if (!ex) {
      this.app.showError(`There is no exercise "${id}". The exercises are: ${this.exercises.map((e) => e.id).join(', ')}.`);
      return false;
    }
    this.app.clearError();
    const text = recorded ?? startText(ex);
    const loaded = this.app.load(text, { paused: recorded != null || ex.startPaused, source: recorded != null ? source : 'scenario' });
    // A node written in JavaScript loads in its worker first (a promise): the exercise begins
    // once its run is there, and a run that failed to load leaves it, as below.
    if (loaded instanceof Promise) return loaded.then((ok) => {
        if (ok) return this.begin(ex, recorded, text);
        this.leave(false);
        return false;
      });
    if (!loaded) {
      this.leave(false);
      return false;
    }
    return this.begin(ex, recorded, text);
  }

  /** The exercise's run is loaded: check its goal from now on. */
  begin(ex, recorded, text) {
    this.active = { ex, pg: this.app.model.pg, solved: false, solvedAt: null, heldSince: null, hints: 0, lastKey: null };
    if (recorded != null) this.solvedInRecording(text);
    this.el.select.value = ex.id;
    this.drawers.toggle('exercises', true);
    this.renderExercise();
    this.check(this.app.model.snapshot());
    return true;
  }

  /**
   * A handed-in run (link or file): solved if the page recorded the goal, passed, in it. It was
   * solved at the instant those goal lines were recorded, the same instant the student's page
   * showed, whatever the student did after.
   */
  solvedInRecording(text) {
    const expectations = this.app.model.snapshot().expectations || [];
    const passed = new Set(expectations.filter((x) => x.passed).map((x) => squash(x.text)));
    const a = this.active;
    if (a.ex.goal.every((g) => passed.has(squash(g)))) {
      a.solved = true;
      const hit = expectations.filter((x) => x.passed && squash(x.text) === squash(a.ex.goal[0]));
      a.solvedAt = this.app.model.snapshot().time_ms;
      if (hit.length) {
        a.solvedLine = hit[0].line;
        const at = instantOfLine(text, a.solvedLine);
        if (at != null) a.solvedAt = at;
      }
    }
  }

  /** A file opened with Import that names an exercise (a hand-in): open it as that exercise, graded. */
  openHandIn(text, name) {
    const id = exerciseIdOf(text);
    if (!id || !this.byId.has(id)) return false;
    // The goal appended by an unsolved hand-in is not part of the run: leave it out.
    const run = text.replace(/\n# goal: \(not reached on the page\)\n[\s\S]*$/, '\n');
    Promise.resolve(this.start(id, run, 'file')).then((ok) => {
      if (ok) this.app.announce(`${name} opened as exercise “${this.byId.get(id).title}”: ${this.active.solved ? `solved at ${seconds(this.active.solvedAt)}` : 'not solved'}.`);
    });
    return true;
  }

  leave(freshRun) {
    this.active = null;
    this.el.exBadge.hidden = true;
    this.el.select.value = '';
    this.el.panel.hidden = true;
    this.el.handIn.hidden = true;
    if (freshRun) this.app.load('nodes 5\nseed 1\n');
  }

  renderExercise() {
    const a = this.active;
    const { ex } = a;
    this.el.panel.hidden = false;
    this.el.panel.dataset.exercise = ex.id;
    this.el.title.textContent = ex.title;
    this.el.story.textContent = ex.story;
    this.el.hints.replaceChildren();
    this.el.explain.hidden = true;
    this.el.handIn.hidden = true;
    this.updateHintButton();
    this.renderSolved();
  }

  showHint() {
    const a = this.active;
    if (!a || a.hints >= a.ex.hints.length) return;
    this.el.hints.append(h('li', {}, a.ex.hints[a.hints]));
    a.hints += 1;
    this.updateHintButton();
  }

  updateHintButton() {
    const a = this.active;
    const n = a.ex.hints.length;
    this.el.hint.disabled = a.hints >= n;
    this.el.hint.textContent = a.hints >= n ? 'No more hints' : `Show hint ${a.hints + 1} of ${n}`;
  }

  renderSolved() {
    const a = this.active;
    this.el.panel.dataset.solved = String(a.solved);
    if (a.solved) {
      this.el.status.textContent = `Solved at ${seconds(a.solvedAt)}! The goal held${a.ex.holdMs ? ` for ${seconds(a.ex.holdMs)}` : ''}.`;
      this.el.explain.replaceChildren(h('strong', {}, 'Why it works. '), a.ex.explain);
      this.el.explain.hidden = false;
    } else {
      const hold = a.ex.holdMs ? ` It must hold for ${seconds(a.ex.holdMs)} without a break.` : '';
      this.el.status.textContent = `Not solved yet: the goal is checked as the run goes.${hold}`;
      this.el.explain.hidden = true;
    }
  }

  /** Called with every frame's snapshot (App.renderNow). */
  render(snap) {
    const a = this.active;
    if (a && this.app.model.pg !== a.pg) this.leave(false); // another run was loaded
    this.renderBugs(snap);
    if (this.active && !this.solving) this.check(snap);
  }

  /** Check the goal at this instant; mark it solved when it holds (for long enough). */
  check(snap) {
    const a = this.active;
    // Nothing to look at again until something happened (paused, the same instant is drawn
    // again and again).
    const key = `${snap.time_ms}|${snap.trace_hash}|${(snap.history || []).length}|${snap.partition}|${(snap.cuts || []).length}|${snap.nodes.map((n) => `${n.running ? 1 : 0}${n.role[0]}`).join('')}|${(snap.expectations || []).length}`;
    if (key === a.lastKey) return;
    a.lastKey = key;
    let results;
    try {
      results = this.app.model.pg.check(a.ex.goal.join('\n'));
    } catch (err) {
      this.el.status.textContent = `This exercise's goal cannot be checked: ${err.message || err}`;
      return;
    }
    // No results yet: a run in a Web Worker (a node written in JavaScript) answers the check
    // with its next state; look again then, even if the instant is the same.
    if (results.length === 0) a.lastKey = null;
    const all = results.length > 0 && results.every((r) => r.passed);
    if (!a.solved) {
      if (!all) a.heldSince = null;
      else if (a.heldSince == null) a.heldSince = snap.time_ms;
      if (all && snap.time_ms - a.heldSince >= a.ex.holdMs) this.solve(snap);
    }
    this.renderHold(snap, all);
    this.renderLost(snap);
    this.renderBadge();
    const sig = results.map((r) => `${r.passed}${r.undecided}${r.detail}`).join('|');
    if (sig !== a.goalSig) {
      a.goalSig = sig;
      this.el.goal.replaceChildren(...results.map((r) => {
        // Undecided: the linearizability checker ran out of its budget; not met, not refuted.
        const state = r.passed ? 'passed' : r.undecided ? 'undecided' : 'failed';
        const li = h('li', { class: state, 'data-goal-line': r.line, 'data-goal-state': state });
        const said = r.passed ? 'Holds now' : r.undecided ? 'Undecided' : 'Not yet';
        li.append(h('span', { class: 'goal-mark', 'aria-hidden': 'true' }, r.passed ? '✓' : r.undecided ? '?' : '○'), ' ',
          h('span', { class: 'goal-sentence' }, goalSentence(r.text)), ' ',
          // An undecided detail begins with the word itself: say it once.
          h('span', { class: 'goal-state' }, `${said}: ${r.undecided ? r.detail.replace(/^undecided: /, '') : r.detail}.`),
          ' ', h('code', { class: 'goal-code', title: 'The goal as a scenario line' }, r.text));
        return li;
      }));
    }
  }

  /**
   * The exercise's state in the top bar, seen with the drawer closed (a keyboard user closes
   * it to work on the cluster): solved, holding (and how long to go), lost, or not yet.
   */
  renderBadge() {
    const a = this.active;
    const left = Number(this.el.hold.dataset.leftMs || 0);
    let state = 'open';
    let text = 'not solved yet';
    if (a.solved) {
      state = 'solved';
      text = 'solved ✓';
    } else if (!this.el.lost.hidden) {
      state = 'lost';
      text = 'cannot succeed now';
    } else if (!this.el.hold.hidden) {
      state = 'holding';
      text = `holds · ${seconds(left)} to go`;
    }
    const b = this.el.exBadge;
    b.hidden = false;
    if (b.textContent !== text) {
      b.textContent = text;
      b.title = `Exercise “${a.ex.title}”: ${text}`;
    }
    b.dataset.state = state;
  }

  /** A goal that must hold for a while: how much longer, while it holds. */
  renderHold(snap, all) {
    const a = this.active;
    const el = this.el.hold;
    let text = '';
    let left = 0;
    if (!a.solved && a.ex.holdMs && all && a.heldSince != null) {
      left = Math.max(0, a.ex.holdMs - (snap.time_ms - a.heldSince));
      text = `The goal holds: keep it for ${seconds(left)} more (simulated time).`;
    }
    if (el.textContent !== text) el.textContent = text;
    // When the goal starts to hold, bring the countdown into view (a bottom sheet is short).
    if (text && el.hidden) requestAnimationFrame(() => el.scrollIntoView({ block: 'nearest' }));
    el.hidden = !text;
    el.style.setProperty('--held', a.ex.holdMs ? String(1 - left / a.ex.holdMs) : '0');
    el.dataset.leftMs = String(left);
  }

  /**
   * Say when an attempt can no longer succeed, and offer Start over: a goal that wants a write
   * lost once that write has been applied (committed, and with no bug on Raft never takes a
   * committed entry back), or a goal that wants the run safe after a safety violation.
   */
  renderLost(snap) {
    const a = this.active;
    let why = '';
    if (!a.solved) {
      const bugs = (snap.settings && snap.settings.bugs) || [];
      for (const g of a.ex.goal) {
        const m = /^expect value (\S+) -$/.exec(squash(g));
        if (m && !bugs.length) {
          const had = snap.nodes.find((n) => n.state && n.state[m[1]] != null);
          if (had) why = `${had.id} has applied ${m[1]} = ${had.state[m[1]]}: that write is committed, and Raft never loses a committed write.`;
        }
        if (squash(g) === 'expect safe' && snap.safe === false) why = 'safety has been violated in this run, and that cannot be undone.';
      }
    }
    const key = why;
    if (a.lostKey === key) return;
    a.lostKey = key;
    this.el.lost.hidden = !why;
    const text = this.el.lost.querySelector('[data-lost-text]');
    text.textContent = why ? `This attempt can no longer succeed: ${why}` : '';
  }

  /** The goal holds: record it at this instant (so the recording grades itself) and say so. */
  solve(snap) {
    const a = this.active;
    a.solved = true;
    a.solvedAt = snap.time_ms;
    this.solving = true;
    try {
      this.app.act(a.ex.goal);
    } finally {
      this.solving = false;
    }
    this.renderSolved();
  }

  /** The hand-in link: the plain one at once, the compressed one when ready (and shorter). */
  async handInLink() {
    const a = this.active;
    if (!a) return;
    const base = [location.origin, location.pathname + location.search, a.ex.id, this.app.model.recorded()];
    const show = (link) => {
      this.el.handInLink.textContent = link;
      this.el.handInLink.href = link;
    };
    show(exerciseLink(...base));
    this.el.handIn.hidden = false;
    const token = (this.handInToken = (this.handInToken || 0) + 1);
    const link = await exerciseLinkShort(...base);
    if (token !== this.handInToken) return;
    show(link);
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(link).catch(() => {});
  }

  handInFile() {
    const a = this.active;
    if (!a) return;
    const text = handInFile(a.ex, this.app.model.recorded(), a.solved);
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = h('a', { href: url, download: `${a.ex.id}.scn` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** Open `#ex=ID` (start the exercise) or `#ex=ID&s=…` (a handed-in run). */
  async loadFromHash() {
    let parsed;
    try {
      parsed = await readExerciseHashAny(location.hash);
    } catch (err) {
      this.app.showError(`This exercise link could not be opened: ${err.message || err}`);
      return false;
    }
    if (!parsed) return false;
    if (parsed.text != null && exerciseIdOf(parsed.text) && exerciseIdOf(parsed.text) !== parsed.id) {
      this.app.showError(`This link names exercise ${parsed.id} but its scenario is for ${exerciseIdOf(parsed.text)}.`);
    }
    return this.start(parsed.id, parsed.text);
  }

  // --- bugs --------------------------------------------------------------------------------------

  renderBugs(snap) {
    const on = new Set((snap.settings && snap.settings.bugs) || []);
    const sig = [...on].sort().join(',');
    if (sig === this.bugSig) return;
    this.bugSig = sig;
    // (The badge in the top bar is the drawers' own: it shows before the classroom is loaded.)
    // The search hunts the bug that is on, unless the person picked another one.
    if (on.size && !this.fuzzBugPicked && !this.search) this.el.fuzzBug.value = [...on].sort()[0];
    for (const [bug, input] of this.switchInputs) {
      input.checked = on.has(bug);
      input.disabled = on.has(bug);
      input.title = on.has(bug) ? 'On for the rest of this run (start a new run to switch it off)' : `Switch on bug ${bug} now`;
    }
  }

  // --- counterexample search ---------------------------------------------------------------------

  /**
   * Start the search's workers. Each loads the full WebAssembly module (the fuzzer and the
   * shrinker, which the page's first load leaves out): until every worker says it is ready,
   * the drawer says so and the root carries `data-search-loading`.
   */
  spawnPool() {
    const n = Math.max(1, Math.min(2, navigator.hardwareConcurrency || 2));
    const workers = Array.from({ length: n }, () => new Worker(new URL('./fuzz-worker.js', import.meta.url), { type: 'module' }));
    let waiting = n;
    const loading = 'Loading the counterexample search…';
    this.app.root.dataset.searchLoading = 'true';
    if (!this.search && !this.el.fuzzStatus.textContent) this.el.fuzzStatus.textContent = loading;
    for (const w of workers) {
      w.addEventListener('message', (e) => {
        if (e.data.type === 'error' && waiting > 0) {
          // Not loaded (offline, say): say so now rather than when Find is pressed.
          waiting = 0;
          delete this.app.root.dataset.searchLoading;
          if (!this.search) this.el.fuzzStatus.textContent = `The counterexample search could not be loaded: ${e.data.message}`;
          return;
        }
        if (e.data.type !== 'ready' || --waiting > 0) return;
        delete this.app.root.dataset.searchLoading;
        if (this.el.fuzzStatus.textContent === loading) this.el.fuzzStatus.textContent = '';
      });
    }
    return workers;
  }

  /**
   * A search replaces the run with its finding: ask first when the run has actions of the
   * person's in it (anything beyond its settings and the time that passed).
   */
  askFind(bug) {
    const acts = actionsIn(this.app.model.recorded());
    if (acts === 0) {
      this.find(bug);
      return;
    }
    this.el.confirm.querySelector('[data-fuzz-confirm-text]').textContent =
      `The counterexample replaces the current run, with its ${acts} ${acts === 1 ? 'action' : 'actions'}. Share or export it first if you want to keep it.`;
    this.el.confirm.hidden = false;
    this.el.confirm.querySelector('button').focus();
  }

  /** Search seeds 1, 2, … (split between the workers) for the first that breaks Raft with `bug`. */
  find(bug) {
    this.cancel(true);
    const workers = this.pool || this.spawnPool();
    this.pool = null;
    const n = workers.length;
    const s = {
      bug, workers, t0: performance.now(), done: 0, best: null,
      last: Array(n).fill(0), finished: Array(n).fill(false),
    };
    this.search = s;
    // The search needs the processor more than the cluster needs to move; its finding replaces the run.
    this.app.setPaused(true);
    this.el.fuzz.disabled = true;
    this.el.cancel.disabled = false;
    this.el.progress.hidden = false;
    this.el.progress.value = 0;
    this.el.progress.max = MAX_SEEDS;
    this.el.fuzzResult.hidden = true;
    this.el.fuzzStatus.textContent = `Searching for a counterexample to Raft with bug ${bug}…`;
    this.app.root.dataset.fuzz = 'searching';
    workers.forEach((w, k) => {
      w.onmessage = (e) => this.onWorker(s, k, e.data);
      w.onerror = (e) => this.onWorker(s, k, { type: 'error', message: e.message || 'the search worker failed' });
      w.postMessage({ type: 'search', bug, from: k + 1, step: n, max: MAX_SEEDS });
    });
  }

  onWorker(s, k, msg) {
    if (this.search !== s) return;
    if (msg.type === 'progress') {
      s.done += 1;
      s.last[k] = msg.seed;
      this.el.progress.value = s.done;
      if (s.done % 10 === 0 && !s.best) this.el.fuzzStatus.textContent = `Searching: ${s.done} schedules tried…`;
    } else if (msg.type === 'found') {
      s.finished[k] = true;
      if (!s.best || msg.finding.seed < s.best.seed) {
        s.best = msg.finding;
        s.stop = msg.stop;
      }
      this.el.fuzzStatus.textContent = `Seed ${msg.finding.seed} breaks ${msg.finding.property}; shrinking done, checking earlier seeds…`;
    } else if (msg.type === 'done') {
      s.finished[k] = true;
    } else if (msg.type === 'error') {
      this.stop(`The search failed: ${msg.message}`);
      return;
    }
    const n = s.workers.length;
    // The lowest failing seed wins, so the answer does not depend on which worker was faster.
    if (s.best && s.finished.every((f, i) => f || s.last[i] + n > s.best.seed)) this.found(s);
    else if (!s.best && s.finished.every(Boolean)) this.stop(`No counterexample in ${MAX_SEEDS} schedules.`);
  }

  found(s) {
    const f = s.best;
    const tried = f.seed; // seeds 1..seed, the lowest failing one last
    this.stop(null);
    const stop = s.stop;
    if (!stop || stop.error) {
      this.el.fuzzStatus.textContent = `The finding could not be replayed: ${(stop && stop.error) || 'no answer from the search'}`;
      return;
    }
    this.app.clearError();
    const shown = headerForPage(stop, f);
    this.app.load(shown.text, { paused: true });
    const ms = performance.now() - s.t0;
    this.lastSearch = { bug: s.bug, ms, seed: f.seed, tried };
    this.app.root.dataset.fuzz = 'found';
    this.app.root.dataset.fuzzMs = String(Math.round(ms));
    this.app.root.dataset.fuzzSeed = String(f.seed);
    this.app.root.dataset.fuzzActions = String(f.shrunk_actions);
    this.el.fuzzStatus.textContent = `Found in ${(ms / 1000).toFixed(1)} s (seed ${f.seed}, ${tried} schedules tried). Replayed and paused at the violation.`;
    const detail = shown.detail;
    this.el.fuzzResult.replaceChildren(
      h('strong', {}, `${stop.property || f.property} violated at ${seconds(stop.at_ms)}`),
      `\n${detail}\n`,
      h('span', { class: 'rule' }, `Bug ${f.bug}: ${BUG_RULES[f.bug] || ''}. The schedule was shrunk from ${f.original_actions} to ${f.shrunk_actions} actions; it is in the Scenario panel, ready to share or to step through.`),
    );
    this.el.fuzzResult.hidden = false;
    this.el.fuzzResult.scrollIntoView({ block: 'nearest' });
  }

  stop(message) {
    const s = this.search;
    if (s) for (const w of s.workers) w.terminate();
    if (s) delete this.app.root.dataset.searchLoading;
    this.search = null;
    this.el.fuzz.disabled = false;
    this.el.cancel.disabled = true;
    this.el.progress.hidden = true;
    if (message != null) {
      this.el.fuzzStatus.textContent = message;
      this.app.root.dataset.fuzz = 'stopped';
    }
    const drawer = this.app.root.querySelector('[data-drawer="break"]');
    if (!this.pool && drawer && !drawer.hidden) this.pool = this.spawnPool();
  }

  cancel(quiet = false) {
    if (!this.search) return;
    const done = this.search.done;
    this.stop(quiet ? '' : `Cancelled after ${done} schedules.`);
  }
}
