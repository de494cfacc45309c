// A server's menu: its actions from the one table (actions.js, those marked `menu`: crash or
// restart, Make leader, Remove from / Add to cluster), then one item per link to a server on
// the same side, which does what a click on the drawn link does (so the keyboard can cut one
// link too). It opens on a right-click on a server, a long press on a touch screen, or with the
// server's 'menu' keys (M, the context-menu key, Shift+F10). Choosing an item performs the same
// action a click or a key would, through the pane (record → apply → render).

import { actionsOn, applies, labelOf, sameSide } from './actions.js';
import { byNodeNumber } from './geometry.js';
import { h } from './dom.js';

/**
 * The menu's items for server `id`: { what, label } for each applicable menu action of the
 * table in order (what is its id), then one item per link to a server on the same side of any
 * partition ({ what: 'link', peer, ends, label }, ends as the drawing orders them).
 */
export function serverMenuItems(snap, id) {
  const ctx = { snap, id };
  if (!snap.nodes.some((x) => x.id === id)) return [];
  const items = actionsOn('server').filter((a) => a.menu && applies(a, ctx)).map((a) => ({ what: a.id, label: labelOf(a, ctx) }));
  const link = actionsOn('link')[0];
  for (const peer of sameSide(snap, id)) {
    const ends = [id, peer].sort(byNodeNumber);
    items.push({ what: 'link', peer, ends, label: labelOf(link, { snap, id, peer, ends }) });
  }
  return items;
}

/** The menu of `pane`'s drawing (pane.js); the pane opens and closes it through pane.menu. */
export function wireServerMenu(pane) {
  const svg = pane.svg;
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
    const snap = pane.snapshot();
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
        if (it.what === 'link') pane.onLink(...it.ends);
        else pane.onServer(it.what, id);
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
  pane.menu = { open, close };
}
