// Input: turns pointer, touch and keyboard gestures into actions of the one table in
// actions.js. On the drawing (wireCluster, for the page and every figure alike) a press on a
// server that does not move is a click (its 'toggle' action: crash/restart); one that moves more
// than a few pixels is a drag, and its drop is the 'drop' action; keys on a focused server are
// its server actions; a click on a drawn link is 'link'. All of them are performed by the pane
// (pane.js). The page's buttons and shortcut keys are its 'page' actions (wireControls).

import { actionForKey, keyName, perform, wireButtons } from './actions.js';

/** A press that moves less than this many CSS pixels is a click, not a drag. */
const DRAG_START_PX = 5;
/** The largest seed (the simulator's seeds are unsigned 64-bit numbers). */
const SEED_MAX = 18446744073709551615n;
/** A finger held this long on a server without moving opens its menu (wall-clock ms). */
const LONG_PRESS_MS = 550;
/** A slider's value is applied once it has rested this long (wall-clock ms). */
const SLIDER_REST_MS = 250;

function svgPoint(svg, e) {
  const m = svg.getScreenCTM();
  if (!m) return { x: 0, y: 0 };
  const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
  return { x: p.x, y: p.y };
}

/** The drawing's input; `pane` is its ClusterPane (pane.js). */
export function wireCluster(svg, pane) {
  let press = null; // { id | link, pointerId, x, y, grab, dragging }

  svg.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || press) return;
    const server = e.target.closest('[data-node]');
    const link = e.target.closest('.hit[data-link]');
    if (!server && !link) return;
    e.preventDefault();
    if (server) {
      const id = server.dataset.node;
      const p = svgPoint(svg, e);
      const at = pane.layout.pos(id);
      press = { id, pointerId: e.pointerId, x: e.clientX, y: e.clientY, grab: { x: p.x - at.x, y: p.y - at.y }, dragging: false };
      // Touch has no right button: press and hold opens the server's menu instead.
      if (e.pointerType !== 'mouse') {
        const held = press;
        held.timer = setTimeout(() => {
          if (press !== held || held.dragging) return;
          held.menu = true;
          server.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: held.x, clientY: held.y }));
        }, LONG_PRESS_MS);
      }
    } else {
      press = { link: link.dataset.link, pointerId: e.pointerId, x: e.clientX, y: e.clientY, dragging: false };
    }
    svg.setPointerCapture(e.pointerId);
  });

  svg.addEventListener('pointermove', (e) => {
    if (!press || e.pointerId !== press.pointerId || !press.id) return;
    if (!press.dragging && Math.hypot(e.clientX - press.x, e.clientY - press.y) < DRAG_START_PX) return;
    // Held long enough for the menu, then moved: it was a drag after all (the menu goes).
    if (press.menu) {
      press.menu = false;
      if (pane.menu) pane.menu.close(false);
    }
    if (!press.dragging) {
      press.dragging = true;
      clearTimeout(press.timer);
      pane.layout.dragging = press.id;
    }
    const p = svgPoint(svg, e);
    pane.layout.place(press.id, { x: p.x - press.grab.x, y: p.y - press.grab.y });
    pane.requestRender();
  });

  const finish = (e, cancelled) => {
    if (!press || e.pointerId !== press.pointerId) return;
    const done = press;
    press = null;
    clearTimeout(done.timer);
    if (done.menu) return;
    if (svg.hasPointerCapture(e.pointerId)) svg.releasePointerCapture(e.pointerId);
    if (done.dragging) {
      pane.layout.drop(done.id);
      pane.onDrop();
    } else if (!cancelled) {
      if (done.id) pane.onServer('toggle', done.id);
      else if (done.link) {
        const moved = Math.hypot(e.clientX - done.x, e.clientY - done.y) >= DRAG_START_PX;
        if (!moved) pane.onLink(...done.link.split('-'));
      }
    }
  };
  svg.addEventListener('pointerup', (e) => finish(e, false));
  svg.addEventListener('pointercancel', (e) => finish(e, true));
  svg.addEventListener('lostpointercapture', (e) => finish(e, true));

  // Keys on a focused server: its actions in the table (Enter, Space, L, Delete, M, 1–9 …).
  svg.addEventListener('keydown', (e) => {
    const server = e.target.closest && e.target.closest('[data-node]');
    if (!server || e.repeat || e.altKey || e.ctrlKey || e.metaKey) return;
    const name = keyName(e);
    if (!pane.serverKey(name, server.dataset.node, { n: Number(e.key) })) return;
    e.preventDefault();
    e.stopPropagation();
  });
  // Space must not also scroll the page or reach the global shortcuts.
  svg.addEventListener('keyup', (e) => {
    if (e.key === ' ' && e.target.closest && e.target.closest('[data-node]')) e.preventDefault();
  });
}

function typing(target) {
  return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

export function wireControls(root, app) {
  wireButtons(root, app, 'page');

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return;
    if (e.target.closest && e.target.closest('button, a, [data-node]')) {
      // Keys on buttons and servers keep their own meaning (Enter, Space).
      if (e.key === 'Enter' || e.key === ' ') return;
    }
    const action = actionForKey('page', keyName(e), {});
    if (action) {
      e.preventDefault();
      perform(app, action);
    }
  });

  const c = (name) => root.querySelector(`[data-control="${name}"]`);
  c('speed').addEventListener('change', (e) => app.setSpeed(Number(e.target.value)));
  c('nodes').addEventListener('change', (e) => app.newRun({ nodes: Number(e.target.value) }));
  c('seed').addEventListener('change', (e) => {
    const v = e.target.value.trim();
    // A number input reports "" for text that is not a number: say what was typed if we can.
    const typed = v || (e.target.validity && e.target.validity.badInput ? 'text that is not a number' : 'nothing');
    if (/^\d{1,20}$/.test(v) && BigInt(v) <= SEED_MAX) app.newRun({ seed: v });
    else if (/^\d+$/.test(v)) app.showError(`The seed ${v.length > 24 ? `${v.slice(0, 24)}…` : v} is too large: a seed is a whole number from 0 to ${SEED_MAX}.`);
    else app.showError(`The seed must be a whole number from 0 to ${SEED_MAX}, found ${v ? `"${v.length > 24 ? `${v.slice(0, 24)}…` : v}"` : typed}.`);
  });
  // Sliders: one setting line once the slider rests, not one per arrow key press.
  for (const name of ['loss', 'duplicate', 'latency']) {
    let timer = null;
    c(name).addEventListener('change', (e) => {
      clearTimeout(timer);
      const value = e.target.value;
      timer = setTimeout(() => app.setting(name, value), SLIDER_REST_MS);
    });
  }
  c('loss').addEventListener('input', (e) => app.panels.preview('loss', Number(e.target.value)));
  c('duplicate').addEventListener('input', (e) => app.panels.preview('duplicate', Number(e.target.value)));
  c('latency').addEventListener('input', (e) => app.panels.preview('latency', Number(e.target.value)));
  c('prevote').addEventListener('change', (e) => app.setting('prevote', e.target.checked));
  c('check-quorum').addEventListener('change', (e) => app.setting('check-quorum', e.target.checked));
  c('reads').addEventListener('change', (e) => app.setting('reads', e.target.value));

  const form = root.querySelector('[data-client-form]');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    app.client('put');
  });
  // Enter in Key, Value or Expected sends Put (the form has no submit button of its own).
  form.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.isComposing || e.target.tagName !== 'INPUT' || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    app.client('put');
  });
}
