// The rough edges a new user meets, by mouse: the operations list after time travel, Share,
// Break Raft's confirm and badge, exercises handed in as files, and the messages of bad input.
import { test, expect } from '@playwright/test';
import { writeFileSync, mkdirSync } from 'node:fs';
import { openPage, waitForLeader, root, pause, shot, base64url } from './helpers.js';

test('the operations list shows exactly the operations at the shown instant, also after a fork', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await page.getByRole('button', { name: 'Get', exact: true }).click();
  await expect(page.locator('[data-ops] li[data-op-line]')).toHaveCount(2);
  await expect(page.locator('[data-ops] li').nth(1)).toHaveAttribute('data-outcome', 'ok');
  const firstOp = await page.evaluate(() => window.playground.model.snapshot().history[0].invoked_ms);
  // Back to before any request: no operation rows at all.
  await page.locator('[data-timeline-slider]').focus();
  await page.keyboard.press('Home');
  await expect(page.locator('[data-ops] li[data-op-line]')).toHaveCount(0);
  // A new request there forks the run: one row, the new one, pending or done, not an old "ok".
  await page.locator('[data-timeline-slider]').focus();
  const presses = Math.floor((firstOp - 1) / 100);
  for (let i = 0; i < presses; i++) await page.keyboard.press('ArrowRight');
  expect(Number(await root(page).getAttribute('data-time'))).toBeLessThan(firstOp);
  await page.getByRole('button', { name: 'CAS', exact: true }).click();
  await expect(page.locator('[data-ops] li[data-op-line]')).toHaveCount(1);
  await expect(page.locator('[data-ops] li .op-what')).toHaveText(/^cas bike42/);
  const lines = await page.evaluate(() => {
    const ops = (window.playground.model.snapshot().history || []).map((o) => String(o.line));
    const rows = [...document.querySelectorAll('[data-ops] [data-op-line]')].map((e) => e.dataset.opLine);
    return { ops, rows };
  });
  expect(lines.rows).toEqual(lines.ops);
});

test('Share shows the whole link where the button is, copies it, and a compressed link replays', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openPage(page);
  await waitForLeader(page);
  for (let i = 0; i < 12; i++) await page.getByRole('button', { name: 'Book bike #42' }).click();
  await pause(page);
  await page.getByRole('button', { name: 'Share' }).click();
  const pop = page.locator('[data-share-out]');
  await expect(pop).toBeVisible();
  await expect(page.locator('[data-share-copied]')).toContainText('Copied');
  const link = (await page.locator('[data-share-link]').textContent()).trim();
  expect(link).toMatch(/#s=[A-Za-z0-9_-]+$/);
  const plain = base64url(await page.evaluate(() => window.playground.model.recorded()));
  expect(link.split('#s=')[1].length).toBeLessThan(plain.length); // compressed
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  const b = await page.locator('[data-share-link]').boundingBox();
  const button = await page.getByRole('button', { name: 'Share' }).boundingBox();
  expect(b.y).toBeGreaterThan(button.y); // under the button, not at the bottom of the page
  expect(b.y).toBeLessThan(400);
  await shot(page, '76-share-popover');
  const hash = await root(page).getAttribute('data-trace-hash');
  const time = await root(page).getAttribute('data-time');
  await page.keyboard.press('Escape');
  await expect(pop).toBeHidden();
  const other = await context.newPage();
  await other.goto(link);
  await expect(root(other)).not.toHaveAttribute('data-loading');
  await expect(root(other)).toHaveAttribute('data-trace-hash', hash);
  await expect(root(other)).toHaveAttribute('data-time', time);
});

test('an empty #s= link says so', async ({ page }) => {
  await openPage(page, '?speed=5', '#s=');
  await expect(page.getByRole('alert').filter({ hasText: /share link is empty/ })).toBeVisible();
});

test('Break Raft: a bug badge in the top bar, and a search asks before replacing a run', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  await page.getByRole('button', { name: 'Book bike #42' }).click();
  await page.getByRole('button', { name: 'Break Raft' }).click();
  await page.getByRole('switch', { name: /stale-read/ }).check();
  await page.getByRole('button', { name: 'Close Break Raft' }).click();
  await expect(page.locator('[data-bug-badge]')).toHaveText('bug on: stale-read');
  await page.getByRole('button', { name: 'Break Raft' }).click();
  await expect(page.getByLabel('Bug to hunt')).toHaveValue('stale-read'); // the bug that is on
  const before = await page.evaluate(() => window.playground.model.recorded());
  await page.getByRole('button', { name: 'Find a counterexample' }).click();
  await expect(page.locator('[data-fuzz-confirm]')).toContainText('replaces the current run, with its 2 actions');
  await shot(page, '77-break-confirm');
  await page.getByRole('button', { name: 'Keep my run' }).click();
  await expect(page.locator('[data-fuzz-confirm]')).toBeHidden();
  expect(await page.evaluate(() => window.playground.model.recorded())).toContain(before.trim().split('\n').slice(0, 3).join('\n'));
  await expect(root(page)).not.toHaveAttribute('data-fuzz', /.+/);
});

test('a hand-in file opened with Import is graded, with the solved time of the student', async ({ page }) => {
  await openPage(page, '?speed=5', '#ex=elect-leader');
  await page.keyboard.press('Escape'); // the drawer opened with the exercise; close it
  for (const id of ['S1', 'S2', 'S3']) {
    const b = await page.locator(`[data-node="${id}"] .body`).boundingBox();
    await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
  }
  await page.getByRole('button', { name: 'Exercises' }).click();
  await expect(page.locator('[data-exercise]')).toHaveAttribute('data-solved', 'true', { timeout: 30_000 });
  const said = await page.locator('[data-exercise-status]').textContent();
  const at = /Solved at ([\d.]+ s)/.exec(said)[1];
  // Goals are sentences, with their state.
  await expect(page.locator('[data-goal] .goal-sentence').first()).not.toHaveText(/^expect /);
  await page.waitForTimeout(300); // the run goes on after solving: the time must not change
  await pause(page);
  const text = await page.evaluate(() => window.playground.model.recorded());
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/hand-in.scn', text);
  const teacher = await page.context().newPage();
  await openPage(teacher);
  await teacher.locator('[data-control="import"]').setInputFiles('test-results/hand-in.scn');
  await expect(teacher.locator('[data-exercise]')).toHaveAttribute('data-solved', 'true');
  await expect(teacher.locator('[data-exercise-status]')).toContainText(`Solved at ${at}`);
  // The hand-in link says the same instant.
  await page.getByRole('button', { name: 'Link', exact: true }).click();
  await expect(page.locator('[data-hand-in-link]')).toContainText('#ex=elect-leader&s=');
  const link = (await page.locator('[data-hand-in-link]').textContent()).trim();
  const viaLink = await page.context().newPage();
  await viaLink.goto(link);
  await expect(viaLink.locator('[data-exercise]')).toHaveAttribute('data-solved', 'true');
  await expect(viaLink.locator('[data-exercise-status]')).toContainText(`Solved at ${at}`);
});

test('axe finds nothing at 1280×800 with a drawer open and the Share popover open', async ({ page }) => {
  await openPage(page, '?speed=5', '#ex=split-no-leader');
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Share' }).click();
  await expect(page.locator('[data-share-out]')).toBeVisible();
  await shot(page, '79-desktop-drawer-share');
  const require = (await import('node:module')).createRequire(import.meta.url);
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations.map((v) => v.id));
  expect(violations).toEqual([]);
});

test('bad seeds and long values say what is allowed; a failed import keeps a paused run paused', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  const seed = page.getByLabel('Seed');
  await seed.fill('12345678901234567890123');
  await seed.press('Enter');
  await expect(page.getByRole('alert')).toContainText('from 0 to 18446744073709551615');
  await page.getByLabel('Value', { exact: true }).fill('x'.repeat(10_000));
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  const err = await page.locator('[data-client-error]').textContent();
  expect(err.length).toBeLessThan(200);
  expect(err).toContain('10000 characters');
  await pause(page);
  const t = await root(page).getAttribute('data-time');
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/bad.scn', 'nodes 5\ncrash S9\n');
  await page.locator('[data-control="import"]').setInputFiles('test-results/bad.scn');
  await expect(page.getByRole('alert')).toContainText('line 2');
  await expect(root(page)).toHaveAttribute('data-paused', 'true');
  await expect(root(page)).toHaveAttribute('data-time', t);
});

test('a stale-read counterexample: its header comment cites the lines and the instant on screen', async ({ page }) => {
  test.setTimeout(240_000);
  await openPage(page);
  await waitForLeader(page);
  await page.getByRole('button', { name: 'Break Raft' }).click();
  await page.getByLabel('Bug to hunt').selectOption('stale-read');
  await page.getByRole('button', { name: 'Find a counterexample' }).click();
  await expect(root(page)).toHaveAttribute('data-fuzz', 'found', { timeout: 200_000 });
  const text = await page.locator('[data-recorded]').textContent();
  const lines = text.split('\n');
  const header = lines.filter((l) => l.startsWith('#'));
  const at = Number(/ at (\d+)ms$/.exec(header[0])[1]);
  await expect(page.locator('[data-violation]')).toContainText(`at ${(at / 1000).toFixed(3)} s`);
  // Every "line N: OPERATION" of the header is that operation's line in the text shown.
  const cited = header.flatMap((l) => [...l.matchAll(/line (\d+): (put|get|cas) ([A-Za-z0-9_.:-]+)/g)]);
  expect(cited.length).toBeGreaterThan(0);
  for (const [, n, op, key] of cited) expect(lines[Number(n) - 1]).toMatch(new RegExp(`^${op} ${key}\\b`));
  await expect(page.locator('[data-bug-badge]')).toHaveText('bug on: stale-read');
});

test('the article: "Jump to the split" lands on the split (step 2), and no label runs into a crown', async ({ page }) => {
  await page.goto('./article.html');
  const fig = page.locator('raft-playground[data-fig="split-brain"]');
  await page.getByRole('button', { name: 'Jump to the split' }).click();
  await expect(fig.locator('[data-step]').first()).toHaveAttribute('data-step', '1'); // 0-based: the second step
  await expect(fig.getByRole('button', { name: 'Play', exact: true })).toBeVisible(); // paused there, not playing on
  await expect(fig.locator('.island')).toHaveCount(2);
  const boxes = await fig.evaluate((el) => {
    const r = (e) => { const b = e.getBoundingClientRect(); return { x0: b.left, x1: b.right, y0: b.top, y1: b.bottom }; };
    const root = el.shadowRoot;
    const crowns = [...root.querySelectorAll('.role-leader .crown')].map(r);
    const words = [...root.querySelectorAll('.server-label text, .island-label')].filter((t) => t.textContent).map(r);
    return { crowns, words };
  });
  expect(boxes.crowns.length).toBeGreaterThan(0);
  const overlaps = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  for (const c of boxes.crowns) for (const w of boxes.words) expect(overlaps(c, w)).toBe(false);
  await fig.screenshot({ path: 'artifacts/web/78-article-split.png' });
});

test('islands form the way a person groups things: a server dropped near an island joins it', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  const { dragToLeftEdge, centre, drag } = await import('./helpers.js');
  await dragToLeftEdge(page, ['S1']);
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 | S2 S3 S4 S5');
  // S2 dropped two and a half server widths below S1: near, not on top. It joins S1.
  const s1 = await centre(page, 'S1');
  const body = await page.locator('[data-node="S1"] .body').boundingBox();
  await drag(page, await centre(page, 'S2'), { x: s1.x + body.width * 0.3, y: s1.y + body.height * 2.5 });
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 | S3 S4 S5');
  // S3 dropped far from everyone (the top right corner) is an island of its own.
  const svg = await page.locator('[data-cluster]').boundingBox();
  await drag(page, await centre(page, 'S3'), { x: svg.x + svg.width - 40, y: svg.y + 50 });
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 | S3 | S4 S5');
  await shot(page, '80-islands-by-mouse');
});

test('an attempt that can no longer succeed says so and offers Start over', async ({ page }) => {
  await openPage(page, '?speed=5', '#ex=lose-a-write');
  await expect(page.locator('[data-exercise]')).toHaveAttribute('data-exercise', 'lose-a-write');
  const lost = page.locator('[data-lost]');
  await expect(lost).toBeHidden();
  // Doing nothing lets S1's write commit: it can no longer be lost.
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.getByRole('button', { name: 'Exercises' }).click();
  await expect(lost).toBeVisible();
  await expect(lost).toContainText('can no longer succeed');
  await expect(lost).toContainText('bike42 = alice');
  await shot(page, '81-attempt-lost');
  await lost.getByRole('button', { name: 'Start over' }).click();
  await expect(lost).toBeHidden();
  await expect(page.locator('[data-exercise]')).toHaveAttribute('data-solved', 'false');
});
