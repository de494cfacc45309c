// The page's drawers (Exercises, Break Raft) and the bug badge: what the first load needs of the
// classroom. Opening a drawer works at once; what fills it (web/classroom.js, the exercises'
// text, the hand-in and grading, the bug switches, the counterexample search) is downloaded the
// first time a drawer opens, an `#ex=` link is opened or a hand-in file is imported. Until it is
// ready the root carries `data-classroom-loading` and the drawers say so; if the download fails
// they say that, and the next opening tries again.

/** What each deliberate bug breaks (SCENARIO.md, Bugs): the badge's tooltip and the switches. */
export const BUG_RULES = {
  'vote-any-log': 'a voter grants its vote without the up-to-date check (§5.4.1)',
  'commit-old-terms': 'a leader commits entries of earlier terms by counting replicas (§5.4.2, Figure 8)',
  'forget-vote': 'the vote is not durable: a restarted server can vote twice in one term',
  'skip-prev-check': 'a follower appends entries without matching the previous index and term',
  'small-quorum': 'elections and commits count half of the cluster, rounded down, as a majority',
  'stale-read': 'a leader answers get from its own state without confirming it is still leader',
  'read-index-any-term': 'a leader takes an answer to a heartbeat of its earlier term as confirming a read of this term (§6.4)',
  'lease-forget-leader': 'a follower that learns a new term from a response forgets its live leader and votes within its lease (§4.2.3)',
};

/** The drawers whose contents are the classroom's (other drawers open without loading it). */
export const CLASSROOM_DRAWERS = ['exercises', 'break'];
const CLASSROOM_SELECTOR = CLASSROOM_DRAWERS.map((d) => `[data-drawer="${d}"]`).join(', ');

/** The controls of `box` that Tab reaches, in order (visible and enabled ones only). */
export function focusables(box) {
  const sel = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])';
  return [...box.querySelectorAll(sel)].filter((e) => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length > 0 && !e.closest('[hidden]'));
}

export class Drawers {
  /** `app`: the page (root, svg); the classroom is attached to it once loaded (app.classroom). */
  constructor(app) {
    this.app = app;
    this.root = app.root;
    this.returnFocus = null;
    this.loading = null; // the classroom's download, once started
    this.badge = this.root.querySelector('[data-bug-badge]');
    for (const button of this.root.querySelectorAll('[data-drawer-toggle]')) {
      button.addEventListener('click', () => this.toggle(button.dataset.drawerToggle));
    }
    for (const button of this.root.querySelectorAll('[data-drawer-close]')) {
      button.addEventListener('click', () => this.toggle(button.closest('[data-drawer]').dataset.drawer, false));
    }
    this.wireKeys();
  }

  /**
   * The classroom, downloaded on first use (resolves to it; rejects when it cannot be loaded,
   * after saying so in the drawers). Its controls stay disabled until it is there, so that a
   * press is not lost while it loads.
   */
  classroom() {
    if (this.app.classroom) return Promise.resolve(this.app.classroom);
    if (this.loading) return this.loading;
    const root = this.root;
    const controls = [...root.querySelectorAll(`:is(${CLASSROOM_SELECTOR}) :is(button, select, input):not([data-drawer-close]):not(:disabled)`)];
    const notes = [...root.querySelectorAll(`:is(${CLASSROOM_SELECTOR}) [data-classroom-note]`)];
    const say = (text) => notes.forEach((n) => {
      n.textContent = text;
      n.hidden = !text;
    });
    controls.forEach((c) => (c.disabled = true));
    root.dataset.classroomLoading = 'true';
    delete root.dataset.classroomError;
    say('Loading the exercises and Break Raft…');
    this.loading = import('./classroom.js').then(({ Classroom }) => {
      controls.forEach((c) => (c.disabled = false));
      this.app.classroom = new Classroom(this.app, this);
      say('');
      delete root.dataset.classroomLoading;
      // Focus went to the close button while the rest was disabled: on to the first control.
      const drawer = [...root.querySelectorAll(CLASSROOM_SELECTOR)].find((d) => !d.hidden);
      if (drawer && document.activeElement && document.activeElement.matches('[data-drawer-close]') && drawer.contains(document.activeElement)) this.focusFirst(drawer);
      this.app.requestRender();
      return this.app.classroom;
    }, (err) => {
      this.loading = null;
      controls.forEach((c) => (c.disabled = false));
      delete root.dataset.classroomLoading;
      root.dataset.classroomError = 'true';
      say(`The exercises and Break Raft could not be loaded (${err && err.message ? err.message : err}). Check the connection and reload the page to try again.`);
      throw err;
    });
    return this.loading;
  }

  /** Open, close (open = false) or flip (open = null) the drawer `name`; the others close. */
  toggle(name, open = null) {
    const root = this.root;
    let opened = null;
    let closedOpen = false;
    for (const d of root.querySelectorAll('[data-drawer]')) {
      const want = d.dataset.drawer === name ? (open ?? d.hidden) : false;
      if (!want && !d.hidden) closedOpen = true;
      if (want && d.hidden) opened = d;
      d.hidden = !want;
      const toggle = root.querySelector(`[data-drawer-toggle="${d.dataset.drawer}"]`);
      if (toggle) toggle.setAttribute('aria-expanded', String(want));
    }
    const anyOpen = [...root.querySelectorAll('[data-drawer]')].some((d) => !d.hidden);
    root.classList.toggle('sheet-open', anyOpen);
    if (opened) {
      // Focus goes into the drawer (its first control), and comes back where it was on close.
      const from = document.activeElement;
      if (from && !opened.contains(from) && from !== document.body) this.returnFocus = from;
      else if (!this.returnFocus) this.returnFocus = root.querySelector(`[data-drawer-toggle="${name}"]`);
      // The classroom first (while it loads its controls are disabled), then the focus.
      const which = opened.dataset.drawer;
      if (!CLASSROOM_DRAWERS.includes(which)) {
        // Another drawer: nothing of the classroom's to load.
      } else if (this.app.classroom) {
        this.app.classroom.opened(which);
      } else {
        this.classroom().then((c) => !opened.hidden && c.opened(which), () => {});
      }
      this.focusFirst(opened);
      // A bottom sheet (narrow screens) covers the lower part of the page: bring the cluster up.
      if (window.matchMedia('(max-width: 1000px)').matches) this.app.svg.scrollIntoView({ block: 'start' });
    } else if (closedOpen && !anyOpen) {
      const back = this.returnFocus && this.returnFocus.isConnected ? this.returnFocus : root.querySelector(`[data-drawer-toggle="${name}"]`);
      this.returnFocus = null;
      if (back && (!document.activeElement || document.activeElement === document.body || document.activeElement.closest('[data-drawer]'))) back.focus();
    }
  }

  focusFirst(drawer) {
    const list = focusables(drawer);
    const first = list.find((e) => !e.matches('[data-drawer-close]')) || list[0];
    if (first) first.focus({ preventScroll: true });
  }

  /** Tab and Shift+Tab stay inside an open drawer; Escape closes it. */
  wireKeys() {
    for (const d of this.root.querySelectorAll('[data-drawer]')) {
      d.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          this.toggle(d.dataset.drawer, false);
        } else if (e.key === 'Tab') {
          const list = focusables(d);
          if (!list.length) return;
          const i = list.indexOf(document.activeElement);
          const next = e.shiftKey ? (i <= 0 ? list.length - 1 : i - 1) : (i < 0 || i === list.length - 1 ? 0 : i + 1);
          e.preventDefault();
          list[next].focus();
        }
      });
    }
  }

  /** The bug badge, seen from anywhere on the page: this run is not Raft as written. */
  renderBadge(snap) {
    const on = [...((snap.settings && snap.settings.bugs) || [])].sort();
    const sig = on.join(',');
    if (sig === this.bugSig) return;
    this.bugSig = sig;
    this.badge.hidden = on.length === 0;
    this.badge.textContent = on.length ? `bug on: ${sig.replace(/,/g, ', ')}` : '';
    this.badge.title = on.map((b) => `${b}: ${BUG_RULES[b] || ''}`).join('\n');
  }
}
