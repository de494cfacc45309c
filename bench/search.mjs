// Benchmark: the page's counterexample search ("Find a counterexample" in Break Raft) for every
// deliberate bug, in headless Chromium, from the click to the replay paused at the violation.
//
//   npm run bench:search                 build first (npx vite build); serves dist/ itself
//   npm run bench:search -- --runs 5     runs per bug (default 3)
//   npm run bench:search -- --record     also add a row per bug to BENCHMARKS.md
//   BENCH_URL=http://127.0.0.1:5173/ npm run bench:search   measure a page served elsewhere
//
// The goal is 2 s per bug on a quiet machine. The tests (tests/web/classroom.spec.js) only check
// that each search finds its bug within the page's budget of schedules; wall time is measured
// here, where a busy machine shows up as a slow figure instead of a failed test.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';

const BUGS = ['vote-any-log', 'commit-old-terms', 'forget-vote', 'skip-prev-check', 'small-quorum', 'stale-read', 'read-index-any-term', 'lease-forget-leader'];
const GOAL_MS = 2000;
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const record = args.includes('--record');
const port = Number(process.env.BENCH_PORT || 4173);

let server = null;
let base = process.env.BENCH_URL;
if (!base) {
  base = `http://127.0.0.1:${port}/`;
  server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore', detached: true });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 100) throw new Error(`vite preview did not come up on ${base}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const load = loadavg()[0];
const results = [];
try {
  for (const bug of BUGS) {
    const times = [];
    let seed = null;
    let actions = null;
    for (let r = 0; r < runs; r++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(base);
      await page.waitForSelector('[data-node="S1"]');
      await page.getByRole('button', { name: 'Break Raft' }).click();
      await page.getByLabel('Bug to hunt').selectOption(bug);
      // The workers load the simulator while a person reads the drawer.
      await page.waitForTimeout(1000);
      await page.getByRole('button', { name: 'Find a counterexample' }).click();
      await page.waitForSelector('[data-playground][data-fuzz="found"]', { timeout: 180_000 });
      const rootEl = page.locator('[data-playground]');
      times.push(Number(await rootEl.getAttribute('data-fuzz-ms')));
      seed = Number(await rootEl.getAttribute('data-fuzz-seed'));
      actions = Number(await rootEl.getAttribute('data-fuzz-actions'));
      await page.close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    results.push({ bug, seed, actions, times, median });
    console.log(`${bug}: seed ${seed}, shrunk to ${actions} actions, ${times.map((t) => (t / 1000).toFixed(2)).join(' / ')} s` +
      `${median <= GOAL_MS ? '' : `  (over the ${GOAL_MS / 1000} s goal)`}`);
  }
} finally {
  await browser.close();
  if (server) process.kill(-server.pid);
}

mkdirSync('test-results', { recursive: true });
writeFileSync('test-results/search-bench.json', JSON.stringify({ load, runs, results }, null, 2));
console.log(`load average ${load.toFixed(1)} at the start; results in test-results/search-bench.json`);

if (record) {
  // One row per bug at the end of the table under "## Counterexample search in the page".
  const path = 'BENCHMARKS.md';
  const lines = readFileSync(path, 'utf8').split('\n');
  const head = lines.findIndex((l) => l.startsWith('## Counterexample search in the page'));
  if (head < 0) throw new Error(`${path}: no "## Counterexample search in the page" section`);
  let row = lines.findIndex((l, i) => i > head && l.startsWith('| bug | date |'));
  if (row < 0) throw new Error(`${path}: no "| bug | date |" table in that section`);
  while (lines[row + 1] && lines[row + 1].startsWith('|')) row++;
  const date = new Date().toISOString().slice(0, 10);
  const rows = results.map((r) => `| ${r.bug} | ${date} | ${r.times.map((t) => (t / 1000).toFixed(2)).join(' / ')} s | seed ${r.seed}, ${r.actions} actions | load ${load.toFixed(1)} |`);
  lines.splice(row + 1, 0, ...rows);
  writeFileSync(path, lines.join('\n'));
  console.log(`added ${rows.length} rows to ${path}`);
}
