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
 * Set `el`'s text only when it differs: a text written again, even the same one, makes the
 * browser lay the page out again (this runs every frame for the panels' readouts).
 */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * Scroll `el` to its end just after the next frame has been drawn. Reading its scroll height
 * (or setting its scroll position) while the page has changes not yet laid out forces a
 * layout of the whole page then and there: inside a frame's drawing, and also at the start of
 * the next frame when an input or a press changed the page in between (2–3 ms, the slowest
 * frames of a running cluster). Just after a frame has been drawn the layout is up to date, so
 * the read costs nothing; the scroll shows in the frame after, as it did when it was done at
 * the start of that frame.
 */
export function scrollToEndNextFrame(el) {
  if (el.dataset.scrollQueued) return;
  el.dataset.scrollQueued = 'true';
  requestAnimationFrame(() => setTimeout(() => {
    delete el.dataset.scrollQueued;
    el.scrollTop = el.scrollHeight;
  }, 0));
}
