// Time travel: the timeline, forks, import/export and the two lanes. A seek to t must show
// exactly what a fresh replay of the recording cut at t shows (same time, same trace hash, same
// servers), so each check here opens that cut recording in a page of its own and compares.
import { test, expect } from '@playwright/test';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import {
  openPage, root, server, servers, waitForLeader, centre, pause, shot, base64url, raftSim,
} from './helpers.js';

const STORY = [
  'nodes 5', 'seed 3', 'run until leader', 'put a 1', 'run 1s', 'crash leader', 'run 1500ms',
  'put b 2', 'run 1s', 'partition S1 S2 | S3 S4 S5', 'run 2s', 'heal', 'restart S1', 'restart S2',
  'restart S3', 'restart S4', 'restart S5', 'run 1s',
].join('\n') + '\n';

/** Milliseconds of a duration token (`150ms`, `2s`). */
function ms(token) {
  const m = /^(\d+)(ms|s)$/.exec(token);
  return m[2] === 's' ? Number(m[1]) * 1000 : Number(m[1]);
}

/**
 * The recording cut at instant t, computed here independently of the page: lines applied at
 * or before t are kept, a run that spans t is shortened to end there. (`run until leader` is
 * cut with the end time the page reports for it.)
 */
function cutAt(text, t, untilLeaderEnd) {
  const out = [];
  let now = 0;
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (line.trim() === '') continue;
    if (words[0] === 'run') {
      const end = words[1] === 'until' ? untilLeaderEnd : now + ms(words[1]);
      if (end <= t) {
        out.push(line);
        now = end;
        continue;
      }
      if (t > now) out.push(`run ${t - now}ms`);
      break;
    }
    if (now > t) break;
    out.push(line);
  }
  return `${out.join('\n')}\n`;
}

async function state(page) {
  const r = root(page);
  return {
    time: await r.getAttribute('data-time'),
    hash: await r.getAttribute('data-trace-hash'),
    partition: await r.getAttribute('data-partition'),
    servers: await servers(page),
  };
}

/** Open `text` as a share link in a fresh page and return what it shows. */
async function fresh(context, text) {
  const other = await context.newPage();
  await openPage(other, '?speed=5', `#s=${base64url(text)}`);
  await expect(root(other)).toHaveAttribute('data-paused', 'true');
  const s = await state(other);
  await other.close();
  return s;
}

const slider = (page) => page.getByRole('slider', { name: 'Timeline' });

async function untilLeaderEnd(page) {
  // The first leader mark is where `run until leader` stopped.
  return page.evaluate(() => window.playground.model.pg.timeline().marks.find((m) => m.kind === 'leader').time_ms);
}

test('scrubbing back and forth shows exactly the recording cut there', async ({ page, context }) => {
  test.setTimeout(180_000);
  await openPage(page, '?speed=5', `#s=${base64url(STORY)}`);
  await expect(root(page)).toHaveAttribute('data-paused', 'true');
  await expect(root(page)).toHaveAttribute('data-live', 'true');
  const end = Number(await root(page).getAttribute('data-time'));
  const leaderEnd = await untilLeaderEnd(page);
  const marks = page.locator('[data-timeline] [data-mark]');
  for (const kind of ['leader', 'crash', 'partition', 'write', 'heal']) {
    await expect(marks.filter({ has: page.locator('*') }).and(page.locator(`[data-mark="${kind}"]`)).first()).toBeAttached();
  }
  await shot(page, '60-timeline-live');

  // Keyboard: Home, then forward in steps of 100 ms (Shift: 1 s).
  await slider(page).focus();
  await page.keyboard.press('Home');
  await expect(root(page)).toHaveAttribute('data-time', '0');
  await expect(root(page)).toHaveAttribute('data-live', 'false');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(root(page)).toHaveAttribute('data-time', '2100');
  await expect(slider(page)).toHaveAttribute('aria-valuenow', '2100');

  const checks = [2100];
  // The mouse: drag the thumb to about 70 %, then back to about 30 %.
  const box = await slider(page).boundingBox();
  const x = (f) => box.x + 8 * (box.width / 1000) + f * (box.width * (1 - 16 / 1000));
  await page.mouse.move(x(2100 / end), box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(x(0.7 * (i / 10) + (2100 / end) * (1 - i / 10)), box.y + box.height / 2);
  await page.mouse.up();
  let t = Number(await root(page).getAttribute('data-time'));
  expect(Math.abs(t - 0.7 * end)).toBeLessThan(end * 0.03);
  checks.push(t);
  await shot(page, '61-timeline-scrubbed');
  await page.mouse.click(x(0.3), box.y + box.height / 2);
  t = Number(await root(page).getAttribute('data-time'));
  expect(Math.abs(t - 0.3 * end)).toBeLessThan(end * 0.03);
  checks.push(t);

  for (const at of checks) {
    await page.evaluate((at) => { window.playground.timeline.seek(at); }, at);
    const here = await state(page);
    expect(here.time).toBe(String(at));
    const cut = cutAt(STORY, at, leaderEnd);
    expect(await page.evaluate(() => window.playground.model.recorded())).toBe(cut);
    expect(await fresh(context, cut)).toEqual(here);
  }

  // Live: back to the end, the same run as before.
  const endHash = await page.evaluate(() => window.playground.model.pg.recordedAll());
  expect(endHash).toBe(STORY);
  await page.getByRole('button', { name: 'Live' }).click();
  await expect(root(page)).toHaveAttribute('data-live', 'true');
  await pause(page);
});

test('acting in the past forks the recording; its share link replays the fork', async ({ page, context }) => {
  test.setTimeout(120_000);
  await openPage(page, '?speed=5', `#s=${base64url(STORY)}`);
  await slider(page).focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight');
  await expect(root(page)).toHaveAttribute('data-time', '3000');
  const before = await servers(page);
  const victim = Object.keys(before).find((id) => before[id].running);
  await page.mouse.click(...Object.values(await centre(page, victim)));
  await expect(server(page, victim)).toHaveAttribute('data-running', 'false');
  await expect(root(page)).toHaveAttribute('data-live', 'true');
  const recorded = await page.evaluate(() => window.playground.model.recorded());
  expect(recorded.trim().split('\n').pop()).toBe(`crash ${victim}`);
  expect(recorded).not.toContain('partition');
  // Time goes on from the fork, in the new branch.
  await page.getByRole('button', { name: 'Play' }).click();
  await expect.poll(async () => Number(await root(page).getAttribute('data-time'))).toBeGreaterThan(3300);
  await pause(page);
  const here = await state(page);
  const cutText = await page.evaluate(() => window.playground.model.recorded());
  expect(await fresh(context, cutText)).toEqual(here);
  await shot(page, '62-forked');

  await page.getByRole('button', { name: 'Share' }).click();
  const link = (await page.locator('[data-share-link]').textContent()).trim();
  const other = await context.newPage();
  await other.goto(link);
  await expect(root(other)).not.toHaveAttribute('data-loading');
  await expect(root(other)).toHaveAttribute('data-trace-hash', here.hash);
  await expect(root(other)).toHaveAttribute('data-time', here.time);
  await expect(server(other, victim)).toHaveAttribute('data-running', 'false');
});

test('after a seek and a fork, data-trace-hash is that of raft-sim run of the recording', async ({ page }) => {
  await openPage(page, '?speed=5', `#s=${base64url(STORY)}`);
  await page.evaluate(() => window.playground.timeline.seek(4321));
  await expect(root(page)).toHaveAttribute('data-time', '4321');
  await page.getByRole('button', { name: 'Put' }).click();
  await page.evaluate(() => window.playground.timeline.seek(4400));
  await expect(root(page)).toHaveAttribute('data-live', 'true');
  await page.evaluate(() => window.playground.timeline.seek(4100));
  const text = await page.evaluate(() => window.playground.model.recorded());
  const hash = await root(page).getAttribute('data-trace-hash');
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/fork-after-seek.scn', text);
  let out;
  try {
    out = execFileSync(raftSim(), ['run', 'test-results/fork-after-seek.scn', '--json'], { encoding: 'utf8' });
  } catch (e) {
    out = e.stdout; // exit status 1 still prints the report
  }
  expect(JSON.parse(out).trace_hash).toBe(hash);
  // And a fresh handle on the same text agrees too.
  const again = await page.evaluate((t) => {
    const pg = new window.playground.model.Playground(t);
    const h = pg.traceHash();
    pg.free();
    return h;
  }, text);
  expect(again).toBe(hash);
});

test('import a .scn file, export the scenario and the trace', async ({ page }) => {
  await openPage(page);
  const scn = readFileSync('scenarios/bugs/stale-read.scn', 'utf8');
  await page.locator('[data-control="import"]').setInputFiles({ name: 'stale-read.scn', mimeType: 'text/plain', buffer: Buffer.from(scn) });
  await expect(root(page)).toHaveAttribute('data-paused', 'true');
  await expect(root(page)).toHaveAttribute('data-safe', 'false');
  const time = await root(page).getAttribute('data-time');
  const hash = await root(page).getAttribute('data-trace-hash');
  // The history lane marks the operations of the violation.
  await expect(page.locator('[data-history-lane] .not-linearizable').first()).toBeAttached();
  await expect(page.locator('[data-history-note]')).toContainText('Not linearizable');
  await shot(page, '63-imported-violation');

  const [scnDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export .scn' }).click(),
  ]);
  expect(scnDownload.suggestedFilename()).toMatch(/\.scn$/);
  const exported = readFileSync(await scnDownload.path(), 'utf8');
  expect(exported.trimEnd()).toBe(scn.trimEnd());

  const [traceDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export trace' }).click(),
  ]);
  expect(traceDownload.suggestedFilename()).toMatch(/\.jsonl$/);
  const lines = readFileSync(await traceDownload.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.length).toBeGreaterThan(50);
  for (const e of lines) {
    expect(Object.keys(e).sort()).toEqual(['text', 'time_ms']);
    expect(e.time_ms).toBeLessThanOrEqual(Number(time));
  }
  expect(lines.some((e) => /violation|client \d+ get/.test(e.text))).toBe(true);
  // The trace is the run's: hashing its lines as the simulator does gives the page's hash.
  const fnv = (rows) => {
    let h = 0xcbf29ce484222325n;
    for (const r of rows) {
      for (const b of Buffer.from(`${r.time_ms}ms ${r.text}\n`)) {
        h ^= BigInt(b);
        h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
      }
    }
    return h.toString(16).padStart(16, '0');
  };
  expect(fnv(lines)).toBe(hash);

  // A file with an error: named line and column, and the run that was there stays.
  await page.locator('[data-control="import"]').setInputFiles({ name: 'broken.scn', mimeType: 'text/plain', buffer: Buffer.from('nodes 3\nrun 100ms\ncrash S7\n') });
  const alert = page.getByRole('alert').filter({ hasText: /broken\.scn.*line 3, column 7/ });
  await expect(alert).toBeVisible();
  expect(await page.evaluate(() => window.playground.model.pg.recordedAll())).toContain('bug stale-read');
  await page.getByRole('button', { name: 'Dismiss message' }).click();
  // The page stays usable: time goes on.
  if (await root(page).getAttribute('data-paused') === 'true') await page.getByRole('button', { name: 'Play' }).click();
  await expect.poll(async () => Number(await root(page).getAttribute('data-time'))).toBeGreaterThan(Number(time));
});

test('the message diagram and the client lane follow the timeline', async ({ page }) => {
  const text = 'nodes 5\nseed 5\nloss 10%\nrun until leader\nput a 1\nrun 300ms\nput b 2\nrun 400ms\n';
  await openPage(page, '?speed=5', `#s=${base64url(text)}`);
  const diagram = page.locator('[data-diagram]');
  await expect(diagram.locator('[data-msg][data-state="delivered"]').first()).toBeAttached();
  await expect(page.locator('[data-history-lane] [data-outcome="ok"]').first()).toBeAttached();
  // Hover shows a message's summary.
  const msg = diagram.locator('[data-msg][data-state="delivered"]').last();
  await msg.hover({ force: true });
  await expect(page.locator('[data-message-summary]')).toContainText(/S\d->S\d|C\d+->S\d|S\d->C\d+/);
  // Keyboard: focus the diagram, arrows walk through the messages.
  await diagram.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.locator('[data-message-summary]')).toContainText(/sent \d+ ms/);
  await expect(diagram.locator('[data-msg].selected')).toHaveCount(1);
  await shot(page, '64-lanes');
  // Back in time the lanes show that instant: nothing sent after it, later fates unknown.
  const leader = await page.evaluate(() => window.playground.model.pg.timeline().marks.find((m) => m.kind === 'leader').time_ms);
  await page.evaluate((t) => window.playground.timeline.seek(t + 20), leader);
  const at = Number(await root(page).getAttribute('data-time'));
  const sent = await diagram.locator('[data-msg]').evaluateAll((els) => els.map((e) => Number(/sent (\d+) ms/.exec(e.dataset.summary)[1])));
  expect(sent.length).toBeGreaterThan(0);
  expect(Math.max(...sent)).toBeLessThanOrEqual(at);
  await expect(diagram.locator('[data-msg][data-state="flying"]').first()).toBeAttached();
  await expect(page.locator('[data-history-lane] [data-outcome="ok"]')).toHaveCount(0);
  await expect(page.locator('[data-history-lane] [data-outcome="pending"]')).toHaveCount(1);
});

// The 50 ms goal for a seek is measured here and written to test-results/seek-benchmark.json
// (BENCHMARKS.md), not asserted: a busy machine must not fail a test. What is asserted is what
// bounds the cost on any machine: a seek lands on the instant asked for, replaying from the
// nearest checkpoint, and checkpoints are at most 10 s of simulated time apart.
test('seek: any instant of a 10-minute busy run, from a checkpoint at most 10 s before it', async ({ page }) => {
  test.setTimeout(120_000);
  // Writes every half second, a crash and a partition every half minute, for ten minutes.
  let text = 'nodes 5\nseed 3\nrun until leader\n';
  for (let i = 0; i < 1200; i++) {
    text += `put k${i % 7} v${i}\n`;
    if (i % 60 === 20) text += 'crash leader\n';
    if (i % 60 === 40) text += 'restart S1\nrestart S2\nrestart S3\nrestart S4\nrestart S5\npartition S1 S2 | S3 S4 S5\n';
    if (i % 60 === 50) text += 'heal\n';
    text += 'run 500ms\n';
  }
  await openPage(page);
  const result = await page.evaluate((text) => {
    const Pg = window.playground.model.Playground;
    const t0 = performance.now();
    const pg = new Pg(text);
    const loadMs = performance.now() - t0;
    const end = pg.endMs();
    const times = [];
    const landed = [];
    let x = 12345;
    for (let i = 0; i < 40; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const t = x % end;
      const s = performance.now();
      pg.seek(t);
      times.push(performance.now() - s);
      landed.push([t, pg.time()]);
    }
    const s = performance.now();
    pg.live();
    const liveMs = performance.now() - s;
    const tl = pg.timeline();
    pg.free();
    times.sort((a, b) => a - b);
    return { loadMs, endMs: end, median: times[20], p95: times[37], max: times[39], liveMs, checkpoints: tl.checkpoints, interval: tl.checkpoint_interval_ms, landed };
  }, text);
  const { landed, ...times } = result;
  console.log(`seek benchmark (headless chromium): ${JSON.stringify(times)}`);
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/seek-benchmark.json', JSON.stringify(times, null, 2));
  expect(result.endMs).toBeGreaterThanOrEqual(600_000);
  for (const [asked, at] of landed) expect(at).toBe(asked);
  expect(result.interval).toBeLessThanOrEqual(10_000);
  expect(result.checkpoints * result.interval).toBeGreaterThanOrEqual(result.endMs - result.interval);
});
