// Where each server is drawn. Servers live on a ring at home; a person may drag them away,
// and the islands they form become the network partition. This is view state only: the model
// learns about it through a `partition`/`heal` line, and a partition that comes from the model
// (a share link, a loaded scenario) moves the servers to match it.

import {
  VIEW, serverHome, serverRadius, islandThreshold, clampToBox, distance, islands, settle,
  partitionText, parsePartition, canonicalPartition, layoutPartition,
} from './geometry.js';

export class Layout {
  constructor(box = VIEW) {
    this.box = box;
    this.count = 0;
    this.ids = [];
    this.moved = new Map(); // id → position, for servers away from home
    this.dragging = null; // id of the server being dragged
    this.lastPartition = '';
  }

  /**
   * Set the servers drawn: S1..S<count>, or `ids` when given (servers added at run time, S7
   * after S5 say, take the next places on the ring). A change puts every server back home.
   */
  setCount(count, ids = null) {
    const want = ids ? [...ids] : Array.from({ length: count }, (_, i) => `S${i + 1}`);
    if (count === this.count && want.join(' ') === this.ids.join(' ')) return;
    this.count = count;
    this.ids = want;
    this.moved.clear();
    this.dragging = null;
    this.lastPartition = '';
  }

  radius() {
    return serverRadius(this.count);
  }

  home(id) {
    const i = this.ids.indexOf(id);
    return serverHome(i < 0 ? 0 : i, this.count, this.box);
  }

  pos(id) {
    return this.moved.get(id) || this.home(id);
  }

  /** Move a server while it is dragged. */
  place(id, p) {
    this.moved.set(id, clampToBox(p, this.radius(), this.box));
  }

  /** Drop a dragged server; one dropped near its home snaps back there. */
  drop(id) {
    const p = this.moved.get(id);
    this.dragging = null;
    if (!p) return;
    if (distance(p, this.home(id)) < this.radius()) {
      this.moved.delete(id);
      return;
    }
    const others = this.ids.filter((o) => o !== id).map((o) => this.pos(o));
    this.moved.set(id, settle(p, others, this.count, this.box));
  }

  /** Every server back home. */
  goHome() {
    this.moved.clear();
  }

  /** The islands the servers form now. */
  groups() {
    return islands(this.ids, (id) => this.pos(id), (id) => this.home(id), islandThreshold(this.count));
  }

  /** The islands as partition text ("" for one island). */
  partition() {
    return partitionText(this.groups());
  }

  /**
   * Follow the model's partition: when it heals, everyone goes home; when it differs from what
   * the drawing shows (it came from a scenario, or a drop was refused), lay the groups out.
   */
  reconcile(modelPartition) {
    if (this.dragging) return;
    const want = canonicalPartition(modelPartition);
    const was = this.lastPartition;
    this.lastPartition = want;
    if (want === '' && was !== '') {
      this.goHome();
      return;
    }
    if (want === this.partition()) return;
    this.moved = layoutPartition(parsePartition(want), this.count, this.box);
  }
}
