// The "Your node" drawer: a code editor (CodeMirror 6) for a server written in JavaScript
// (NODE-API.md), the three starting points, and Run / Built-in Raft. This module and everything
// it imports load when the drawer is first opened (main.js imports it then), so the first load
// of the playground does not carry the editor.
//
// Like the rest of the page it never edits the model: Run builds scenario text and hands it to
// `app.load` (or, in a JavaScript exercise, to `classroom.start`). The code is kept in
// localStorage as it is typed, one slot per source: the person's own code, each exercise's,
// and the code of the last run opened from a link; the text a starter replaced is kept too.

import { EditorState, StateEffect, StateField } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, highlightSpecialChars,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import {
  HighlightStyle, syntaxHighlighting, bracketMatching, indentOnInput, ensureSyntaxTree, indentUnit, LanguageSupport,
} from '@codemirror/language';
import { javascriptLanguage } from '@codemirror/lang-javascript';
import { linter, lintGutter, forceLinting } from '@codemirror/lint';
import { tags } from '@lezer/highlight';
import skeleton from './starters/skeleton.js?raw';
import naive from './starters/naive.js?raw';
import raft from './starters/raft.js?raw';
import {
  extractCode, replaceCode, removeCode, baseScenario, isJsSetup, protocolOf,
} from './code-block.js';
import { moduleProblem } from './check.js';
// The drawer's styles come as text and go in with the editor: a CSS file beside a lazy chunk
// would make the page's first load carry Vite's preloading helper.
import css from './drawer.css?inline';

export const STARTERS = [
  { id: 'skeleton', label: 'Skeleton', title: 'An empty server that answers every client "not leader"', text: skeleton },
  { id: 'naive', label: 'Naive replicator', title: 'Every server accepts writes and copies them: the checker catches it in a split', text: naive },
  { id: 'raft', label: 'Teaching Raft', title: 'A complete Raft, short and commented with the paper\'s sections', text: raft },
];

/** localStorage keys: the person's own code, one per exercise, a link's, the replaced text. */
const KEY = 'raft-playground:your-node:';
export const storageKey = (source) => KEY + source;

/** Wait this long after the last keystroke before checking the syntax again (ms). */
const LINT_DELAY_MS = 250;

function load(source) {
  try {
    return localStorage.getItem(storageKey(source));
  } catch {
    return null; // storage switched off: the code lives as long as the page
  }
}

function save(source, text) {
  try {
    localStorage.setItem(storageKey(source), text);
    return true;
  } catch {
    return false;
  }
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...children);
  return e;
}

// --- the editor's parts ------------------------------------------------------------------------

/** A runtime error reported by the runner (`yournode-error`), kept at its line as the text changes. */
const setRuntimeError = StateEffect.define();
const runtimeError = StateField.define({
  create: () => null,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setRuntimeError)) return e.value;
    if (!value || !tr.docChanged) return value;
    return { ...value, from: tr.changes.mapPos(value.from, 1), to: tr.changes.mapPos(value.to, 1) };
  },
});

/** Colours from the page's palette (style.css), so that light and dark both read well. */
const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.moduleKeyword, tags.definitionKeyword, tags.operatorKeyword], color: 'var(--yn-keyword)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--yn-string)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--yn-number)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--yn-comment)', fontStyle: 'italic' },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName)], color: 'var(--yn-function)' },
  { tag: [tags.definition(tags.variableName), tags.definition(tags.propertyName)], color: 'var(--yn-definition)' },
  { tag: tags.invalid, color: 'var(--danger)' },
]);

export class YourNode {
  constructor(app, drawer) {
    this.app = app;
    this.drawer = drawer;
    this.source = 'mine'; // 'mine' | 'run' | `exercise:${id}`
    this.problem = null;
    this.build();
    this.view = new EditorView({ parent: this.editorBox, state: this.stateFor(this.textOf('mine')) });
    this.drawer.dataset.editor = 'ready';
    this.drawer.dataset.nodeSaved = 'true';
    this.saved.textContent = 'Saved in this browser as you type.';
    this.status.textContent = '';
    this.status.hidden = true;
    this.follow(true);
    this.app.root.addEventListener('playground-load', () => queueMicrotask(() => this.follow(false)));
    this.app.root.addEventListener('yournode-error', (e) => this.runtimeError(e.detail));
    if (this.app.nodeError) this.runtimeError(this.app.nodeError);
  }

  // --- building --------------------------------------------------------------------------------

  build() {
    const d = this.drawer;
    this.status = d.querySelector('[data-your-node-status]');
    const intro = el('p', { class: 'hint' },
      'Write a server in JavaScript: the simulator runs it like the built-in Raft, with the same faults, drawing and checkers. ',
      'Its four handlers and ', el('code', {}, 'ctx'), ' are in the skeleton; the full contract is NODE-API.md. ',
      'In the editor, Ctrl+Enter runs the code, Tab moves on to the next control and Escape closes the drawer.');
    this.sources = el('div', { class: 'yn-sources row buttons', role: 'group', 'aria-label': 'Whose code the editor shows' });
    this.mineButton = el('button', { type: 'button', 'data-node-source': 'mine', 'aria-pressed': 'true', title: 'Your own code, kept in this browser' }, 'My code');
    this.runButton = el('button', { type: 'button', 'data-node-source': 'run', 'aria-pressed': 'false', hidden: true, title: 'The code the running scenario carries (from a share link or a file)' }, "This run's code");
    this.exerciseButton = el('button', { type: 'button', 'data-node-source': 'exercise', 'aria-pressed': 'false', hidden: true }, 'Exercise code');
    this.sources.append(this.mineButton, this.runButton, this.exerciseButton);
    this.sources.addEventListener('click', (e) => {
      const b = e.target.closest('[data-node-source]');
      if (!b) return;
      const want = b.dataset.nodeSource === 'exercise' ? this.exerciseSource() : b.dataset.nodeSource;
      if (want) this.show(want);
    });

    const starters = el('div', { class: 'row buttons yn-starters', role: 'group', 'aria-labelledby': 'yn-starters-label' });
    starters.append(el('span', { id: 'yn-starters-label', class: 'yn-label' }, 'Start from'));
    for (const s of STARTERS) {
      const b = el('button', { type: 'button', 'data-starter': s.id, title: s.title }, s.label);
      b.addEventListener('click', () => this.loadStarter(s));
      starters.append(b);
    }
    this.restore = el('div', { class: 'yn-restore', 'data-node-restore': true, hidden: true });
    this.restoreText = el('p', { role: 'status' });
    const restoreButton = el('button', { type: 'button', 'data-action': 'restore-node-code' }, 'Bring it back');
    restoreButton.addEventListener('click', () => this.bringBack());
    this.restore.append(this.restoreText, restoreButton);

    this.editorBox = el('div', { class: 'yn-editor', 'data-node-editor': true });
    this.problems = el('p', { class: 'yn-problems', 'data-node-problems': true, role: 'status', 'aria-live': 'polite' });
    this.errorBox = el('div', { class: 'yn-error', 'data-node-error': true, role: 'alert', hidden: true });

    const actions = el('div', { class: 'row buttons yn-actions' });
    this.runNode = el('button', { type: 'button', class: 'primary', 'data-action': 'run-node', 'aria-pressed': 'false', title: 'Restart the cluster with this code (its server count and seed stay)' }, 'Run your code');
    this.builtin = el('button', { type: 'button', 'data-action': 'use-builtin', 'aria-pressed': 'false', title: 'Restart the cluster with the built-in Raft; your code stays here' }, 'Built-in Raft');
    this.runNode.addEventListener('click', () => this.run());
    this.builtin.addEventListener('click', () => this.useBuiltin());
    actions.append(this.runNode, this.builtin);
    this.running = el('p', { class: 'hint yn-running', 'data-node-running-note': true });
    this.saved = el('p', { class: 'hint yn-saved', 'data-node-saved-note': true });

    d.append(intro, this.sources, starters, this.restore, this.editorBox, this.problems, this.errorBox, actions, this.running, this.saved);
    this.updateRestore();
  }

  stateFor(text) {
    return EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        indentUnit.of('  '),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(highlight),
        new LanguageSupport(javascriptLanguage), // the grammar alone: no completion to pull in
        runtimeError,
        lintGutter(),
        linter((view) => this.diagnostics(view), {
          delay: LINT_DELAY_MS,
          // A runtime error arrived (or went): check again though the text did not change.
          needsRefresh: (u) => u.startState.field(runtimeError) !== u.state.field(runtimeError),
        }),
        // Ctrl+Enter (Cmd+Enter) runs the code from the editor, as in most code playgrounds.
        keymap.of([{ key: 'Mod-Enter', run: () => { this.run(); return true; } }, ...defaultKeymap, ...historyKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': 'Code of your node', tabindex: '0' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) this.changed(u.transactions.some((t) => t.isUserEvent('input') || t.isUserEvent('delete') || t.isUserEvent('undo') || t.isUserEvent('redo') || t.isUserEvent('input.starter')));
        }),
      ],
    });
  }

  // --- the text and where it is kept ------------------------------------------------------------

  text() {
    return this.view.state.doc.toString();
  }

  /** The saved text of a source, or what it starts from. */
  textOf(source) {
    const kept = load(source);
    if (kept != null) return kept;
    if (source === 'mine') return skeleton;
    const ex = this.exerciseOf(source);
    if (ex) return extractCode(ex.setup) ?? '';
    return '';
  }

  /** Saved as it is typed: every change goes to the source's slot at once. */
  changed() {
    const ok = save(this.source, this.text());
    this.drawer.dataset.nodeSaved = String(ok);
    this.saved.textContent = ok
      ? 'Saved in this browser as you type.'
      : 'This browser does not let the page keep it: copy your code somewhere before you leave.';
    if (this.errorBox.hidden === false && this.view.state.field(runtimeError) == null) this.errorBox.hidden = true;
    if (this.runState) this.renderRunning(this.runState.protocol, this.runState.code);
  }

  /** Show a source's code; the text on screen is already saved in its own slot. */
  show(source) {
    if (source === this.source && this.view) {
      this.view.focus();
      return;
    }
    this.source = source;
    this.view.setState(this.stateFor(this.textOf(source)));
    this.drawer.dataset.nodeCodeSource = source.replace(/:.*$/, '');
    for (const b of this.sources.querySelectorAll('[data-node-source]')) {
      const mine = b.dataset.nodeSource === 'exercise' ? source.startsWith('exercise:') : b.dataset.nodeSource === source;
      b.setAttribute('aria-pressed', String(mine));
    }
    this.errorBox.hidden = true;
    forceLinting(this.view);
  }

  /**
   * A starting point replaces the text as one change, so Undo brings the text back; the text
   * it replaced is also kept (a reload forgets Undo) and one button brings it back.
   */
  loadStarter(starter) {
    const before = this.text();
    if (before === starter.text) return;
    if (before.trim() && !STARTERS.some((s) => s.text === before)) {
      save('replaced', before);
      save('replaced-from', this.source);
    }
    this.view.dispatch({
      changes: { from: 0, to: this.view.state.doc.length, insert: starter.text },
      userEvent: 'input.starter',
      scrollIntoView: true,
      selection: { anchor: 0 },
    });
    this.updateRestore(`Loaded the ${starter.label.toLowerCase()}.`);
    this.view.focus();
  }

  updateRestore(lead = '') {
    const kept = load('replaced');
    this.restore.hidden = kept == null || kept === this.text();
    if (!this.restore.hidden) {
      const lines = kept.split('\n').length;
      this.restoreText.textContent = `${lead ? `${lead} ` : ''}The code it replaced (${lines} ${lines === 1 ? 'line' : 'lines'}) is kept: Undo (Ctrl+Z) or`;
    }
  }

  bringBack() {
    const kept = load('replaced');
    if (kept == null) return;
    const now = this.text();
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: kept }, userEvent: 'input.starter' });
    // The text it replaces is kept in turn, so that nothing is ever one click from lost.
    if (now.trim() && !STARTERS.some((s) => s.text === now)) save('replaced', now);
    this.updateRestore();
    this.view.focus();
  }

  // --- exercises and the running scenario -------------------------------------------------------

  /** The active exercise, when it runs a JavaScript node. */
  jsExercise() {
    const a = this.app.classroom && this.app.classroom.active;
    return a && isJsSetup(a.ex.setup) ? a.ex : null;
  }

  exerciseSource() {
    const ex = this.jsExercise();
    return ex ? `exercise:${ex.id}` : null;
  }

  exerciseOf(source) {
    if (!source.startsWith('exercise:')) return null;
    const id = source.slice('exercise:'.length);
    const cls = this.app.classroom;
    return cls && cls.byId ? cls.byId.get(id) || null : null;
  }

  /**
   * A run was loaded (or the drawer opened): show what belongs to it. A JavaScript exercise
   * shows its code (the person's saved attempt, else its starting code); a run whose code is
   * not the person's (a share link, say) shows that code, with "My code" one click away.
   */
  follow(opening) {
    const recorded = this.app.model.pg ? this.app.model.recorded() : '';
    const protocol = protocolOf(recorded);
    const code = protocol === 'js' ? extractCode(recorded) : null;
    this.drawer.dataset.nodeRunning = protocol;
    const exSource = this.exerciseSource();
    this.exerciseButton.hidden = !exSource;
    if (exSource) {
      const ex = this.jsExercise();
      this.exerciseButton.textContent = `Exercise: ${ex.title}`;
    }
    let want = opening ? this.source : null;
    if (exSource) want = exSource;
    else if (code != null && code !== this.textOf(this.source)) {
      if (code === this.textOf('mine')) want = 'mine';
      else {
        // Another person's code: kept in its own slot (the text it replaces there, too).
        const had = load('run');
        if (had != null && had !== code && had.trim()) save('replaced', had);
        save('run', code);
        want = 'run';
        if (this.source === 'run') this.source = null; // reload the slot
      }
    } else if (!exSource && this.source.startsWith('exercise:')) want = 'mine';
    this.runButton.hidden = load('run') == null;
    // One source only (no link's code, no exercise): nothing to choose between.
    this.sources.hidden = this.runButton.hidden && this.exerciseButton.hidden;
    if (want && want !== this.source) this.show(want);
    else if (opening) {
      this.drawer.dataset.nodeCodeSource = this.source.replace(/:.*$/, '');
      forceLinting(this.view);
    }
    this.runState = { protocol, code };
    this.renderRunning(protocol, code);
    this.updateRestore();
  }

  renderRunning(protocol, code) {
    const s = this.app.model.pg ? this.app.model.snapshot().settings : null;
    const where = s ? ` (${s.nodes} servers, seed ${s.seed})` : '';
    const mineRunning = protocol === 'js' && code === this.text();
    this.runNode.setAttribute('aria-pressed', String(protocol === 'js'));
    this.builtin.setAttribute('aria-pressed', String(protocol === 'raft'));
    let text;
    if (protocol === 'js') text = mineRunning ? `Running this code${where}.` : `Running JavaScript code${where} that differs from the editor's: Run (Ctrl+Enter) to use the editor's.`;
    else if (protocol === 'raft') text = `Running the built-in Raft${where}.`;
    else text = `Running the ${protocol} protocol${where}.`;
    this.running.textContent = text;
  }

  // --- running ----------------------------------------------------------------------------------

  settings() {
    const s = this.app.model.snapshot().settings;
    return { nodes: s.nodes, seed: s.seed };
  }

  /** Run / Restart: refused before anything runs when the module does not parse. */
  run() {
    const code = this.text();
    const problem = moduleProblem(code);
    if (problem) {
      this.showProblem(problem, true);
      return false;
    }
    this.view.dispatch({ effects: setRuntimeError.of(null) });
    this.errorBox.hidden = true;
    this.app.clearError();
    const ex = this.jsExercise();
    let ok;
    if (ex && this.source === `exercise:${ex.id}`) {
      ok = this.app.classroom.start(ex.id, `# exercise: ${ex.id}\n${replaceCode(ex.setup, code)}`, 'scenario');
      // The run loads in its worker first: once it is there (and the exercise has begun), it
      // plays; and since beginning an exercise opens its drawer while the person is writing
      // code, back to the editor (the goal's state stays in the top bar's badge).
      Promise.resolve(ok).then((done) => {
        if (!done) return;
        if (!ex.startPaused) this.app.setPaused(false);
        if (this.drawer.hidden) {
          this.app.drawers.toggle('your-node', true);
          this.runNode.focus();
        }
      });
    } else {
      // A run stopped by the node's error is paused by it, not by the person: Run runs.
      const paused = this.app.paused && !this.app.root.dataset.nodeError;
      ok = this.app.load(baseScenario(this.settings(), code), { paused });
    }
    this.follow(false);
    return ok;
  }

  /** The same cluster with the built-in Raft (in an exercise: its story, not graded). */
  useBuiltin() {
    const ex = this.jsExercise();
    const text = ex ? removeCode(ex.setup) : baseScenario(this.settings());
    this.app.clearError();
    const ok = this.app.load(text, { paused: this.app.paused });
    this.follow(false);
    return ok;
  }

  // --- problems ---------------------------------------------------------------------------------

  /** The module's first problem, in words, next to the editor (and the cursor on it when asked). */
  showProblem(problem, focus = false) {
    this.problem = problem;
    this.problems.textContent = problem
      ? `Line ${problem.line}, column ${problem.column}: ${problem.message}.`
      : 'No syntax errors.';
    this.problems.classList.toggle('bad', !!problem);
    if (problem && focus) {
      const at = Math.min(problem.from, this.view.state.doc.length);
      this.view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      this.view.focus();
      forceLinting(this.view);
    }
    this.updateState();
  }

  updateState() {
    const rt = this.view && this.view.state.field(runtimeError);
    this.drawer.dataset.nodeCodeState = this.problem ? 'syntax-error' : rt ? 'runtime-error' : 'ok';
  }

  /**
   * What the lint shows in place: the real parser's error with its message, Lezer's error nodes
   * (every place the highlighter could not read), and a runtime error at its line.
   */
  diagnostics(view) {
    const state = view.state;
    const code = state.doc.toString();
    const out = [];
    const problem = moduleProblem(code);
    const len = state.doc.length;
    const span = (from) => {
      const f = Math.max(0, Math.min(from, len));
      const line = state.doc.lineAt(f);
      return { from: f, to: f < line.to ? f + 1 : f };
    };
    let problemLine = -1;
    if (problem) {
      problemLine = state.doc.lineAt(Math.min(problem.from, len)).number;
      out.push({ ...span(problem.from), severity: 'error', source: 'parse', message: problem.message });
    }
    const tree = ensureSyntaxTree(state, len, 200);
    if (tree) {
      tree.iterate({
        enter: (node) => {
          if (!node.type.isError) return;
          const line = state.doc.lineAt(node.from).number;
          if (line === problemLine || out.length > 20) return;
          out.push({ from: node.from, to: Math.max(node.from, Math.min(node.to, len)), severity: 'error', source: 'syntax', message: 'The JavaScript grammar cannot read this.' });
        },
      });
    }
    const rt = state.field(runtimeError);
    if (rt) out.push({ from: rt.from, to: rt.to, severity: 'error', source: 'run', message: rt.message });
    this.showProblem(problem);
    return out;
  }

  /**
   * An error from the runner (`yournode-error` on the page's root): the line marked with the
   * message, and the details (server, event, simulated time) above the Run button.
   */
  runtimeError(detail) {
    if (!detail) return;
    const { kind, message, server, event, timeMs, line, column } = detail;
    const what = {
      syntax: 'The module could not be read',
      throw: `${server || 'A server'} threw while handling ${event || 'an event'}`,
      timeout: `${server || 'A server'} did not return within 1 s while handling ${event || 'an event'}`,
    }[kind] || 'Your node failed';
    const when = timeMs != null ? ` at ${timeMs} ms (simulated)` : '';
    const where = line ? `, line ${line}${column ? `, column ${column}` : ''}` : '';
    const text = `${what}${when}${where}: ${message || 'no message'}`;
    this.errorBox.textContent = text;
    this.errorBox.hidden = false;
    const doc = this.view.state.doc;
    let mark = null;
    if (line && line >= 1 && line <= doc.lines) {
      const l = doc.line(line);
      const from = Math.min(l.to, l.from + Math.max(0, (column || 1) - 1));
      mark = { from, to: from < l.to ? l.to : from, message: text };
    }
    this.view.dispatch({ effects: setRuntimeError.of(mark) });
    this.updateState();
    if (mark) this.drawer.dataset.nodeCodeState = 'runtime-error';
    forceLinting(this.view);
  }
}

/** Open the drawer's editor (once; later calls return the same one). */
export function attach(app) {
  if (app.yourNode) return app.yourNode;
  document.head.append(el('style', { 'data-your-node-style': true }, css));
  const drawer = app.root.querySelector('[data-your-node]');
  app.yourNode = new YourNode(app, drawer);
  return app.yourNode;
}

// main.js loads this file with a script element and calls this when it has run.
globalThis.raftYourNode = attach;
