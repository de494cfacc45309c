// Small helpers for building the page's HTML panels and SVG drawings by hand.

/**
 * An element `tag` with attributes (null and false left out, true as an empty attribute) and
 * optional text.
 */
export function h(tag, attrs = {}, text = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v != null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  if (text != null) e.textContent = text;
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element `tag` with attributes (null and undefined left out) and optional text. */
export function svgEl(tag, attrs = {}, text = null) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) e.setAttribute(k, String(v));
  if (text != null) e.textContent = text;
  return e;
}

/**
 * Scroll `el` to its end at the start of the next frame. Reading its scroll height while a
 * frame is being drawn would force a layout of the whole page; at the start of the next one
 * the layout is already up to date.
 */
export function scrollToEndNextFrame(el) {
  if (el.dataset.scrollQueued) return;
  el.dataset.scrollQueued = 'true';
  requestAnimationFrame(() => {
    delete el.dataset.scrollQueued;
    el.scrollTop = el.scrollHeight;
  });
}
