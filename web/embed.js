// embed.html: one figure filling an iframe, chosen by the URL (`?preset=split-brain`,
// `&variant=5`, `&controls=none|minimal|full`, `&speed=0.5`, `&autoplay=false`, or
// `#s=BASE64URL` for any scenario), and a postMessage bridge so the article around the iframe can
// drive it and hear its events. See EMBEDDING.md.

import { API } from './element.js';

const MSG = 'raft-playground';

const q = new URLSearchParams(location.search);
const el = document.createElement('raft-playground');
for (const name of ['preset', 'variant', 'controls', 'speed', 'autoplay', 'caption']) {
  if (q.has(name)) el.setAttribute(name, q.get(name));
}
if (q.has('notitle')) el.setAttribute('notitle', '');
const hash = location.hash.match(/^#s=([A-Za-z0-9_-]*)$/);
if (hash) el.setAttribute('s', hash[1]);
document.querySelector('main').appendChild(el);

const post = (data) => {
  if (window.parent !== window) window.parent.postMessage({ type: MSG, ...data }, '*');
};

// Events out: { type: 'raft-playground', event: 'leader-elected', detail: {...} }.
for (const name of ['ready', 'leader-elected', 'entry-committed', 'operation', 'violation', 'step', 'error']) {
  el.addEventListener(name, (e) => post({ event: name, detail: name === 'ready' ? null : e.detail }));
}

// Calls in: { type: 'raft-playground', call: 'crash', args: ['leader'], id: 7 }; the answer is
// { type: 'raft-playground', id: 7, ok: true, result } or { ok: false, error }.
window.addEventListener('message', async (e) => {
  const m = e.data;
  if (!m || m.type !== MSG || typeof m.call !== 'string') return;
  const reply = (data) => (e.source || window.parent).postMessage({ type: MSG, id: m.id, ...data }, '*');
  if (!API.includes(m.call)) {
    reply({ ok: false, error: `unknown call "${m.call}"; calls: ${API.join(', ')}` });
    return;
  }
  try {
    await el.ready;
    const result = el[m.call](...(Array.isArray(m.args) ? m.args : []));
    reply({ ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (err) {
    reply({ ok: false, error: String(err && err.message ? err.message : err) });
  }
});

// Tell the article how tall the figure is, so it can size the iframe (optional).
new ResizeObserver(() => post({ event: 'resize', detail: { height: document.documentElement.scrollHeight } }))
  .observe(document.body);
