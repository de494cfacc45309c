// The classroom: exercises solved by clicking and dragging as a student would, graded live and
// by `raft-sim run`; a failed attempt stays unsolved; counterexample search for every bug.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  openPage, root, server, centre, drag, dragToLeftEdge, shot, waitForLeader, raftSim,
} from './helpers.js';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
/**
 * Every bug of the Break Raft list with the number of schedules its search may take. The six
 * of the first plan are held to the page's whole budget; the two read bugs hide behind slow
 * links, leadership bounces and leases, which the fuzzer's `reads` profile reaches, and are held
 * to tighter budgets.
 */
const BUG_BUDGETS = {
  'vote-any-log': 1000, 'commit-old-terms': 50, 'forget-vote': 1000, 'skip-prev-check': 50,
  'small-quorum': 1000, 'stale-read': 1000, 'read-index-any-term': 100, 'lease-forget-leader': 400,
};
/**
 * The search tries seeds 1, 2, … (web/classroom.js MAX_SEEDS): finding a bug means finding it
 * within that many schedules, the same seed on every machine. How long it takes is measured by
 * `npm run bench:search` (bench/search.mjs, BENCHMARKS.md), never asserted here: a busy machine
 * must not fail a test.
 */
const SEARCH_BUDGET = 1000;

function grade(text) {
  mkdirSync('test-results', { recursive: true });
  const path = `test-results/submission-${process.pid}-${Math.random().toString(36).slice(2)}.scn`;
  writeFileSync(path, text);
  try {
    execFileSync(raftSim(), ['run', path], { stdio: 'pipe' });
    return 0;
  } catch (e) {
    return e.status;
  }
}

async function openExercise(page, id, query = '?speed=5') {
  await openPage(page, query);
  await page.getByRole('button', { name: 'Exercises' }).click();
  await page.getByLabel('Exercise', { exact: true }).selectOption(id);
  const panel = page.locator('[data-exercise]');
  await expect(panel).toBeVisible();
  await expect(panel).toHaveAttribute('data-exercise', id);
  await expect(panel).toHaveAttribute('data-solved', 'false');
  return panel;
}

async function clickServer(page, id) {
  const c = await centre(page, id);
  await page.mouse.click(c.x, c.y);
}

/** The file "Download file" hands in. */
async function handInFile(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download file' }).click(),
  ]);
  return readFileSync(await download.path(), 'utf8');
}

test('exercise "elect a leader": restart three servers by clicking; the link and the file hand it in', async ({ page, context }) => {
  const panel = await openExercise(page, 'elect-leader');
  await expect(page.locator('[data-exercise-title]')).toHaveText('Elect a leader');
  for (const id of ['S1', 'S2', 'S3', 'S4', 'S5']) await expect(server(page, id)).toHaveAttribute('data-running', 'false');
  // Hints come one at a time.
  const hint = page.getByRole('button', { name: /Show hint 1 of 3/ });
  await hint.click();
  await expect(page.locator('[data-hints] li')).toHaveCount(1);
  await page.getByRole('button', { name: /Show hint 2 of 3/ }).click();
  await expect(page.locator('[data-hints] li')).toHaveCount(2);

  for (const id of ['S1', 'S2', 'S3']) {
    await clickServer(page, id);
    await expect(server(page, id)).toHaveAttribute('data-running', 'true');
  }
  await expect(panel).toHaveAttribute('data-solved', 'true');
  await expect(page.locator('[data-exercise-status]')).toContainText('Solved');
  await expect(page.locator('[data-explain]')).toBeVisible();
  await expect(page.locator('[data-explain]')).toContainText('majority');
  await expect(page.locator('[data-goal] li.passed')).toHaveCount(1);
  await expect(page.locator('[data-recorded]')).toContainText('expect leader');
  await shot(page, '40-exercise-solved');

  const file = await handInFile(page);
  expect(file).toMatch(/^# exercise: elect-leader\n/);
  expect(grade(file)).toBe(0);

  await page.getByRole('button', { name: 'Link', exact: true }).click();
  const link = await page.locator('[data-hand-in-link]').getAttribute('href');
  expect(link).toMatch(/#ex=elect-leader&s=[A-Za-z0-9_-]+$/);
  const teacher = await context.newPage();
  await teacher.goto(link);
  await expect(teacher.locator('[data-exercise]')).toHaveAttribute('data-solved', 'true');
  await expect(root(teacher)).toHaveAttribute('data-paused', 'true');
  await expect(teacher.locator('[data-exercise-title]')).toHaveText('Elect a leader');
});

test('exercise "split the network so that nobody can lead": drag servers into groups of 2, 2 and 1', async ({ page }) => {
  const panel = await openExercise(page, 'split-no-leader');
  await waitForLeader(page);
  await dragToLeftEdge(page, ['S1', 'S2']);
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 | S3 S4 S5');
  // S5 to the far right: a group of its own.
  const box = await page.locator('[data-cluster]').boundingBox();
  await drag(page, await centre(page, 'S5'), { x: box.x + box.width - 40, y: box.y + box.height / 2 });
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 | S3 S4 | S5');
  await expect(panel).toHaveAttribute('data-solved', 'true', { timeout: 30_000 });
  await expect(page.locator('[data-exercise-status]')).toContainText('held for 2');
  await shot(page, '41-exercise-partition-solved');
  expect(grade(await handInFile(page))).toBe(0);
});

test('exercise "bring a server up to date" and "commit with two down": a click and the Book button', async ({ page }) => {
  let panel = await openExercise(page, 'catch-up');
  await expect(server(page, 'S5')).toHaveAttribute('data-running', 'false');
  await clickServer(page, 'S5');
  await expect(panel).toHaveAttribute('data-solved', 'true');
  expect(grade(await handInFile(page))).toBe(0);

  await page.getByLabel('Exercise', { exact: true }).selectOption('commit-with-two-down');
  panel = page.locator('[data-exercise]');
  await expect(panel).toHaveAttribute('data-solved', 'false');
  await expect(server(page, 'S4')).toHaveAttribute('data-running', 'false');
  await waitForLeader(page);
  await page.getByRole('button', { name: 'Book bike #42' }).click();
  await expect(panel).toHaveAttribute('data-solved', 'true');
  expect(grade(await handInFile(page))).toBe(0);
});

test('exercise "make a leader lose a write": drag the leader away before its messages land, then heal', async ({ page }) => {
  const panel = await openExercise(page, 'lose-a-write');
  // The exercise starts paused, with S1's AppendEntries on the wire.
  await expect(root(page)).toHaveAttribute('data-paused', 'true');
  await expect(server(page, 'S1')).toHaveAttribute('data-role', 'leader');
  await dragToLeftEdge(page, ['S1']);
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 | S2 S3 S4 S5');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await waitForLeader(page, { among: ['S2', 'S3', 'S4', 'S5'] });
  await page.getByRole('button', { name: 'Heal' }).click();
  await expect(panel).toHaveAttribute('data-solved', 'true');
  await shot(page, '45-exercise-lost-write');
  expect(grade(await handInFile(page))).toBe(0);
});

test('exercise "two leaders at once": drag the leader away', async ({ page }) => {
  const panel = await openExercise(page, 'two-leaders');
  await expect(server(page, 'S1')).toHaveAttribute('data-role', 'leader');
  await dragToLeftEdge(page, ['S1']);
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 | S2 S3 S4 S5');
  await expect(panel).toHaveAttribute('data-solved', 'true', { timeout: 30_000 });
  // Two leaders, each in a term of its own.
  await expect(page.locator('[data-node][data-role="leader"]')).toHaveCount(2);
  await expect(server(page, 'S1')).toHaveAttribute('data-term', '1');
  await shot(page, '46-exercise-two-leaders');
  expect(grade(await handInFile(page))).toBe(0);
});

test('exercise "Pre-Vote keeps the peace": too late once S5\'s term has climbed, solved with the switch on first', async ({ page }) => {
  let panel = await openExercise(page, 'prevote');
  await dragToLeftEdge(page, ['S5']);
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 S3 S4 | S5');
  // Without Pre-Vote, S5's failed elections raise its term.
  await expect.poll(async () => Number(await server(page, 'S5').getAttribute('data-term')), { timeout: 30_000 }).toBeGreaterThan(2);
  await page.getByRole('switch', { name: 'Pre-Vote' }).check();
  await expect(server(page, 'S5')).toHaveAttribute('data-role', 'pre-candidate', { timeout: 30_000 });
  await expect(panel).toHaveAttribute('data-solved', 'false');
  await expect(page.locator('[data-exercise-status]')).toContainText('Not solved');
  expect(grade(await handInFile(page))).toBe(1);

  // Again, Pre-Vote first.
  await page.getByLabel('Exercise', { exact: true }).selectOption('disruptive-rejoin');
  await page.getByLabel('Exercise', { exact: true }).selectOption('prevote');
  panel = page.locator('[data-exercise]');
  await expect(panel).toHaveAttribute('data-solved', 'false');
  await expect(server(page, 'S5')).toHaveAttribute('data-term', '1');
  await page.getByRole('switch', { name: 'Pre-Vote' }).check();
  await dragToLeftEdge(page, ['S5']);
  await expect(panel).toHaveAttribute('data-solved', 'true', { timeout: 30_000 });
  await expect(server(page, 'S5')).toHaveAttribute('data-term', '1');
  await shot(page, '47-exercise-prevote');
  expect(grade(await handInFile(page))).toBe(0);
});

test('a failed attempt is not marked solved, and its file fails grading', async ({ page }) => {
  const panel = await openExercise(page, 'elect-leader');
  await clickServer(page, 'S1');
  await clickServer(page, 'S2');
  const t0 = Number(await root(page).getAttribute('data-time'));
  // Two of five can never elect a leader: give them three seconds of simulated time.
  await expect.poll(async () => Number(await root(page).getAttribute('data-time')), { timeout: 20_000 }).toBeGreaterThan(t0 + 3000);
  await expect(panel).toHaveAttribute('data-solved', 'false');
  await expect(page.locator('[data-exercise-status]')).toContainText('Not solved');
  await expect(page.locator('[data-explain]')).toBeHidden();
  await expect(page.locator('[data-goal] li.failed')).toHaveCount(1);
  const file = await handInFile(page);
  expect(file).toContain('expect leader');
  expect(grade(file)).toBe(1);
});

test('a bug switched on mid-run is recorded, and its switch stays on', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  await page.getByRole('button', { name: 'Break Raft' }).click();
  const sw = page.getByRole('switch', { name: /vote-any-log/ });
  await sw.check();
  await expect(page.locator('[data-recorded]')).toContainText('bug vote-any-log');
  await expect(sw).toBeChecked();
  await expect(sw).toBeDisabled();
});

test('axe: no violations with the exercise and Break Raft drawers open', async ({ page }) => {
  await openExercise(page, 'stale-read');
  await page.getByRole('button', { name: /Show hint 1/ }).click();
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.addScriptTag({ path: AXE });
  const run = () => page.evaluate(async () => (await window.axe.run(document)).violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')) })));
  expect(await run()).toEqual([]);
  await shot(page, '42-exercise-drawer');
  await page.getByRole('button', { name: 'Break Raft' }).click();
  await expect(page.locator('[data-drawer="break"]')).toBeVisible();
  expect(await run()).toEqual([]);
  await shot(page, '43-break-drawer');
});

test('the classroom loads only when a drawer opens, with a visible loading state', async ({ page }) => {
  const fetched = [];
  page.on('request', (r) => fetched.push(r.url()));
  // Hold the classroom's script until the loading state has been seen.
  let release;
  const held = new Promise((r) => { release = r; });
  await page.context().route(/\/classroom-[\w-]+\.js$/, async (route) => { await held; await route.continue(); });
  await openPage(page);
  expect(fetched.filter((u) => /\/classroom-/.test(u)), 'the first load has no classroom').toEqual([]);
  await page.getByRole('button', { name: 'Exercises' }).click();
  await expect(page.locator('[data-drawer="exercises"]')).toBeVisible();
  await expect(root(page)).toHaveAttribute('data-classroom-loading', 'true');
  await expect(page.locator('[data-drawer="exercises"] [data-classroom-note]')).toHaveText('Loading the exercises and Break Raft…');
  await expect(page.getByLabel('Exercise', { exact: true })).toBeDisabled();
  release();
  await expect(root(page)).not.toHaveAttribute('data-classroom-loading', /.*/, { timeout: 30_000 });
  await expect(page.locator('[data-drawer="exercises"] [data-classroom-note]')).toBeHidden();
  await page.getByLabel('Exercise', { exact: true }).selectOption('elect-leader');
  await expect(page.locator('[data-exercise]')).toHaveAttribute('data-exercise', 'elect-leader');
});

test('a classroom that cannot be loaded says so, and the page goes on', async ({ page }) => {
  await page.context().route(/\/classroom-[\w-]+\.js$/, (route) => route.abort());
  await openPage(page);
  await page.getByRole('button', { name: 'Break Raft' }).click();
  await expect(page.locator('[data-drawer="break"] [data-classroom-note]')).toContainText('could not be loaded', { timeout: 30_000 });
  await expect(root(page)).toHaveAttribute('data-classroom-error', 'true');
  await expect(root(page)).not.toHaveAttribute('data-classroom-loading', /.*/);
  await page.getByRole('button', { name: 'Close Break Raft' }).click();
  // The run itself is untouched, and an exercise link says what went wrong.
  await expect(root(page)).toHaveAttribute('data-safe', 'true');
  await expect(page.locator('[data-node="S1"]')).toBeVisible();
  await page.goto('./?speed=5#ex=elect-leader');
  await expect(page.getByRole('alert').filter({ hasText: /exercise link could not be opened/ })).toBeVisible();
  await expect(page.locator('[data-node="S1"]')).toBeVisible();
});

test('the search module loads only when Break Raft opens, with a visible loading state', async ({ page }) => {
  const fetched = [];
  page.on('request', (r) => fetched.push(r.url()));
  // Hold the search's module until the loading state has been seen.
  let release;
  const held = new Promise((r) => { release = r; });
  await page.context().route(/raft_wasm_full_bg.*\.wasm$/, async (route) => { await held; await route.continue(); });
  await openPage(page);
  expect(fetched.filter((u) => /raft_wasm_full/.test(u)), 'the first load has no search module').toEqual([]);
  await page.getByRole('button', { name: 'Break Raft' }).click();
  await expect(root(page)).toHaveAttribute('data-search-loading', 'true');
  await expect(page.locator('[data-fuzz-status]')).toHaveText('Loading the counterexample search…');
  release();
  await expect(root(page)).not.toHaveAttribute('data-search-loading', /.*/, { timeout: 30_000 });
  await expect(page.locator('[data-fuzz-status]')).toHaveText('');
});

test('a search module that cannot be loaded says so, and the page goes on', async ({ page }) => {
  await page.context().route(/raft_wasm_full_bg.*\.wasm$/, (route) => route.abort());
  await openPage(page);
  await page.getByRole('button', { name: 'Break Raft' }).click();
  await expect(page.locator('[data-fuzz-status]')).toContainText('The counterexample search could not be loaded', { timeout: 30_000 });
  await expect(root(page)).not.toHaveAttribute('data-search-loading', /.*/);
  // The run itself is untouched.
  await expect(root(page)).toHaveAttribute('data-safe', 'true');
  await expect(page.locator('[data-node="S1"]')).toBeVisible();
});

test('the search can be cancelled', async ({ page }) => {
  await openPage(page);
  await page.getByRole('button', { name: 'Break Raft' }).click();
  await page.getByLabel('Bug to hunt').selectOption('commit-old-terms');
  // The search may find its bug within a few schedules, so Find and Cancel are pressed in one
  // task of the page: whatever the machine's speed, no answer from a worker comes between them.
  const shownWhileSearching = await page.evaluate(() => {
    const find = document.querySelector('[data-classroom="fuzz"]');
    const cancel = document.querySelector('[data-classroom="fuzz-cancel"]');
    find.click();
    const shown = !document.querySelector('[data-fuzz-progress]').hidden && !cancel.disabled;
    cancel.click();
    return shown;
  });
  expect(shownWhileSearching, 'progress and Cancel are shown while the search runs').toBe(true);
  await expect(page.locator('[data-fuzz-status]')).toContainText('Cancelled');
  await expect(page.locator('[data-fuzz-progress]')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Find a counterexample' })).toBeEnabled();
});

test.describe('counterexample search', () => {
  // Each bug its own test: one that fails does not keep the others from running.
  for (const [bug, budget] of Object.entries(BUG_BUDGETS)) {
    test(`finds, replays and pauses at a violation for bug ${bug}`, async ({ page }) => {
      await openPage(page);
      await page.getByRole('button', { name: 'Break Raft' }).click();
      await page.getByLabel('Bug to hunt').selectOption(bug);
      await page.getByRole('button', { name: 'Find a counterexample' }).click();
      // However long it takes on this machine: the answer is deterministic.
      await expect(root(page)).toHaveAttribute('data-fuzz', 'found', { timeout: 150_000 });
      const seed = Number(await root(page).getAttribute('data-fuzz-seed'));
      expect(seed, `${bug}: found within ${budget} schedules`).toBeGreaterThanOrEqual(1);
      expect(seed).toBeLessThanOrEqual(Math.min(budget, SEARCH_BUDGET));
      await expect(root(page)).toHaveAttribute('data-paused', 'true');
      await expect(root(page)).toHaveAttribute('data-safe', 'false');
      await expect(page.locator('[data-violation]')).toBeVisible();
      await expect(page.locator('[data-fuzz-result]')).toBeVisible();
      await expect(page.locator('[data-recorded]')).toContainText(`bug ${bug}`);
      // Paused means paused: time stays at the violation.
      const t = await root(page).getAttribute('data-time');
      await page.waitForTimeout(200);
      await expect(root(page)).toHaveAttribute('data-time', t);
      // The scenario the page replayed breaks Raft on the command line too.
      expect(grade(await page.evaluate(() => window.playground.model.recorded()))).toBe(1);
      await shot(page, `44-fuzz-${bug}`);
    });
  }
});
