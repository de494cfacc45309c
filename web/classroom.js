// The classroom: exercises whose goal the page checks live, and "Break Raft" (bug switches and
// counterexample search in a Web Worker). Like the rest of the page it never edits the model:
// exercises start as scenario text, bugs are `bug NAME` lines, a finding is replayed from its
// scenario text.

import { untilViolation, bugNames } from './pkg/raft_wasm.js';
import {
  allExercises, startText, handInFile, exerciseLink, readExerciseHash, exerciseIdOf,
} from './exercises.js';
import { h } from './dom.js';

/** What each deliberate bug breaks (SCENARIO.md, Bugs). */
export const BUG_RULES = {
  'vote-any-log': 'a voter grants its vote without the up-to-date check (§5.4.1)',
  'commit-old-terms': 'a leader commits entries of earlier terms by counting replicas (§5.4.2, Figure 8)',
  'forget-vote': 'the vote is not durable: a restarted server can vote twice in one term',
  'skip-prev-check': 'a follower appends entries without matching the previous index and term',
  'small-quorum': 'elections and commits count half of the cluster, rounded down, as a majority',
  'stale-read': 'a leader answers get from its own state without confirming it is still leader',
};

/** The search gives up after this many seeds (every bug shows up within a few hundred). */
export const MAX_SEEDS = 1000;

const squash = (s) => s.trim().replace(/\s+/g, ' ');
const seconds = (ms) => `${(ms / 1000).toFixed(ms < 10_000 ? 3 : 1)} s`;

export class Classroom {
  constructor(app) {
    this.app = app;
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
    for (const button of root.querySelectorAll('[data-drawer-toggle]')) {
      button.addEventListener('click', () => this.toggleDrawer(button.dataset.drawerToggle));
    }
    for (const button of root.querySelectorAll('[data-drawer-close]')) {
      button.addEventListener('click', () => this.toggleDrawer(button.closest('[data-drawer]').dataset.drawer, false));
    }
    this.el.select.addEventListener('change', () => {
      if (this.el.select.value) this.start(this.el.select.value);
      else this.leave(true);
    });
    const actions = {
      hint: () => this.showHint(),
      restart: () => this.active && this.start(this.active.ex.id),
      'hand-in-link': () => this.handInLink(),
      'hand-in-file': () => this.handInFile(),
      fuzz: () => this.find(this.el.fuzzBug.value),
      'fuzz-cancel': () => this.cancel(),
    };
    root.addEventListener('click', (e) => {
      const b = e.target.closest('[data-classroom]');
      if (b && !b.disabled && actions[b.dataset.classroom]) actions[b.dataset.classroom]();
    });
    this.el.switches.addEventListener('change', (e) => {
      const bug = e.target.dataset.bug;
      if (bug && e.target.checked) this.app.act([`bug ${bug}`]);
    });
  }

  toggleDrawer(name, open = null) {
    for (const d of this.app.root.querySelectorAll('[data-drawer]')) {
      const want = d.dataset.drawer === name ? (open ?? d.hidden) : false;
      d.hidden = !want;
      const toggle = this.app.root.querySelector(`[data-drawer-toggle="${d.dataset.drawer}"]`);
      if (toggle) toggle.setAttribute('aria-expanded', String(want));
      // Workers take a moment to load the simulator: start them when Break Raft opens, before
      // they are needed (not with every page: most visits never search).
      if (want && d.dataset.drawer === 'break' && !this.pool && !this.search) this.pool = this.spawnPool();
    }
  }

  // --- exercises ---------------------------------------------------------------------------------

  /** Load an exercise: play its setup, then check its goal while the student acts. */
  start(id, recorded = null) {
    const ex = this.byId.get(id);
    if (!ex) {
      this.app.showError(`There is no exercise "${id}". The exercises are: ${this.exercises.map((e) => e.id).join(', ')}.`);
      return false;
    }
    this.app.clearError();
    const text = recorded ?? startText(ex);
    if (!this.app.load(text, { paused: recorded != null || ex.startPaused, source: recorded != null ? 'link' : 'scenario' })) {
      this.leave(false);
      return false;
    }
    this.active = { ex, pg: this.app.model.pg, solved: false, solvedAt: null, heldSince: null, hints: 0, lastKey: null };
    if (recorded != null) this.solvedInRecording();
    this.el.select.value = id;
    this.toggleDrawer('exercises', true);
    this.renderExercise();
    this.check(this.app.model.snapshot());
    return true;
  }

  /** A handed-in link: solved if the page recorded the goal, passed, in it. */
  solvedInRecording() {
    const passed = new Set((this.app.model.snapshot().expectations || []).filter((x) => x.passed).map((x) => squash(x.text)));
    const a = this.active;
    if (a.ex.goal.every((g) => passed.has(squash(g)))) {
      a.solved = true;
      const hit = (this.app.model.snapshot().expectations || []).filter((x) => x.passed && squash(x.text) === squash(a.ex.goal[0]));
      a.solvedAt = this.app.model.snapshot().time_ms;
      if (hit.length) a.solvedLine = hit[hit.length - 1].line;
    }
  }

  leave(freshRun) {
    this.active = null;
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
    const all = results.length > 0 && results.every((r) => r.passed);
    if (!a.solved) {
      if (!all) a.heldSince = null;
      else if (a.heldSince == null) a.heldSince = snap.time_ms;
      if (all && snap.time_ms - a.heldSince >= a.ex.holdMs) this.solve(snap);
    }
    const sig = results.map((r) => `${r.passed}${r.undecided}${r.detail}`).join('|');
    if (sig !== a.goalSig) {
      a.goalSig = sig;
      this.el.goal.replaceChildren(...results.map((r) => {
        // Undecided: the linearizability checker ran out of its budget; not met, not refuted.
        const state = r.passed ? 'passed' : r.undecided ? 'undecided' : 'failed';
        const li = h('li', { class: state, 'data-goal-line': r.line, 'data-goal-state': state });
        li.append(`${r.passed ? '✓' : r.undecided ? '?' : '·'} `, h('code', {}, r.text), ` — ${r.detail}`);
        return li;
      }));
    }
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

  handInLink() {
    const a = this.active;
    if (!a) return;
    const link = exerciseLink(location.origin, location.pathname + location.search, a.ex.id, this.app.model.recorded());
    this.el.handInLink.textContent = link;
    this.el.handInLink.href = link;
    this.el.handIn.hidden = false;
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
  loadFromHash() {
    let parsed;
    try {
      parsed = readExerciseHash(location.hash);
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
    for (const [bug, input] of this.switchInputs) {
      input.checked = on.has(bug);
      input.disabled = on.has(bug);
      input.title = on.has(bug) ? 'On for the rest of this run (start a new run to switch it off)' : `Switch on bug ${bug} now`;
    }
  }

  // --- counterexample search ---------------------------------------------------------------------

  spawnPool() {
    const n = Math.max(1, Math.min(2, navigator.hardwareConcurrency || 2));
    return Array.from({ length: n }, () => new Worker(new URL('./fuzz-worker.js', import.meta.url), { type: 'module' }));
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
      if (!s.best || msg.finding.seed < s.best.seed) s.best = msg.finding;
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
    let stop;
    try {
      stop = untilViolation(f.scenario);
    } catch (err) {
      this.el.fuzzStatus.textContent = `The finding could not be replayed: ${err.message || err}`;
      return;
    }
    this.app.clearError();
    this.app.load(stop.scenario, { paused: true });
    const ms = performance.now() - s.t0;
    this.lastSearch = { bug: s.bug, ms, seed: f.seed, tried };
    this.app.root.dataset.fuzz = 'found';
    this.app.root.dataset.fuzzMs = String(Math.round(ms));
    this.el.fuzzStatus.textContent = `Found in ${(ms / 1000).toFixed(1)} s (seed ${f.seed}, ${tried} schedules tried). Replayed and paused at the violation.`;
    const detail = stop.detail || f.detail;
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
