// Draws the cluster from a snapshot into the SVG, every frame. Rendering is keyed by id
// (enter, update, exit) in four layers drawn in a fixed order: partitions (links, islands,
// the clients), messages, servers, labels. Colour is never the only signal: roles have their
// own shapes and words, replies are hollow, lost messages are crossed out.

import {
  clientHome, messageFraction, messagePoint, arcPath, linkPairs,
} from './geometry.js';
import { linkState } from './actions.js';
import { svgEl } from './dom.js';

/** How far (user units) around a server's circle a press still lands on the server. */
const HIT_MARGIN = 14;

/** How long (simulated ms) a lost message stays visible as it dies. */
const DYING_MS = 240;

/** An SVG element, appended to `parent` if one is given. */
function make(tag, attrs = {}, parent = null) {
  const e = svgEl(tag, attrs);
  if (parent) parent.appendChild(e);
  return e;
}

/** Set attributes, touching the DOM only for values that changed. */
function set(e, attrs) {
  const cache = e.__attrs || (e.__attrs = {});
  // (for…in: no array of pairs made per call, and this runs for every element every frame)
  for (const k in attrs) {
    const v = attrs[k];
    const s = v == null ? null : String(v);
    if (cache[k] === s) continue;
    cache[k] = s;
    if (s == null) e.removeAttribute(k);
    else e.setAttribute(k, s);
  }
}

function setText(e, text) {
  if (e.__text !== text) {
    e.__text = text;
    e.textContent = text;
  }
}

/** Spare elements a layer keeps for reuse (see Keyed). */
const SPARE_MAX = 64;

/**
 * Keyed children of one layer: enter creates, update refreshes, exit removes. With `reuse`, a
 * removed child is kept (out of the document) and given to the next one that enters: for
 * children whose refresh sets every attribute that varies (the messages: dozens come and go
 * every second, each six elements to create).
 */
class Keyed {
  constructor(parent, create, reuse = false) {
    this.parent = parent;
    this.create = create;
    this.items = new Map();
    this.spare = reuse ? [] : null;
  }

  update(list, keyOf, refresh) {
    const seen = new Set();
    for (const item of list) {
      const key = keyOf(item);
      seen.add(key);
      let node = this.items.get(key);
      if (!node) {
        node = (this.spare && this.spare.pop()) || this.create(item);
        this.items.set(key, node);
        this.parent.appendChild(node.root);
      }
      refresh(node, item);
    }
    for (const [key, node] of this.items) {
      if (!seen.has(key)) {
        node.root.remove();
        this.items.delete(key);
        if (this.spare && this.spare.length < SPARE_MAX) this.spare.push(node);
      }
    }
  }
}

export function messageKindClass(kind) {
  if (kind.startsWith('PreVote')) return 'kind-prevote';
  if (kind.startsWith('RequestVote')) return 'kind-vote';
  if (kind.startsWith('AppendEntries')) return 'kind-append';
  if (kind.startsWith('InstallSnapshot')) return 'kind-snapshot';
  if (kind === 'TimeoutNow') return 'kind-timeout';
  return 'kind-client';
}

const ROLE_WORD = { follower: 'follower', 'pre-candidate': 'pre-candidate', candidate: 'candidate', leader: 'leader' };

/** What a server says about itself, for people who cannot see the drawing. */
export function serverName(n) {
  const more = '; M for more, 1 to 3 to move it to an island';
  // A plain server (it reports no Raft state) has no role or term worth saying.
  if (n.plain) return `${n.id}, ${n.running ? 'running' : 'crashed'} — press Enter to ${n.running ? 'crash' : 'restart'}${more}`;
  if (!n.running) return `${n.id}, crashed, term ${n.term} — press Enter to restart${more}`;
  const member = n.membership && n.membership !== 'member' ? ', not a member' : '';
  return `${n.id}, ${ROLE_WORD[n.role] || n.role}, term ${n.term}${member} — press Enter to crash${more}`;
}

export class ClusterView {
  constructor(svg, layout) {
    this.svg = svg;
    this.layout = layout;
    const layer = (name) => svg.querySelector(`.layer-${name}`);
    this.layers = {
      partitions: layer('partitions'),
      messages: layer('messages'),
      servers: layer('servers'),
      labels: layer('labels'),
    };
    for (const name of ['partitions', 'messages', 'labels']) this.layers[name].setAttribute('aria-hidden', 'true');

    this.islandsG = make('g', { class: 'islands' }, this.layers.partitions);
    this.linksG = make('g', { class: 'links' }, this.layers.partitions);
    this.clientG = this.makeClient(this.layers.partitions);

    this.islands = new Keyed(this.islandsG, () => {
      const root = make('g', { class: 'island' });
      return { root, rect: make('rect', { rx: 26 }, root), label: make('text', { class: 'island-label' }, root) };
    });
    this.links = new Keyed(this.linksG, (p) => this.makeLink(p));
    this.messages = new Keyed(this.layers.messages, () => this.makeMessage(), true);
    this.servers = new Keyed(this.layers.servers, (n) => this.makeServer(n));
    this.labels = new Keyed(this.layers.labels, () => {
      const root = make('g', { class: 'server-label' });
      return {
        root,
        term: make('text', { class: 'term-in' }, root),
        role: make('text', { class: 'role-word' }, root),
        extra: make('text', { class: 'extra-word' }, root),
      };
    });
  }

  makeClient(parent) {
    const p = clientHome(this.layout.box);
    const root = make('g', { class: 'clients', transform: `translate(${p.x} ${p.y})` }, parent);
    make('rect', { x: -44, y: -24, width: 88, height: 48, rx: 10 }, root);
    // A person: head and shoulders.
    make('circle', { cx: -24, cy: -5, r: 6, class: 'client-icon' }, root);
    make('path', { d: 'M -35 14 Q -24 -2 -13 14 Z', class: 'client-icon' }, root);
    const t = make('text', { x: 10, y: 5, class: 'client-word' }, root);
    t.textContent = 'clients';
    return root;
  }

  makeLink(p) {
    const root = make('g', { class: 'link', 'data-link': p.key });
    const wire = make('line', { class: 'wire' }, root);
    const mark = make('g', { class: 'cut-mark' }, root);
    make('circle', { r: 9 }, mark);
    make('path', { class: 'cut-x', d: 'M -4.5 -4.5 L 4.5 4.5 M 4.5 -4.5 L -4.5 4.5' }, mark);
    // One way: an arrow into a bar, "this direction stops here".
    const arrow = make('path', { class: 'cut-arrow', d: 'M -6 0 L 3 0 M -1 -4 L 3 0 L -1 4 M 5 -5 L 5 5' }, mark);
    const hit = make('line', { class: 'hit', 'data-link': p.key }, root);
    const title = make('title', {}, hit);
    return { root, wire, mark, arrow, hit, title };
  }

  makeMessage() {
    const root = make('g', { class: 'msg' });
    const spin = make('g', {}, root);
    const dot = make('circle', { r: 6, class: 'dot' }, spin);
    // InstallSnapshot is a square (a whole state machine on the wire), with a word beside it.
    const box = make('rect', { class: 'snap-box', x: -7, y: -7, width: 14, height: 14, rx: 2 }, spin);
    const arrow = make('path', { class: 'arrow', d: 'M 7 -4 L 12 0 L 7 4 Z' }, spin);
    const cross = make('path', { class: 'lost-x', d: 'M -7 -7 L 7 7 M 7 -7 L -7 7' }, root);
    const word = make('text', { class: 'msg-word', y: -11 }, root);
    return { root, spin, dot, box, arrow, cross, word };
  }

  makeServer(n) {
    const r = this.layout.radius();
    const root = make('g', { class: 'server', 'data-node': n.id, role: 'button', tabindex: 0 });
    const s = {
      root,
      r,
      // A ring around the circle that takes presses too: a tap a little off the circle (a
      // finger is wider than the circle's edge) acts on the server, not on a link under it.
      hit: make('circle', { class: 'server-hit', r: r + HIT_MARGIN }, root),
      focus: make('circle', { class: 'focus-ring', r: r + 15 }, root),
      timer: make('path', { class: 'timer' }, root),
      halo: make('circle', { class: 'halo', r: r + 6 }, root),
      body: make('circle', { class: 'body', r }, root),
      crown: make('path', { class: 'crown', d: crownPath(r) }, root),
      cross: make('path', { class: 'crash-x', d: crossPath(r) }, root),
      name: make('text', { class: 'name', y: -3 }, root),
    };
    return s;
  }

  /** Servers added at run time can shrink the radius of every server (8 and 9 are smaller). */
  resize(el, r) {
    if (el.r === r) return;
    el.r = r;
    set(el.hit, { r: r + HIT_MARGIN });
    set(el.focus, { r: r + 15 });
    set(el.halo, { r: r + 6 });
    set(el.body, { r });
    set(el.crown, { d: crownPath(r) });
    set(el.cross, { d: crossPath(r) });
  }

  /** Draw `snap` at the layout's current positions. */
  render(snap) {
    const layout = this.layout;
    const now = snap.time_ms;
    const ids = snap.nodes.map((n) => n.id);
    const byId = new Map(snap.nodes.map((n) => [n.id, n]));
    const r = layout.radius();
    const groups = snap.partition_groups || [];
    const groupOf = new Map();
    groups.forEach((g, i) => g.forEach((id) => groupOf.set(id, i)));
    const cuts = snap.cuts || [];

    // --- partitions: islands, links, clients -------------------------------------------------
    this.islands.update(groups.length > 1 ? groups : [], (g) => g.join(' '), (el, g) => {
      const ps = g.map((id) => layout.pos(id));
      const pad = r + 12;
      const x0 = Math.min(...ps.map((p) => p.x)) - pad;
      // Room above for a leader's crown and below for the role and vote words.
      const y0 = Math.min(...ps.map((p) => p.y)) - pad - 12;
      const x1 = Math.max(...ps.map((p) => p.x)) + pad;
      const y1 = Math.max(...ps.map((p) => p.y)) + pad + 22;
      set(el.rect, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
      // The label sits over the island, or under it when the island touches the top.
      const box = layout.box;
      const labelY = y0 - 6 >= 13 ? y0 - 6 : y1 + 14 <= box.height - 4 ? y1 + 14 : y0 + 14;
      set(el.label, { x: Math.max(4, x0 + 12), y: labelY });
      setText(el.label, `can talk: ${g.join(' ')}`);
    });

    // The links change only with the servers' places, the partition and the cuts: skip them in
    // the frames where none of those did (most frames of a running cluster).
    const linksKey = `${ids.map((id) => { const p = layout.pos(id); return `${id}@${p.x},${p.y}`; }).join(' ')}|${groups.map((g) => g.join(' ')).join('|')}|${JSON.stringify(cuts)}`;
    if (linksKey !== this.linksKey) this.links.update(linkPairs(ids), (p) => p.key, (el, p) => {
      const a = layout.pos(p.a);
      const b = layout.pos(p.b);
      const split = groups.length > 1 && groupOf.get(p.a) !== groupOf.get(p.b);
      const state = linkState(cuts, p.a, p.b);
      set(el.root, { class: `link state-${state.replace('>', '-')}${split ? ' split' : ''}` });
      for (const line of [el.wire, el.hit]) set(line, { x1: a.x, y1: a.y, x2: b.x, y2: b.y });
      const mx = (a.x + b.x) / 2;
      const my = (a.y + b.y) / 2;
      let angle = (Math.atan2(b.y - a.y, b.x - a.x) * 180) / Math.PI;
      if (state === 'b>a') angle += 180;
      set(el.mark, { transform: `translate(${mx.toFixed(1)} ${my.toFixed(1)})` });
      set(el.arrow, { transform: `rotate(${angle.toFixed(1)})` });
      const words = {
        open: `${p.a}–${p.b}: connected. Click to cut it.`,
        both: `${p.a}–${p.b}: cut both ways. Click to block ${p.a} → ${p.b} only.`,
        'a>b': `${p.a} → ${p.b} blocked (one way). Click to block ${p.b} → ${p.a} instead.`,
        'b>a': `${p.b} → ${p.a} blocked (one way). Click to reconnect.`,
      };
      setText(el.title, split ? `${p.a}–${p.b}: split by the partition` : words[state]);
    });
    this.linksKey = linksKey;

    // --- messages ------------------------------------------------------------------------------
    const client = clientHome(layout.box);
    set(this.clientG, { transform: `translate(${client.x} ${client.y})` });
    const where = (id) => (byId.has(id) ? layout.pos(id) : client);
    const live = snap.messages.filter((m) => m.dropped_ms == null || now - m.dropped_ms < DYING_MS);
    this.messages.update(live, (m) => m.id, (el, m) => {
      const from = where(m.from);
      const to = where(m.to);
      const rimFrom = byId.has(m.from) ? r : 20;
      const f = messageFraction(m, now);
      const p = messagePoint(from, to, f, rimFrom, 5);
      const heartbeat = !!m.heartbeat;
      const lost = m.dropped_ms != null && now >= m.dropped_ms;
      const cls = ['msg', messageKindClass(m.kind), m.response ? 'reply' : 'request'];
      const snapshot = m.kind === 'InstallSnapshot';
      if (heartbeat) cls.push('heartbeat');
      if (lost) cls.push('lost');
      set(el.root, {
        class: cls.join(' '),
        transform: `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`,
        opacity: lost ? Math.max(0.15, 1 - (now - m.dropped_ms) / DYING_MS).toFixed(2) : null,
        'data-kind': m.kind,
      });
      set(el.spin, { transform: `rotate(${p.angle.toFixed(1)})` });
      set(el.dot, { r: heartbeat ? 4.5 : 6 });
      // A node written in JavaScript names its messages itself: each carries its `type`.
      setText(el.word, snapshot ? 'snapshot' : snap.settings.protocol === 'js' ? m.kind : '');
    });

    // --- servers -------------------------------------------------------------------------------
    const member = new Map(snap.nodes.map((n) => [n.id, n.membership === 'member']));
    this.servers.update(snap.nodes, (n) => n.id, (el, n) => {
      this.resize(el, r);
      const p = layout.pos(n.id);
      const role = n.running ? n.role : 'follower';
      const classes = ['server', `role-${n.running ? n.role : 'crashed'}`];
      if (layout.dragging === n.id) classes.push('dragging');
      if (!member.get(n.id)) classes.push('not-member');
      set(el.root, {
        class: classes.join(' '),
        transform: `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`,
        'data-role': role,
        'data-term': n.term,
        'data-running': n.running ? 'true' : 'false',
        'data-commit': n.commit_index,
        'data-member': member.get(n.id) ? 'true' : 'false',
        'data-plain': n.plain ? 'true' : null,
        'aria-label': serverName(n),
      });
      const t = n.timer;
      let d = '';
      if (n.running && t && t.kind === 'election' && t.deadline_ms > t.started_ms) {
        d = arcPath(0, 0, r + 9, (t.deadline_ms - now) / (t.deadline_ms - t.started_ms));
      }
      set(el.timer, { d });
      setText(el.name, n.id);
    });

    // --- labels --------------------------------------------------------------------------------
    this.labels.update(snap.nodes, (n) => n.id, (el, n) => {
      const p = layout.pos(n.id);
      const below = p.y + r + 17;
      set(el.root, { class: n.running ? 'server-label' : 'server-label crashed', 'data-label-of': n.id });
      set(el.term, { x: p.x.toFixed(1), y: (p.y + 14).toFixed(1) });
      setText(el.term, n.plain ? '' : `T${n.term}`);
      set(el.role, { x: p.x.toFixed(1), y: below.toFixed(1) });
      set(el.extra, { x: p.x.toFixed(1), y: (below + 13).toFixed(1) });
      let word = !n.running ? 'crashed' : n.plain ? 'server' : ROLE_WORD[n.role] || n.role;
      if (!member.get(n.id)) word += n.membership === 'joining' ? ' (joining)' : ' (not a member)';
      setText(el.role, word);
      let extra = '';
      if (n.votes_needed != null) {
        const votes = n.votes ? n.votes.length : 0;
        extra = `${votes} ${votes === 1 ? 'vote' : 'votes'}, needs ${n.votes_needed}`;
      } else if (n.voted_for) {
        extra = `voted ${n.voted_for}`;
      }
      setText(el.extra, extra);
    });
  }
}

function crownPath(r) {
  return `M -13 ${-r - 5} L -15 ${-r - 19} L -7 ${-r - 11} L 0 ${-r - 22} L 7 ${-r - 11} L 15 ${-r - 19} L 13 ${-r - 5} Z`;
}

function crossPath(r) {
  const a = r * 0.6;
  return `M ${-a} ${-a} L ${a} ${a} M ${a} ${-a} L ${-a} ${a}`;
}
