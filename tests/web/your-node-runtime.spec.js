// A scenario of `protocol js` (a node written in JavaScript, NODE-API.md) in the real page: its
// simulator and its code run in a Web Worker (web/your-node/worker.js), behind the same page.
// Opened by share link as a person would, then crashed, partitioned, travelled in time and shared;
// a node that throws and one that never returns are reported with the page still usable.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { encodeScenario } from '../../web/share.js';
import { openPage, root, server, waitForLeader, servers, centre, dragToLeftEdge } from './helpers.js';

const RAFT = readFileSync(new URL('../../web/your-node/starters/raft.js', import.meta.url), 'utf8');

/** A scenario of the teaching Raft on `nodes` servers, then `tail` (scenario lines). */
function raftScenario(nodes = 5, tail = '') {
  return `nodes ${nodes}\nseed 7\nprotocol js\ncode\n${RAFT.trimEnd()}\nend\n${tail}`;
}

/** A scenario whose node is `code`. */
function nodeScenario(code, tail = 'run 1s\n') {
  return `nodes 3\nseed 1\nprotocol js\ncode\n${code.trimEnd()}\nend\n${tail}`;
}

/** What `npm run judge -- FILE --json` says of `text`. */
function judge(text) {
  const out = execFileSync('node', ['--experimental-vm-modules', '--no-warnings', 'scripts/judge.mjs', '-', '--json'], { input: text, encoding: 'utf8' });
  return JSON.parse(out);
}

async function openLink(page, text, query = '?speed=1') {
  await openPage(page, query, `#s=${encodeScenario(text)}`);
  // The js run replaces the run the page starts with once its worker has replayed the link.
  await expect(page.locator('[data-recorded]')).toContainText('protocol js');
}

/** Wait until the worker has answered everything the page asked of it. */
async function settled(page) {
  await page.evaluate(() => window.playground.model.pg.settled());
}

async function errorText(page) {
  return page.locator('[data-error]').textContent();
}

test('a share link of the teaching Raft: a leader is drawn, a write commits, crash and partition work through the page', async ({ page }) => {
  await openLink(page, raftScenario(5, 'run until leader within 5s\n'));
  const r = root(page);
  await expect(r).toHaveAttribute('data-paused', 'true');
  const leader = await waitForLeader(page);
  // Drawn like Raft: the leader's term, and a role for every server.
  expect((await servers(page))[leader].term).toBeGreaterThan(0);

  // A client write, as a person types it, commits.
  await page.getByRole('button', { name: 'Play' }).click();
  // The node's messages are labelled with their own `type` (heartbeats come every 50 ms).
  await expect.poll(() => page.locator('[data-cluster] [data-kind="AppendEntries"] .msg-word').allTextContents(), { timeout: 20_000 })
    .toContain('AppendEntries');
  await page.locator('[name="key"]').fill('x');
  await page.locator('[name="value"]').fill('1');
  await page.getByRole('button', { name: 'Put' }).click();
  await expect(page.locator('[data-recorded]')).toContainText('put x 1');
  await expect.poll(async () => (await servers(page))[leader].commit, { timeout: 20_000 }).toBeGreaterThan(0);

  // Crash the leader by clicking it: another server takes over.
  await server(page, leader).click();
  await expect(server(page, leader)).toHaveAttribute('data-running', 'false');
  const next = await waitForLeader(page, { exclude: [leader] });
  expect(next).not.toBe(leader);
  await server(page, leader).click();
  await expect(server(page, leader)).toHaveAttribute('data-running', 'true');

  // Drag two servers away: the page's partition, and the recording says it.
  await dragToLeftEdge(page, ['S1', 'S2']);
  await expect(r).toHaveAttribute('data-partition', 'S1 S2 | S3 S4 S5');
  await expect(page.locator('[data-recorded]')).toContainText('partition S1 S2 | S3 S4 S5');
  await waitForLeader(page, { among: ['S3', 'S4', 'S5'] });
  await expect(r).toHaveAttribute('data-safe', 'true');
});

/** Start listening for the page's `yournode-error` events (kept on window for the test). */
async function collectNodeErrors(page) {
  await page.evaluate(() => {
    window.nodeErrors = [];
    document.querySelector('[data-playground]').addEventListener('yournode-error', (e) => window.nodeErrors.push(e.detail));
  });
}

/** The page is usable: the built-in Raft loads from a share link and elects a leader. */
async function builtInRaftRuns(page) {
  await page.goto(`./?speed=5#s=${encodeScenario('nodes 3\nseed 2\nrun until leader\n')}`);
  await expect(page.locator('[data-recorded]')).not.toContainText('protocol js');
  await expect(root(page)).not.toHaveAttribute('data-node-error');
  await waitForLeader(page);
}

/** Open a 3-server run of `code` by share link (node errors collected) and press Play. */
async function playNode(page, code) {
  await openPage(page, '?speed=5');
  await collectNodeErrors(page);
  await page.goto(`./?speed=5#s=${encodeScenario(nodeScenario(code, 'run 100ms\n'))}`);
  await expect(page.locator('[data-recorded]')).toContainText('protocol js');
  await page.getByRole('button', { name: 'Play' }).click();
}

const THROWS = `export default function node(ctx) {
  return {
    onStart() { ctx.setTimer('tick', 200); },
    onTimer(name) {
      if (ctx.id === 'S2') {
        const state = null;
        return state.term; // line 7: a TypeError
      }
      ctx.setTimer('tick', 200);
    },
  };
}`;

test('a node that throws: the run pauses at that instant and the page names server, event, time and line', async ({ page }) => {
  await playNode(page, THROWS);
  const r = root(page);
  await expect(r).toHaveAttribute('data-node-error', 'throw');
  await expect(r).toHaveAttribute('data-paused', 'true');
  await expect(r).toHaveAttribute('data-node-error-server', 'S2');
  await expect(r).toHaveAttribute('data-node-error-event', 'timer tick');
  await expect(r).toHaveAttribute('data-node-error-time', '200');
  await expect(r).toHaveAttribute('data-node-error-line', '7');
  // The run stopped at that instant: the clock stands at 200 ms, and stays there.
  await expect(r).toHaveAttribute('data-time', '200');
  const text = await errorText(page);
  expect(text).toContain('TypeError');
  expect(text).toMatch(/S2.*timer tick.*200 ms.*module line 7/);
  const events = await page.evaluate(() => window.nodeErrors);
  expect(events).toEqual([expect.objectContaining({ kind: 'throw', server: 'S2', event: 'timer tick', timeMs: 200, line: 7 })]);
  // Play again: nothing more happens (the run is stopped), and the page still answers.
  await page.getByRole('button', { name: 'Play' }).click();
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(r).toHaveAttribute('data-time', '200');
  // Its share link replays into the same error, shown as soon as the run is opened.
  const recorded = await page.evaluate(() => window.playground.model.recorded());
  await page.goto('about:blank');
  await page.goto(`./?speed=5#s=${encodeScenario(recorded)}`);
  await expect(page.locator('[data-recorded]')).toContainText('protocol js');
  await expect(r).toHaveAttribute('data-node-error', 'throw');
  await expect(r).toHaveAttribute('data-node-error-line', '7');
  await expect(r).toHaveAttribute('data-time', '200');
  await builtInRaftRuns(page);
});

test('a module that does not parse is refused before anything runs, with its line and column', async ({ page }) => {
  await openPage(page, '?speed=5');
  await page.getByRole('button', { name: 'Pause' }).click();
  await collectNodeErrors(page);
  const before = await root(page).getAttribute('data-trace-hash');
  await page.evaluate((text) => window.playground.load(text), nodeScenario('export default function node(ctx) {\n  return {\n    onStart() { ctx.report( }\n  };\n}'));
  const r = root(page);
  await expect(r).toHaveAttribute('data-node-error', 'syntax');
  await expect(r).toHaveAttribute('data-node-error-line', '3');
  expect(Number(await r.getAttribute('data-node-error-column'))).toBeGreaterThan(0);
  expect(await errorText(page)).toMatch(/does not parse.*module line 3, column \d+/);
  // Nothing ran: the run that was there is still the one shown.
  await expect(page.locator('[data-recorded]')).not.toContainText('protocol js');
  expect(await r.getAttribute('data-trace-hash')).toBe(before);
  // A module with no factory is refused too.
  await page.evaluate((text) => window.playground.load(text), nodeScenario('export const x = 1;'));
  await expect(page.locator('[data-error]')).toContainText('must export a factory');
  const kinds = await page.evaluate(() => window.nodeErrors.map((e) => e.kind));
  expect(kinds).toEqual(['syntax', 'syntax']);
  // A scenario line that does not parse is the page's usual error, naming its line.
  await page.evaluate((text) => window.playground.load(text), nodeScenario('export default () => ({});', 'run 1s\nfrobnicate S1\n'));
  await expect(page.locator('[data-error]')).toContainText('line 8, column 1');
  expect(await page.evaluate(() => window.nodeErrors.length)).toBe(2);
  await expect(page.locator('[data-recorded]')).not.toContainText('protocol js');
});

const LOOPS = `export default function node(ctx) {
  return {
    onStart() { ctx.setTimer('spin', 300); },
    onTimer(name) {
      let n = 0;
      while (ctx.id === 'S3') n++;
      ctx.setTimer('spin', 300);
    },
  };
}`;

/**
 * The page's report of a handler that never returned: the worker stopped (`timeout`), the
 * server, event and instant, and the loop's line, found by the replay that guards every loop
 * (web/your-node/guard.js), in the attributes and in the words shown.
 */
async function expectHang(page, { server, event, time, line }) {
  const r = root(page);
  await expect(r).toHaveAttribute('data-node-error', 'timeout', { timeout: 15_000 });
  await expect(r).toHaveAttribute('data-node-error-server', server);
  await expect(r).toHaveAttribute('data-node-error-event', event);
  await expect(r).toHaveAttribute('data-node-error-time', String(time));
  await expect(r).toHaveAttribute('data-node-error-line', String(line));
  expect(await errorText(page)).toMatch(new RegExp(`${server} did not return from ${event} at ${time}ms.*module line ${line}`));
}

test('an endless loop: the worker is stopped, the page names server, event and time, and stays usable', async ({ page }) => {
  await playNode(page, LOOPS);
  const r = root(page);
  await expectHang(page, { server: 'S3', event: 'timer spin', time: 300, line: 6 });
  await expect(r).toHaveAttribute('data-node-error-column', '7');
  await expect(r).toHaveAttribute('data-paused', 'true');
  // The page's own controls still answer while the node's worker is gone.
  await page.getByRole('button', { name: 'Share' }).click();
  await expect(page.locator('[data-share-link]')).toContainText('#s=');
  await page.keyboard.press('Escape');
  // The same code can be run again (it stops again the same way), and the built-in Raft loads.
  await page.evaluate((text) => window.playground.load(text, { paused: false }), nodeScenario(LOOPS, 'run 100ms\n'));
  await expect(r).not.toHaveAttribute('data-node-error');
  await expect(r).toHaveAttribute('data-node-error', 'timeout', { timeout: 15_000 });
  await builtInRaftRuns(page);
});

const FOR_OF = `export default function node(ctx) {
  return {
    onStart() { ctx.setTimer('walk', 200); },
    onTimer(name) {
      const seen = new Set([0]);
      for (const k of seen) {
        if (ctx.id === 'S2') { seen.delete(k); seen.add(k + 1); }
      }
    },
  };
}`;

test('an endless for…of loop is named by its line too (the guard goes first in its block)', async ({ page }) => {
  await playNode(page, FOR_OF);
  await expectHang(page, { server: 'S2', event: 'timer walk', time: 200, line: 6 });
});

test('time travel over a node written in JavaScript: back and forth gives the same snapshot', async ({ page }) => {
  await openLink(page, raftScenario(3, 'run until leader within 5s\nput x 1\nrun 500ms\ncrash leader\nrun 1s\nput y 2\nrun 1s\n'));
  const r = root(page);
  const shown = async () => {
    await settled(page);
    return page.evaluate(() => {
    const s = window.playground.model.snapshot();
      return JSON.stringify({ t: s.time_ms, nodes: s.nodes, history: s.history, hash: window.playground.model.traceHash() });
    });
  };
  const end = Number(await r.getAttribute('data-time'));
  const atEnd = await shown();
  const slider = page.getByRole('slider', { name: 'Timeline' });
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(r).toHaveAttribute('data-time', '0');
  await expect(page.locator('[data-timeline]')).toHaveAttribute('data-live', 'false');
  for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
  await expect(r).toHaveAttribute('data-time', '1200');
  const at1200 = await shown();
  await page.keyboard.press('Shift+ArrowRight');
  await expect(r).toHaveAttribute('data-time', '2200');
  await page.keyboard.press('Home');
  await expect(r).toHaveAttribute('data-time', '0');
  for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
  await expect(r).toHaveAttribute('data-time', '1200');
  expect(await shown()).toBe(at1200);
  await page.getByRole('button', { name: 'Live' }).click();
  await page.getByRole('button', { name: 'Pause' }).click();
  // Back at the end of the recording (it may have run on a little since Live): the same run.
  await expect.poll(async () => Number(await r.getAttribute('data-time'))).toBeGreaterThanOrEqual(end);
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(r).toHaveAttribute('data-time', '0');
  await page.evaluate((t) => { window.playground.timeline.seek(t); }, end);
  await expect(r).toHaveAttribute('data-time', String(end));
  expect(await shown()).toBe(atEnd);
});

test("the classroom's goal check works on a js run (answered from the worker)", async ({ page }) => {
  await openLink(page, raftScenario(3, 'run until leader within 5s\nput x 1\nrun 500ms\n'));
  const check = (goal) => page.evaluate(async (goal) => {
    const pg = window.playground.model.pg;
    pg.check(goal); // asked once: computed with every state from now on
    pg.advance(1);
    await pg.settled();
    return pg.check(goal);
  }, goal);
  const holds = await check('expect value x 1');
  expect(holds).toEqual([expect.objectContaining({ passed: true })]);
  const fails = await check('expect value x 2');
  expect(fails).toEqual([expect.objectContaining({ passed: false })]);
});

test('a share link of a js run carries its code and replays to the trace_hash the judge gives', async ({ page }) => {
  await openLink(page, raftScenario(5, 'run until leader within 5s\nput x 1\nrun 300ms\n'));
  const r = root(page);
  await page.getByRole('button', { name: 'Play' }).click();
  await server(page, 'S4').click();
  await expect(server(page, 'S4')).toHaveAttribute('data-running', 'false');
  await page.locator('[name="key"]').fill('y');
  await page.locator('[name="value"]').fill('7');
  await page.getByRole('button', { name: 'Put' }).click();
  await expect(page.locator('[data-recorded]')).toContainText('put y 7');
  await expect.poll(async () => Number(await r.getAttribute('data-time'))).toBeGreaterThan(2000);
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByRole('button', { name: 'Share' }).click();
  await expect(page.locator('[data-share-out]')).toHaveAttribute('data-copied', /true|false/);
  const link = await page.locator('[data-share-link]').textContent();
  const hash = await r.getAttribute('data-trace-hash');
  const recorded = await page.evaluate(() => window.playground.model.recorded());
  expect(recorded).toContain('code\n');
  expect(recorded).toContain('§5.2'); // the teaching Raft's own comments: the code travels whole
  // The judge, on the same text: the same trace_hash.
  expect(judge(recorded).trace_hash).toBe(hash);
  // The trace exports too (the worker replays the recording for it).
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export trace' }).click()]);
  const trace = readFileSync(await download.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(trace.length).toBeGreaterThan(100);
  expect(trace.some((l) => /RequestVote/.test(l.text))).toBe(true);
  // Opening the link replays to the same instant and hash.
  await page.goto('about:blank');
  await page.goto(link);
  await expect(page.locator('[data-recorded]')).toContainText('protocol js');
  await expect(r).toHaveAttribute('data-trace-hash', hash);
  await expect(r).toHaveAttribute('data-paused', 'true');
  await expect(server(page, 'S4')).toHaveAttribute('data-running', 'false');
});
