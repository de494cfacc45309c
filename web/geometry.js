// Geometry of the cluster drawing: pure functions of plain numbers and objects, no DOM.
// Everything is in the SVG's user units (the viewBox below); the browser scales it to fit.

/** The drawing's coordinate box (the SVG viewBox). */
export const VIEW = Object.freeze({ width: 720, height: 440 });

/**
 * The box on a phone: narrower and taller, so that the same ring of servers fills a screen
 * 360–430 px wide at about twice the scale (a server is then 55 px across, its labels 11 px
 * and more), with the clients below the ring instead of beside it.
 */
export const PHONE_VIEW = Object.freeze({ width: 400, height: 480 });

/** The box for a drawing `cssWidth` pixels wide: the phone box below 600 px. */
export function viewFor(cssWidth) {
  return cssWidth > 0 && cssWidth < 600 ? PHONE_VIEW : VIEW;
}

/** Server radius, in user units, for a cluster of `count` servers. */
export function serverRadius(count) {
  return count > 7 ? 25 : 30;
}

/** Distance under which two dropped servers count as "close together" (one island). */
export function islandThreshold(count) {
  return serverRadius(count) * 4;
}

/**
 * A server dropped this close to a server that is away from home joins that server's island
 * (it is pulled next to it), the way a person puts a thing down beside a group: near is
 * enough, it need not be on top. Servers at home (the ring) are only joined within the island
 * threshold, so that one dragged off the ring is cut off.
 */
export function joinDistance(count) {
  return serverRadius(count) * 7;
}

/** Centre and radius of the ring the servers sit on at home. */
export function ring(count, box = VIEW) {
  return { x: box.width / 2, y: box.height / 2 - 8, r: count <= 2 ? 110 : 148 };
}

/**
 * Home position of server number `index` (0-based: S1 is 0) in a cluster of `count`.
 * S1 sits at the top and the others follow clockwise.
 */
export function serverHome(index, count, box = VIEW) {
  const c = ring(count, box);
  if (count === 1) return { x: c.x, y: c.y };
  const angle = -Math.PI / 2 + (2 * Math.PI * index) / count;
  return { x: c.x + c.r * Math.cos(angle), y: c.y + c.r * Math.sin(angle) };
}

/**
 * Where the clients stand: outside the ring, in the bottom right corner (on the phone's box,
 * under the ring, in the middle).
 */
export function clientHome(box = VIEW) {
  if (box.width < 600) return { x: box.width / 2, y: box.height - 30 };
  return { x: box.width - 62, y: box.height - 40 };
}

/** Keep a dragged server inside the drawing, with room for its crown, labels and island. */
export function clampToBox(p, radius, box = VIEW) {
  return {
    x: Math.min(box.width - radius - 22, Math.max(radius + 22, p.x)),
    y: Math.min(box.height - radius - 30, Math.max(radius + 22, p.y)),
  };
}

/**
 * Closest two servers may sit: their circles, the labels under the upper one and the crown
 * over the lower one do not overlap (r + 17 + 13 and 4 px of text below, r + 22 above), yet
 * they stay within the island threshold of each other.
 */
export function minimumGap(count) {
  const r = serverRadius(count);
  return Math.min(2 * r + 56, islandThreshold(count) - 4);
}

/**
 * Where a dropped server settles: where it was dropped, or, if that is on top of another
 * server, pushed straight away from it to `minimumGap` (a few rounds, for crowds).
 */
export function settle(p, others, count, box = VIEW) {
  const gap = minimumGap(count);
  let q = { ...p };
  for (let round = 0; round < 6; round++) {
    const hit = others.find((o) => distance(q, o) < gap - 0.5);
    if (!hit) break;
    let dx = q.x - hit.x;
    let dy = q.y - hit.y;
    let len = Math.hypot(dx, dy);
    if (len < 1e-6) {
      dx = 0;
      dy = 1;
      len = 1;
    }
    q = clampToBox({ x: hit.x + (dx / len) * gap, y: hit.y + (dy / len) * gap }, serverRadius(count), box);
  }
  return q;
}

export function distance(a, b) {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

export function clamp01(f) {
  return f < 0 ? 0 : f > 1 ? 1 : f;
}

/**
 * How far along its link a message is, 0 at sending and 1 at delivery, at time `nowMs`.
 * A dropped message stops where it was when it was dropped.
 */
export function messageFraction(msg, nowMs) {
  const end = msg.dropped_ms == null ? nowMs : Math.min(nowMs, msg.dropped_ms);
  const span = msg.deliver_ms - msg.sent_ms;
  if (!(span > 0)) return 1;
  return clamp01((end - msg.sent_ms) / span);
}

/**
 * A point `fraction` of the way from `from` to `to`, starting and ending at the rims of the
 * two circles (radius `rim`), shifted `lane` units to the right of the direction of travel so
 * that messages going each way along one link use separate lanes.
 */
export function messagePoint(from, to, fraction, rim = 0, lane = 0) {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const len = Math.hypot(dx, dy);
  if (len === 0) return { x: from.x, y: from.y, angle: 0 };
  const ux = dx / len;
  const uy = dy / len;
  const inner = Math.max(0, len - 2 * rim);
  const along = rim + inner * clamp01(fraction);
  // Right-hand normal of (ux, uy) in screen coordinates (y grows downwards).
  const nx = -uy;
  const ny = ux;
  return {
    x: from.x + ux * along + nx * lane,
    y: from.y + uy * along + ny * lane,
    angle: (Math.atan2(dy, dx) * 180) / Math.PI,
  };
}

/**
 * SVG path of an arc on a circle of radius `r` around (cx, cy) that starts at the top and
 * runs clockwise over `fraction` of the circle. Empty for nothing, a full circle for 1.
 */
export function arcPath(cx, cy, r, fraction) {
  const f = clamp01(fraction);
  if (f <= 0) return '';
  if (f >= 0.9999) {
    return `M ${cx} ${cy - r} A ${r} ${r} 0 1 1 ${cx} ${cy + r} A ${r} ${r} 0 1 1 ${cx} ${cy - r}`;
  }
  const a = -Math.PI / 2 + 2 * Math.PI * f;
  const x = cx + r * Math.cos(a);
  const y = cy + r * Math.sin(a);
  const large = f > 0.5 ? 1 : 0;
  return `M ${cx} ${cy - r} A ${r} ${r} 0 ${large} 1 ${round2(x)} ${round2(y)}`;
}

function round2(v) {
  return Math.round(v * 100) / 100;
}

/** Compare server names by number: S2 before S10. */
export function byNodeNumber(a, b) {
  return Number(a.slice(1)) - Number(b.slice(1)) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The islands that servers form on the drawing.
 * `ids`: server names; `pos(id)` and `home(id)`: current and home positions.
 * Servers still at home form one island whatever the ring's spacing; any two servers closer
 * than `threshold` are in one island; islands are closed under both rules (connected
 * components). Returns the islands, each sorted by server number, ordered by their first server.
 */
export function islands(ids, pos, home, threshold) {
  const parent = new Map(ids.map((id) => [id, id]));
  const find = (id) => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root);
    parent.set(id, root);
    return root;
  };
  const join = (a, b) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const atHome = (id) => distance(pos(id), home(id)) < 1;
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const a = ids[i];
      const b = ids[j];
      if ((atHome(a) && atHome(b)) || distance(pos(a), pos(b)) < threshold) join(a, b);
    }
  }
  const groups = new Map();
  for (const id of ids) {
    const root = find(id);
    if (!groups.has(root)) groups.set(root, []);
    groups.get(root).push(id);
  }
  return sortGroups([...groups.values()]);
}

/** Sort each group by server number and the groups by their first server. */
export function sortGroups(groups) {
  return groups
    .map((g) => [...g].sort(byNodeNumber))
    .filter((g) => g.length > 0)
    .sort((a, b) => byNodeNumber(a[0], b[0]));
}

/** Scenario text of a partition into `groups`: "S1 S2 | S3 S4 S5", or "" for one group. */
export function partitionText(groups) {
  const sorted = sortGroups(groups);
  return sorted.length > 1 ? sorted.map((g) => g.join(' ')).join(' | ') : '';
}

/**
 * Positions for a partition that did not come from dragging (a share link, a loaded
 * scenario): the largest group stays home and every other group is placed on free spots of a
 * grid, preferring the left and right edges at mid height, each member next to one of its own
 * group and at least an island threshold away from everybody else, so that `islands` reads
 * the same partition back. Returns a Map id → position of the servers that leave home.
 */
export function layoutPartition(groups, count, box = VIEW) {
  if (groups.length < 2) return new Map();
  const ids = groups.flat().sort(byNodeNumber);
  const home = (id) => serverHome(ids.indexOf(id), count, box);
  const want = partitionText(groups);
  let moved = new Map();
  // Stack each group along an edge; if that does not fit, pack each group tightly instead.
  for (const stack of [true, false]) {
    moved = placeGroups(groups, count, box, stack);
    const pos = (id) => moved.get(id) || home(id);
    if (partitionText(islands(ids, pos, home, islandThreshold(count))) === want) break;
  }
  return moved;
}

function placeGroups(groups, count, box, stack) {
  const moved = new Map();
  const r = serverRadius(count);
  const near = islandThreshold(count);
  let stay = 0;
  groups.forEach((g, i) => {
    if (g.length > groups[stay].length) stay = i;
  });
  const ids = groups.flat().sort(byNodeNumber);
  const placed = []; // { p, group }
  for (const id of groups[stay]) placed.push({ p: serverHome(ids.indexOf(id), count, box), group: stay });

  const c = ring(count, box);
  const stepX = 2 * r + 24;
  const stepY = minimumGap(count);
  const slots = [];
  for (let x = r + 22; x <= box.width - r - 22; x += stepX) {
    for (let y = r + 22; y <= box.height - r - 30; y += stepY) slots.push({ x, y });
  }
  const score = (p) => Math.abs(p.x - c.x) - 0.6 * Math.abs(p.y - c.y);
  slots.sort((a, b) => score(b) - score(a));
  const free = (p, group) => placed.every((q) => (q.group === group ? distance(p, q.p) > 1 : distance(p, q.p) >= near));

  groups.forEach((g, gi) => {
    if (gi === stay) return;
    for (const id of g) {
      const mine = placed.filter((q) => q.group === gi);
      let best = null;
      for (const slot of slots) {
        if (!free(slot, gi)) continue;
        if (!mine.length) {
          best = slot;
          break;
        }
        const d = Math.min(...mine.map((q) => distance(slot, q.p)));
        if (d >= near) continue;
        if (stack) {
          best = slot; // the best-scored spot next to the group: along the edge
          break;
        }
        if (!best || d < best.d) best = { ...slot, d }; // the closest spot to the group
      }
      const p = best ? { x: best.x, y: best.y } : { x: r + 22, y: r + 22 };
      moved.set(id, p);
      placed.push({ p, group: gi });
    }
  });
  return moved;
}

/** Every unordered pair of servers, in order: [S1,S2], [S1,S3], …, each with a stable key. */
export function linkPairs(ids) {
  const pairs = [];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) pairs.push({ key: `${ids[i]}-${ids[j]}`, a: ids[i], b: ids[j] });
  }
  return pairs;
}
