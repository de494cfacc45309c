// A server's own actions: crash or restart it, make it the leader (`transfer`), remove it from
// the cluster or add it back (`remove`/`add`). They open in a small menu on a right-click on a
// server, or with the context-menu key, Shift+F10 or M on a focused one. Two keys act at once on
// a focused server: L makes it leader, Delete removes it. The menu also lists the links to the
// servers on the same side, and choosing one does what a click on the drawn link does, so the
// keyboard can cut one link too. Every item ends as a scenario line through app.serverAction
// (record → apply → render), like every other input.

import { linkState, NEXT_LINK_STATE } from './actions.js';
import { byNodeNumber } from './geometry.js';
import { h } from './dom.js';

/** `membership` of server `id` as the view model reports it: member, joining or removed. */
function membership(snap, id) {
  const n = snap.nodes.find((x) => x.id === id);
  return n ? n.membership : 'removed';
}

/** The servers `id` shares a partition group with (every other server when there is none). */
export function sameSide(snap, id) {
  const ids = snap.nodes.map((x) => x.id).filter((x) => x !== id);
  const groups = snap.partition_groups || [];
  const mine = groups.find((g) => g.includes(id));
  return mine && groups.length > 1 ? ids.filter((x) => mine.includes(x)) : ids;
}

/**
 * What choosing the link item does: the next step of the cycle a click on the drawn link goes
 * through (actions.js), the link taken as the drawing does, lower-numbered server first.
 */
export function linkItem(cuts, id, peer) {
  const [a, b] = [id, peer].sort(byNodeNumber);
  const next = NEXT_LINK_STATE[linkState(cuts, a, b)];
  const label = {
    both: `Cut link to ${peer}`,
    'a>b': `Link to ${peer}: block only ${a} to ${b}`,
    'b>a': `Link to ${peer}: block only ${b} to ${a}`,
    open: `Restore link to ${peer}`,
  }[next];
  return { what: 'link', peer, ends: [a, b], label };
}

/**
 * The menu's items for server `id`: { what, label } in order, then one item per link to a
 * server on the same side of any partition ({ what: 'link', peer, ends, label }, see
 * linkItem): the keyboard's way to do what clicking a drawn link does.
 */
export function serverMenuItems(snap, id) {
  const n = snap.nodes.find((x) => x.id === id);
  if (!n) return [];
  const state = membership(snap, id);
  const items = [{ what: 'toggle', label: n.running ? 'Crash' : 'Restart' }];
  if (state === 'member' && snap.leader !== id) items.push({ what: 'transfer', label: 'Make leader' });
  items.push(state !== 'removed'
    ? { what: 'remove', label: 'Remove from cluster' }
    : { what: 'add', label: 'Add to cluster' });
  for (const peer of sameSide(snap, id)) {
    items.push(linkItem(snap.cuts || [], id, peer));
  }
  return items;
}

export function wireServerMenu(svg, app) {
  const host = svg.parentElement;
  const menu = h('div', { class: 'server-menu', role: 'menu', 'data-server-menu': true, hidden: true });
  host.appendChild(menu);
  let openFor = null;

  const close = (refocus) => {
    if (menu.hidden) return;
    menu.hidden = true;
    menu.replaceChildren();
    const id = openFor;
    openFor = null;
    if (refocus) {
      const el = svg.querySelector(`[data-node="${id}"]`);
      if (el) el.focus();
    }
  };

  const open = (id) => {
    const snap = app.model.snapshot();
    const items = serverMenuItems(snap, id);
    if (!items.length) return;
    openFor = id;
    menu.setAttribute('aria-label', `Actions of ${id}`);
    menu.replaceChildren(...items.flatMap((it, i) => {
      const parts = [];
      if (it.what === 'link' && (i === 0 || items[i - 1].what !== 'link')) {
        parts.push(h('div', { role: 'separator', class: 'server-menu-separator' }));
      }
      const b = h('button', { type: 'button', role: 'menuitem', 'data-server-action': it.what }, it.label);
      b.addEventListener('click', () => {
        close(true);
        app.serverAction(id, it.what, it.ends);
      });
      parts.push(b);
      return parts;
    }));
    const el = svg.querySelector(`[data-node="${id}"] .body`);
    const at = el.getBoundingClientRect();
    const base = host.getBoundingClientRect();
    menu.hidden = false;
    // Beside the server, on whichever side has room (a phone is narrow).
    let left = at.right - base.left + 6;
    if (left + menu.offsetWidth > host.clientWidth - 4) left = Math.max(4, at.left - base.left - menu.offsetWidth - 6);
    menu.style.left = `${Math.round(left)}px`;
    menu.style.top = `${Math.round(at.top - base.top)}px`;
    menu.querySelector('button').focus();
  };

  svg.addEventListener('contextmenu', (e) => {
    const server = e.target.closest('[data-node]');
    if (!server) return;
    e.preventDefault();
    open(server.dataset.node);
  });

  svg.addEventListener('keydown', (e) => {
    const server = e.target.closest && e.target.closest('[data-node]');
    if (!server || e.repeat || e.altKey || e.ctrlKey || e.metaKey) return;
    const id = server.dataset.node;
    const key = e.key;
    let act = null;
    if (key === 'ContextMenu' || (key === 'F10' && e.shiftKey) || key === 'm' || key === 'M') act = () => open(id);
    else if (key === 'l' || key === 'L') act = () => app.serverAction(id, 'transfer');
    else if (key === 'Delete') act = () => app.serverAction(id, membership(app.model.snapshot(), id) === 'member' ? 'remove' : 'add');
    if (!act) return;
    e.preventDefault();
    e.stopPropagation();
    act();
  });

  menu.addEventListener('keydown', (e) => {
    const buttons = [...menu.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close(true);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (i + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length;
      buttons[next].focus();
    } else if (e.key === 'Tab') {
      close(false);
    }
  });

  document.addEventListener('pointerdown', (e) => {
    if (!menu.hidden && !menu.contains(e.target)) close(false);
  });
  app.serverMenu = { close };
}
