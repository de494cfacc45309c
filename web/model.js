// The model: the Rust simulator behind one handle (web/pkg, built by scripts/build-wasm.sh).
// This file only moves time and hands lines over; it never changes the run itself.

/** At most this much simulated time passes in one frame, whatever the speed and frame gap. */
export const MAX_STEP_MS = 100;
/** A Step with nothing scheduled advances this much. */
export const IDLE_STEP_MS = 10;
/** A Step never jumps further than this. */
export const STEP_LIMIT_MS = 1000;

export class Model {
  /** `Playground` is the class exported by the wasm module (or a stand-in with the same API). */
  constructor(Playground) {
    this.Playground = Playground;
    this.pg = null;
    this.carryMs = 0; // fraction of a simulated millisecond not yet handed to the simulator
    this.snap = null;
    this.held = null; // the last snapshot rebuilt from a frame (its lists are the next one's base)
  }

  /** Start a new run from scenario text (replayed to its end). Throws on an invalid scenario. */
  load(text) {
    const pg = new this.Playground(text);
    if (this.pg && this.pg.free) this.pg.free();
    this.pg = pg;
    this.carryMs = 0;
    this.snap = null;
    this.held = null;
  }

  /** Apply one scenario line now, recording it. Throws Error(message) on a bad line. */
  act(line) {
    this.pg.act(line);
    this.snap = null;
  }

  /** Let `realMs` of wall-clock time pass at `speed` times real time. */
  tick(realMs, speed) {
    const want = realMs * speed + this.carryMs;
    let whole = Math.floor(want);
    // (A run in a worker, your-node/runtime.js, is not drawn in the same frame: it may go further.)
    const max = this.pg.maxStepMs || MAX_STEP_MS;
    if (whole > max) {
      whole = max;
      this.carryMs = 0;
    } else {
      this.carryMs = want - whole;
    }
    if (whole > 0) this.advance(whole);
  }

  advance(ms) {
    this.pg.advance(ms);
    this.snap = null;
  }

  /** Advance to the next scheduled thing (a delivery or a timer), or a little when idle. */
  step() {
    this.carryMs = 0;
    if (typeof this.pg.step === 'function') {
      // The simulator knows its own queue best.
      this.pg.step(STEP_LIMIT_MS);
      this.snap = null;
      return;
    }
    const gap = nextEventIn(this.snapshot());
    this.advance(gap == null ? IDLE_STEP_MS : Math.min(Math.max(1, gap), STEP_LIMIT_MS));
  }

  /** The snapshot of this instant, computed once however often it is asked for. */
  snapshot() {
    if (this.snap) return this.snap;
    if (typeof this.pg.frame === 'function') {
      // Only what changed since the snapshot we hold crosses from the module (its lists as
      // references to ours): rebuilt here into the whole snapshot.
      const held = this.held;
      this.snap = patchFrame(this.pg.frame(held ? held.frame : -1), held);
      this.held = this.snap;
    } else {
      this.snap = this.pg.snapshot();
    }
    return this.snap;
  }

  recorded() {
    return this.pg.recorded();
  }

  traceHash() {
    const snap = this.snapshot();
    return snap.trace_hash || this.pg.traceHash();
  }
}

/** The lists of a snapshot a frame may write as changes (crates/raft-wasm/src/frame.rs). */
const FRAME_LISTS = ['messages', 'history', 'events', 'happened'];

/**
 * The whole snapshot from `frame`, the module's answer to `frame(held.frame)`: a list given as
 * changes is a sequence of runs `[start, count]` of `held`'s list and new items (objects). A
 * frame that does not refer to `held` (the module writes its lists whole then) is the
 * snapshot as it is. Items kept are the same objects as in `held`; snapshots are read, never
 * changed. The result keeps `frame`, the number to name when asking for the next one.
 */
export function patchFrame(frame, held) {
  if (!held) return frame;
  for (const f of FRAME_LISTS) frame[f] = patchList(frame[f], held[f]);
  const before = new Map(held.nodes.map((n) => [n.id, n]));
  for (const n of frame.nodes) {
    const old = before.get(n.id);
    if (old) n.log = patchList(n.log, old.log);
  }
  return frame;
}

function patchList(segments, old) {
  const out = [];
  for (const s of segments) {
    if (Array.isArray(s)) {
      for (let i = s[0], end = s[0] + s[1]; i < end; i++) out.push(old[i]);
    } else {
      out.push(s);
    }
  }
  return out;
}

/** Milliseconds from the snapshot's instant to the next delivery or timer deadline, or null. */
export function nextEventIn(snap) {
  const now = snap.time_ms;
  let next = Infinity;
  for (const m of snap.messages) {
    if (m.dropped_ms == null && m.deliver_ms > now) next = Math.min(next, m.deliver_ms);
  }
  for (const n of snap.nodes) {
    const t = n.timer;
    if (n.running && t && t.kind && t.deadline_ms > now) next = Math.min(next, t.deadline_ms);
  }
  return Number.isFinite(next) ? next - now : null;
}
