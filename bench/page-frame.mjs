// Page benchmark: frame cost with 9 servers, 10% loss and clients writing, in headless Chromium.
// Run against the built page:  npx vite build && npx vite preview --port 4173 &
//                              node bench/page-frame.mjs [http://127.0.0.1:4173/] [--no-trace] [--parts]
// Prints the distribution of requestAnimationFrame callback times (the page's whole frame:
// advance the simulation, take the snapshot, draw) and the page's first-load gzip size.
// --parts (untraced) also times the frame's parts from outside, by wrapping the app's methods
// (window.playground): each part's mean and p95, and what the slowest 5% of frames spent on.
import { chromium } from '@playwright/test';
import { measure } from './size.mjs';

const args = process.argv.slice(2);
const base = args.find((a) => !a.startsWith('--')) || 'http://127.0.0.1:4173/';
// Chromium's tracing (for the thread-CPU figures) adds its own cost to every DOM call the page
// makes: --no-trace times the callbacks in wall-clock time only, without it.
const parts = args.includes('--parts');
const tracing = !args.includes('--no-trace') && !parts;
const scenario = 'nodes 9\nseed 3\nloss 10%\n';
const link = `${base}?speed=1#s=${Buffer.from(scenario).toString('base64url')}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.addInitScript(() => {
  // Time every animation-frame callback: that is the page's per-frame work.
  window.__frames = [];
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => raf((t) => {
    // A mark in the trace: this callback is the page's (see below).
    console.timeStamp('page-frame');
    window.__part = null;
    const t0 = performance.now();
    cb(t);
    window.__frames.push(performance.now() - t0);
    if (window.__parts) window.__parts.push(window.__part || {});
  });
});
await page.goto(link);
await page.waitForSelector('[data-node="S9"]');
// A share link opens paused: play, and keep a client writing every 100 ms of wall time.
await page.getByRole('button', { name: 'Play' }).click();
if (parts) {
  await page.evaluate(() => {
    // Each part's time in the frame being run (added up when a part runs twice).
    const app = window.playground;
    const wrap = (obj, name, label, after) => {
      const f = obj[name];
      obj[name] = function wrapped(...a) {
        const t0 = performance.now();
        const before = after && after.before();
        const r = f.apply(this, a);
        const ms = performance.now() - t0;
        const p = (window.__part ||= {});
        const l = after ? after.label(before, label) : label;
        p[l] = (p[l] || 0) + ms;
        return r;
      };
    };
    // A tick that crossed a whole simulated second took a time-travel checkpoint.
    const second = { before: () => Math.floor(app.model.pg.time() / 1000), label: (b, l) => (Math.floor(app.model.pg.time() / 1000) !== b ? `${l}+checkpoint` : l) };
    wrap(app.model, 'tick', 'tick', second);
    wrap(app.model, 'snapshot', 'snapshot');
    wrap(app.pane, 'draw', 'cluster');
    wrap(app.panels, 'render', 'panels');
    wrap(app.panels, 'renderRecorded', 'recorded');
    if (app.timeline) wrap(app.timeline, 'render', 'timeline');
    if (app.lanes) {
      wrap(app.lanes, 'messagesFor', 'lane-fetch');
      wrap(app.lanes, 'renderMessages', 'lane-draw');
      wrap(app.lanes, 'renderOps', 'lane-ops');
    }
    window.__parts = [];
  });
}
await page.evaluate(() => { window.__frames = []; if (window.__parts) window.__parts = []; });
// The same frames in a Chromium trace: each animation-frame callback's thread time (CPU time of
// the page's main thread, which other processes on a loaded machine do not inflate the way
// they inflate wall time).
if (tracing) await browser.startTracing(page, { categories: ['devtools.timeline'] });
const t0 = Date.now();
let i = 0;
while (Date.now() - t0 < 10_000) {
  await page.fill('input[name="key"]', `k${i % 20}`);
  await page.fill('input[name="value"]', `v${i}`);
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  i++;
  await page.waitForTimeout(100);
}
const frames = await page.evaluate(() => window.__frames.slice());
const partsOf = parts ? await page.evaluate(() => window.__parts.slice()) : [];
const events = tracing ? JSON.parse((await browser.stopTracing()).toString()).traceEvents : [];
const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
// Only the page's callbacks: Playwright's own (its actionability checks before each fill and
// click wait for an animation frame and read the layout) run on the same thread, and counted
// in they are about a tenth of all callbacks, each forcing a layout of the page.
const onMain = (e) => mains.has(`${e.pid}:${e.tid}`);
const marks = events.filter((e) => e.name === 'TimeStamp' && e.args?.data?.message === 'page-frame' && onMain(e));
const ours = (f) => marks.some((m) => m.tid === f.tid && m.ts >= f.ts && m.ts < f.ts + f.dur);
const allFired = events.filter((e) => e.ph === 'X' && e.name === 'FireAnimationFrame' && onMain(e) && e.tdur != null);
const fired = allFired.filter(ours);
const cpu = fired.map((e) => e.tdur / 1000).sort((a, b) => a - b);
// Style and layout forced inside the callbacks (a read of a size or a scroll position after a
// write): thread time of the UpdateLayoutTree and Layout events nested in them.
const forcedEvents = events.filter((e) => e.ph === 'X' && (e.name === 'UpdateLayoutTree' || e.name === 'Layout') && onMain(e));
let forcedMs = 0;
let forcedFrames = 0;
for (const f of fired) {
  const inside = forcedEvents.filter((e) => e.tid === f.tid && e.ts >= f.ts && e.ts < f.ts + f.dur);
  if (inside.length) forcedFrames++;
  forcedMs += inside.reduce((a, e) => a + (e.tdur ?? e.dur) / 1000, 0);
}
const simMs = Number(await page.getAttribute('[data-playground]', 'data-time'));
await browser.close();

if (parts) {
  // Frames and their parts, slowest first: what the slowest 5% spent their time on.
  const rows = frames.map((ms, k) => ({ ms, p: partsOf[k] || {} })).sort((a, b) => b.ms - a.ms);
  const names = [...new Set(partsOf.flatMap((p) => Object.keys(p)))].sort();
  const slow = rows.slice(0, Math.max(1, Math.floor(rows.length * 0.05)));
  const pct = (xs, p) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] || 0;
  console.log('part: frames it ran in, mean and p95 when it ran; in the slowest 5% of frames: how often, mean');
  for (const n of names) {
    const all = rows.filter((r) => n in r.p).map((r) => r.p[n]);
    const inSlow = slow.filter((r) => n in r.p).map((r) => r.p[n]);
    const mean = (xs) => (xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)).toFixed(2);
    console.log(`  ${n.padEnd(18)} ${String(all.length).padStart(4)}  ${mean(all)}  ${pct(all, 0.95).toFixed(2)} | ${String(inSlow.length).padStart(3)}  ${mean(inSlow)}`);
  }
  console.log('the slowest frames (ms: parts over 0.5 ms):');
  for (const r of slow) {
    const big = Object.entries(r.p).filter(([, v]) => v > 0.5).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`);
    const known = Object.values(r.p).reduce((a, b) => a + b, 0);
    if (r.ms - known > 0.5) big.push(`other ${(r.ms - known).toFixed(1)}`);
    console.log(`  ${r.ms.toFixed(2)}: ${big.join(', ')}`);
  }
}
frames.sort((a, b) => a - b);
const q = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))].toFixed(2);
const mean = (frames.reduce((a, b) => a + b, 0) / frames.length).toFixed(2);
console.log(`page frame (9 servers, 10% loss, ${i} client writes, ${simMs} ms simulated${tracing ? ', traced' : ''}): ` +
  `${frames.length} frames, mean ${mean} ms, median ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`);

if (cpu.length) {
  const c = (p) => cpu[Math.min(cpu.length - 1, Math.floor(p * cpu.length))].toFixed(2);
  console.log(`the page's callbacks in thread CPU time (${allFired.length - fired.length} of Playwright's left out): ${cpu.length} callbacks, median ${c(0.5)} ms, p95 ${c(0.95)} ms, p99 ${c(0.99)} ms, max ${c(1)} ms`);
  console.log(`style and layout forced in them: ${forcedFrames} callbacks, ${forcedMs.toFixed(1)} ms in all`);
}
// Download size: what index.html loads first (bench/size.mjs follows the module graph; the
// search's module, loaded later, is not counted).
const first = measure().entries.find((e) => e.entry === 'index.html');
console.log(`first load of index.html: ${first.files.length} files, ${(first.bytes / 1000).toFixed(1)} KB gzip -9`);
