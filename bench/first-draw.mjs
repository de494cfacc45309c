// Page benchmark: how long after navigation the first server is drawn, in headless Chromium,
// with a cold cache each time (a new browser context per run), against the built page:
//
//   npx vite build && npx vite preview --port 4173 &
//   node bench/first-draw.mjs [http://127.0.0.1:4173/] [RUNS]
//
// For the playground (index.html) and one figure (embed.html?preset=leader-election) it prints
// the median, min and max over RUNS (default 9) of the time from navigation start to the first
// animation frame after an element with `data-node` entered the page (the frame that paints
// it). Served locally, so this is the page's own work (parse, compile and instantiate the
// WebAssembly module, run the scenario, draw), not the network's.
import { chromium } from '@playwright/test';

const base = (process.argv[2] || 'http://127.0.0.1:4173/').replace(/\/?$/, '/');
const runs = Number(process.argv[3] || 9);
const pages = [
  ['playground', `${base}`],
  ['figure', `${base}embed.html?preset=leader-election`],
];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function once(url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    // The first [data-node] anywhere (the figure draws inside a custom element's shadow root,
    // so look into open shadow roots too), then the frame that paints it.
    const found = () => document.querySelector('[data-node]')
      || [...document.querySelectorAll('*')].some((e) => e.shadowRoot && e.shadowRoot.querySelector('[data-node]'));
    const watch = () => {
      if (found()) {
        requestAnimationFrame(() => { window.__firstDraw = performance.now(); });
        return;
      }
      requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__firstDraw !== undefined, null, { timeout: 30_000 });
  const ms = await page.evaluate(() => window.__firstDraw);
  await context.close();
  return ms;
}

for (const [name, url] of pages) {
  await once(url); // warm-up: the server's and the browser's first start
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await once(url));
  times.sort((a, b) => a - b);
  const f = (x) => `${x.toFixed(0)} ms`;
  console.log(`first drawn server, ${name} (${url.slice(base.length) || 'index.html'}): median ${f(times[times.length >> 1])}, ` +
    `min ${f(times[0])}, max ${f(times[times.length - 1])} over ${runs} cold loads`);
}
await browser.close();
