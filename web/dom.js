// One small helper for building the page's panels by hand.

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
