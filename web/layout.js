// Where each server is drawn. Servers live on a ring at home; a person may drag them away,
// and the islands they form become the network partition. This is view state only: the model
// learns about it through a `partition`/`heal` line, and a partition that comes from the model
// (a share link, a loaded scenario) moves the servers to match it.

import {
  VIEW, serverHome, serverRadius, islandThreshold, joinDistance, minimumGap, clampToBox, distance, islands, settle,
  partitionText, sortGroups, layoutPartition,
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

  /** Use another coordinate box (the phone's or the wide one): every server goes home. */
  setBox(box) {
    if (box.width === this.box.width && box.height === this.box.height) return;
    this.box = box;
    this.moved.clear();
    this.dragging = null;
    this.lastPartition = '';
  }

  /**
   * Drop a dragged server. One dropped near its home snaps back there; one dropped near a
   * server that stands away from home (an island of its own) joins it, pulled to its side.
   */
  drop(id) {
    let p = this.moved.get(id);
    this.dragging = null;
    if (!p) return;
    if (distance(p, this.home(id)) < this.radius()) {
      this.moved.delete(id);
      return;
    }
    const near = islandThreshold(this.count);
    const away = this.ids.filter((o) => o !== id && this.moved.has(o));
    const closest = (list) => list.reduce((best, o) => {
      const d = distance(p, this.pos(o));
      return !best || d < best.d ? { o, d } : best;
    }, null);
    const all = closest(this.ids.filter((o) => o !== id));
    const islandMate = closest(away);
    // Joining an island away from home, unless the ring is closer and within reach.
    if (islandMate && islandMate.d >= near && islandMate.d < joinDistance(this.count) && (!all || all.o === islandMate.o || all.d >= near)) {
      const q = this.pos(islandMate.o);
      const d = Math.max(1e-6, islandMate.d);
      const gap = minimumGap(this.count);
      p = clampToBox({ x: q.x + ((p.x - q.x) / d) * gap, y: q.y + ((p.y - q.y) / d) * gap }, this.radius(), this.box);
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
  reconcile(groups) {
    if (this.dragging) return;
    const want = partitionText(groups);
    const was = this.lastPartition;
    this.lastPartition = want;
    if (want === '' && was !== '') {
      this.goHome();
      return;
    }
    if (want === this.partition()) return;
    this.moved = layoutPartition(sortGroups(groups), this.count, this.box);
  }
}
