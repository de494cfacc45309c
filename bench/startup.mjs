// Where the playground's start-up goes (issue 14: first drawn server), in headless Chromium
// with a cold cache (a new context per load), against the built page served locally:
//
//   npx vite build && npx vite preview --port 4173 &
//   node bench/startup.mjs [http://127.0.0.1:4173/] [RUNS]
//
// Per load, traced: when the scripts and the WebAssembly module arrived (resource timing), when
// the module was instantiated (WebAssembly.instantiate* wrapped), DOMContentLoaded, when the
// first `data-node` entered the page and the frame that painted it, and the main thread's CPU
// time up to that frame (thread clock: less inflated than wall time by other processes on a
// loaded machine). Then, for the last load, the main thread's trace events summed by name and
// its events over 4 ms in order (a layout forced by a script names the script). The median of
// the painted times is what bench/first-draw.mjs measures, here with tracing's overhead.
import { chromium } from '@playwright/test';

const url = process.argv[2] || 'http://127.0.0.1:4173/';
const runs = Number(process.argv[3] || 5);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function once(trace) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const t = (window.__t = {});
    for (const name of ['instantiateStreaming', 'instantiate', 'compileStreaming', 'compile']) {
      const f = WebAssembly[name];
      WebAssembly[name] = function (...args) {
        t[`${name}Start`] ??= performance.now();
        const p = f.apply(this, args);
        p.then(() => { t[`${name}End`] ??= performance.now(); });
        return p;
      };
    }
    document.addEventListener('DOMContentLoaded', () => { t.domContentLoaded = performance.now(); });
    const watch = () => {
      if (document.querySelector('[data-node]')) {
        t.nodeInPage = performance.now();
        requestAnimationFrame(() => { t.painted = performance.now(); });
        return;
      }
      requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  });
  if (trace) await browser.startTracing(page, { categories: ['devtools.timeline', 'v8.execute', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.stack'] });
  await page.goto(url);
  await page.waitForFunction(() => window.__t.painted !== undefined, null, { timeout: 30_000 });
  const r = await page.evaluate(() => ({
    marks: Object.fromEntries(Object.entries(window.__t).map(([k, v]) => [k, Math.round(v)])),
    resources: performance.getEntriesByType('resource').map((e) => `${e.name.split('/').pop().replace(/-[\w-]{8}\./, '.')} ${Math.round(e.startTime)}–${Math.round(e.responseEnd)}`),
  }));
  let busiest = null;
  let timeline = null;
  let cpu = null;
  if (trace) {
    const buf = await browser.stopTracing();
    const events = JSON.parse(buf.toString()).traceEvents;
    // The renderer's main thread(s) (the page's process may have more than one renderer).
    const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
    // Navigation start: the document's request (the first request sent after tracing began).
    const start = Math.min(...events.filter((e) => e.name === 'ResourceSendRequest').map((e) => e.ts));
    const sums = new Map();
    for (const e of events) {
      if (e.ph !== 'X' || !e.dur || !mains.has(`${e.pid}:${e.tid}`) || e.ts < start || e.name === 'RunTask') continue;
      if ((e.ts - start) / 1000 > r.marks.painted) continue;
      sums.set(e.name, (sums.get(e.name) || 0) + (e.tdur ?? e.dur) / 1000);
    }
    // The main thread's CPU time (thread clock, so another process's load does not count) from
    // the navigation to the painting frame: its top-level tasks.
    cpu = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && mains.has(`${e.pid}:${e.tid}`) && e.ts >= start && (e.ts - start) / 1000 <= r.marks.painted)
      .reduce((n, e) => n + (e.tdur ?? e.dur) / 1000, 0);
    // The layouts (forced ones carry the script's stack) and the other long events, in order.
    const long = events.filter((e) => e.ph === 'X' && mains.has(`${e.pid}:${e.tid}`) && e.ts >= start && e.name !== 'RunTask' && e.dur > 4000)
      .sort((a, b) => a.ts - b.ts);
    timeline = long.map((e) => `${((e.ts - start) / 1000).toFixed(0)} ms +${(e.dur / 1000).toFixed(1)} ${e.name}${e.args?.beginData?.stackTrace ? ` (forced by ${e.args.beginData.stackTrace.slice(0, 3).map((f) => `${f.functionName}@${f.url.split('/').pop()}:${f.lineNumber}`).join(' < ')})` : ''}${e.args?.data?.url ? ` ${e.args.data.url.split('/').pop()}` : ''}${e.args?.data?.functionName ? ` ${e.args.data.functionName}` : ''}`);
    busiest = [...sums].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([n, ms]) => `${n} ${ms.toFixed(1)}`);
  }
  await context.close();
  return { ...r, busiest, timeline, cpu };
}

await once(false); // warm-up
const cpus = [];
const paints = [];
let t = null;
for (let i = 0; i < runs; i++) {
  t = await once(true);
  cpus.push(t.cpu);
  paints.push(t.marks.painted);
  console.log(`${JSON.stringify(t.marks)}; main thread CPU ${t.cpu.toFixed(1)} ms; ${t.resources.join(', ')}`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`median over ${runs}: first drawn server painted at ${median(paints)} ms, main thread CPU until then ${median(cpus).toFixed(1)} ms`);
console.log('last load, main-thread time by event (ms of thread CPU, up to the painting frame; nested events count in their parents too):');
console.log(`  ${t.busiest.join('\n  ')}`);
console.log('main-thread events over 4 ms (from the navigation):');
console.log(`  ${t.timeline.join('\n  ')}`);
await browser.close();
