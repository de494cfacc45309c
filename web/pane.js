// The pane adapter: one run's drawing, the same in the page and in every figure. It owns where
// the servers stand (Layout) and the SVG (ClusterView), draws a snapshot, stamps the root's
// data-* facts, and is what the drawing's input acts on: a click, a key or a menu item on a
// server, a click on a link and a drop after a drag all look their action up in the action table
// (actions.js) and perform it here. The shell around it (the page's App, a figure) says how its
// lines are recorded and applied (`act`), when to redraw and where to announce.

import { Layout } from './layout.js';
import { ClusterView } from './cluster-view.js';
import { ACTION_BY_ID, actionForKey, perform } from './actions.js';
import { partitionText, sortGroups } from './geometry.js';
import { wireCluster } from './input.js';

export class ClusterPane {
  /**
   * `svg`: the drawing ([data-cluster]); `model`: its Model; `shell`: { act(lines) → bool,
   * requestRender(), announce(text) }.
   */
  constructor(svg, model, shell) {
    this.svg = svg;
    this.model = model;
    this.shell = shell;
    this.layout = new Layout();
    this.view = new ClusterView(svg, this.layout);
    this.menu = null; // set by wireServerMenu where the shell has one
    this.keyIslands = null;
    wireCluster(svg, this);
  }

  snapshot() {
    return this.model.snapshot();
  }

  /** A new run starts: servers go home. */
  reset() {
    this.layout.setCount(0);
    this.keyIslands = null;
  }

  /** Draw `snap`: the servers follow its partition unless one is being dragged. */
  draw(snap) {
    this.layout.setCount(snap.nodes.length, snap.nodes.map((n) => n.id));
    this.layout.reconcile(snap.partition_groups || []);
    this.view.render(snap);
  }

  /** The facts every run's root carries (PAGE.md): time, partition, safety. */
  static stamp(dataset, snap) {
    dataset.time = String(Math.floor(snap.time_ms));
    dataset.partition = snap.partition || '';
    dataset.safe = String(snap.safe !== false);
  }

  // --- what the drawing's input calls -----------------------------------------------------------

  act(lines) {
    return this.shell.act(lines);
  }

  requestRender() {
    this.shell.requestRender();
  }

  /** Action `id` of the table on server `id` (a click is 'toggle'); extra goes into ctx. */
  onServer(actionId, id, extra = {}) {
    return perform(this, ACTION_BY_ID.get(actionId), { snap: this.snapshot(), id, ...extra });
  }

  /** A key on a focused server; true if the table has an action for it that applies. */
  serverKey(name, id, extra = {}) {
    const ctx = { snap: this.snapshot(), id, ...extra };
    const action = actionForKey('server', name, ctx);
    if (!action) return false;
    perform(this, action, ctx);
    return true;
  }

  /** A click on the link between a and b (a before b, as the drawing orders them). */
  onLink(a, b) {
    return perform(this, ACTION_BY_ID.get('link'), { snap: this.snapshot(), ends: [a, b] });
  }

  /** After a drop: make the network match the islands on the drawing. */
  onDrop() {
    return perform(this, ACTION_BY_ID.get('drop'), { want: this.layout.partition(), have: this.snapshot().partition || '' });
  }

  openMenu(id) {
    if (this.menu) this.menu.open(id);
  }

  /**
   * The keyboard's islands: island `n` (1 is the main one, the largest group) gets server `id`,
   * as if it had been dragged there. The numbers stay put while the keyboard splits the
   * cluster; a partition made some other way is numbered afresh (largest group first).
   */
  moveToIsland(id, n) {
    const snap = this.snapshot();
    if (!snap.nodes.some((x) => x.id === id)) return;
    const groups = this.islandGroups(snap).map((g) => g.filter((x) => x !== id));
    while (groups.length < n) groups.push([]);
    groups[n - 1].push(id);
    this.keyIslands = groups;
    const text = partitionText(groups.filter((g) => g.length));
    const ok = this.act([text ? `partition ${text}` : 'heal']);
    if (!ok) return;
    const mates = groups[n - 1].filter((x) => x !== id);
    this.shell.announce(`${id} is on island ${n}${mates.length ? ` with ${mates.join(', ')}` : ', alone'}. ${text ? `Network: ${text}.` : 'Everyone can talk again.'}`);
    const el = this.svg.querySelector(`[data-node="${id}"]`);
    if (el) el.focus();
  }

  /** The current groups, numbered as islands 1, 2, … (see moveToIsland). */
  islandGroups(snap) {
    const groups = snap.partition_groups || [];
    const kept = this.keyIslands;
    if (kept && partitionText(kept.filter((g) => g.length)) === partitionText(groups)
      && kept.flat().length === snap.nodes.length) {
      return kept.map((g) => [...g]);
    }
    if (groups.length < 2) return [snap.nodes.map((x) => x.id)];
    const sorted = sortGroups(groups);
    const main = sorted.reduce((best, g) => (g.length > best.length ? g : best), sorted[0]);
    return [main, ...sorted.filter((g) => g !== main)];
  }
}
