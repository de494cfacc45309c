// Speed of a node written in JavaScript in the page: the teaching Raft (web/your-node/starters/
// raft.js), 5 servers, in the page's Web Worker (web/your-node/worker.js), headless Chromium.
// Run against the built page:  npx vite build && npx vite preview --port 4173 &
//                              node bench/your-node.mjs [http://127.0.0.1:4173/] [SECONDS] [WRITES]
// Prints simulated seconds per wall second:
//   worker: the worker's own throughput (SECONDS simulated seconds in 100 ms advances, WRITES
//     client writes per simulated second (default 1; 0: none), timed from the page until the
//     last answer: handlers, simulator, snapshots);
//   page: the page playing at ?speed=1000 for 10 wall seconds, a client write every 100 ms of
//     wall time (the page hands the worker at most MAX_STEP_MS = 100 simulated ms per frame, so
//     at 60 frames a second it cannot pass 6 simulated s per wall s, whatever the worker does).
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';

const base = process.argv[2] || 'http://127.0.0.1:4173/';
const seconds = Number(process.argv[3] || 60);
const writes = Number(process.argv[4] ?? 1);
const raft = readFileSync(new URL('../web/your-node/starters/raft.js', import.meta.url), 'utf8');
const scenario = `nodes 5\nseed 1\nprotocol js\ncode\n${raft.trimEnd()}\nend\nrun until leader within 5s\n`;
const link = (speed) => `${base}?speed=${speed}#s=${Buffer.from(scenario).toString('base64url')}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const open = async (speed) => {
  await page.goto('about:blank');
  await page.goto(link(speed));
  await page.waitForFunction(() => document.querySelector('[data-recorded]')?.textContent.includes('protocol js'));
};

// The worker: SECONDS of simulated time in 100 ms steps, each answered before the next is
// asked (as the page's frames do), with WRITES writes per simulated second.
await open(1);
const worker = await page.evaluate(async ({ seconds, writes }) => {
  const pg = window.playground.model.pg;
  await pg.settled();
  const t0 = pg.time();
  const w0 = performance.now();
  for (let i = 0; i < seconds * 10; i++) {
    if (writes > 0 && i % Math.max(1, Math.round(10 / writes)) === 0) pg.act(`put k${i % 20} v${i}`);
    pg.advance(100);
    await pg.settled();
  }
  const wall = performance.now() - w0;
  const snap = pg.snapshot();
  return { sim: pg.time() - t0, wall, ops: snap.history.length, safe: snap.safe };
}, { seconds, writes });
console.log(`worker: ${(worker.sim / 1000).toFixed(1)} simulated s in ${(worker.wall / 1000).toFixed(2)} wall s = ` +
  `${(worker.sim / worker.wall).toFixed(0)}x real time (5 servers, teaching Raft, ${worker.ops} client operations, safe ${worker.safe})`);

// The worker alone: the same simulated time in one request (no snapshot in between).
await open(1);
const whole = await page.evaluate(async ({ seconds, writes }) => {
  const pg = window.playground.model.pg;
  await pg.settled();
  const t0 = pg.time();
  const w0 = performance.now();
  for (let i = 0; i < seconds * 10; i++) {
    if (writes > 0 && i % Math.max(1, Math.round(10 / writes)) === 0) pg.queue.push({ op: 'act', line: `put k${i % 20} v${i}` });
    pg.queue.push({ op: 'advance', ms: 100 });
  }
  pg.flush();
  await pg.settled();
  return { sim: pg.time() - t0, wall: performance.now() - w0 };
}, { seconds, writes });
console.log(`worker, one request: ${(whole.sim / 1000).toFixed(1)} simulated s in ${(whole.wall / 1000).toFixed(2)} wall s = ${(whole.sim / whole.wall).toFixed(0)}x real time`);

// The page, playing as fast as its frame loop lets it.
await open(1000);
await page.getByRole('button', { name: 'Play' }).click();
const t0 = Number(await page.getAttribute('[data-playground]', 'data-time'));
const w0 = Date.now();
let i = 0;
while (Date.now() - w0 < 10_000) {
  await page.fill('input[name="key"]', `k${i % 20}`);
  await page.fill('input[name="value"]', `v${i}`);
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  i++;
  await page.waitForTimeout(100);
}
const wall = Date.now() - w0;
const sim = Number(await page.getAttribute('[data-playground]', 'data-time')) - t0;
console.log(`page at ?speed=1000: ${(sim / 1000).toFixed(1)} simulated s in ${(wall / 1000).toFixed(1)} wall s = ${(sim / wall).toFixed(1)}x real time (${i} client writes)`);
await browser.close();
