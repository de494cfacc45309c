// Elections, crashes and client writes, driven with the mouse and the keyboard.
import { test, expect } from '@playwright/test';
import {
  openPage, root, server, servers, waitForLeader, centre, drag, logRow, shot, pause, base64url,
} from './helpers.js';

test('a leader is elected and shown by shape, word and attributes', async ({ page }) => {
  await openPage(page);
  const leader = await waitForLeader(page);
  const el = server(page, leader);
  await expect(el).toHaveAttribute('data-running', 'true');
  expect(Number(await el.getAttribute('data-term'))).toBeGreaterThan(0);
  // Not by colour alone: the accessible name and the label under the server say "leader".
  await expect(el).toHaveAttribute('aria-label', new RegExp(`^${leader}, leader, term \\d+`));
  await expect(page.locator('.server-label .role-word', { hasText: /^leader$/ })).toHaveCount(1);
  await expect(page.locator('[data-headline]')).toContainText(`${leader} leads term`);
  // Exactly one element per server carries data-node.
  await expect(page.locator('[data-node]')).toHaveCount(5);
  await shot(page, '01-leader-elected');
});

test('clicking the leader crashes it and another server is elected', async ({ page }) => {
  await openPage(page);
  const first = await waitForLeader(page);
  const termBefore = Number(await server(page, first).getAttribute('data-term'));
  await page.mouse.click(...Object.values(await centre(page, first)));
  await expect(server(page, first)).toHaveAttribute('data-running', 'false');
  await expect(server(page, first)).toHaveAttribute('data-role', 'follower');
  await expect(server(page, first)).toHaveAttribute('aria-label', /crashed/);
  await expect(page.locator('[data-recorded]')).toContainText(`crash ${first}`);
  const second = await waitForLeader(page, { exclude: [first] });
  expect(second).not.toBe(first);
  expect(Number(await server(page, second).getAttribute('data-term'))).toBeGreaterThan(termBefore);
  await shot(page, '02-leader-crashed-new-leader');

  // Clicking the crashed server restarts it; it rejoins as a follower of the new leader.
  await page.mouse.click(...Object.values(await centre(page, first)));
  await expect(server(page, first)).toHaveAttribute('data-running', 'true');
  await expect(page.locator('[data-recorded]')).toContainText(`restart ${first}`);
  await expect.poll(async () => (await servers(page))[first].term, { timeout: 20_000 })
    .toBeGreaterThanOrEqual(Number(await server(page, second).getAttribute('data-term')));
});

test('a drag is not a click: dragging a server never crashes it', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  const from = await centre(page, 'S3');
  await drag(page, from, { x: from.x + 30, y: from.y + 25 });
  await drag(page, { x: from.x + 30, y: from.y + 25 }, from);
  await expect(server(page, 'S3')).toHaveAttribute('data-running', 'true');
  await expect(page.locator('[data-recorded]')).not.toContainText('crash S3');
});

test('keyboard only: Tab to a server, Enter crashes it, Space restarts it', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  let focused = null;
  for (let i = 0; i < 40 && !focused; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.dataset?.node ?? null);
  }
  expect(focused, 'a server is in the tab order').not.toBeNull();
  await expect(server(page, focused)).toHaveAttribute('aria-label', /press Enter to crash/);
  await page.keyboard.press('Enter');
  await expect(server(page, focused)).toHaveAttribute('data-running', 'false');
  await expect(server(page, focused)).toHaveAttribute('aria-label', /crashed.*press Enter to restart/);
  // Focus stays on the server across frames (keyed rendering keeps the element).
  expect(await page.evaluate(() => document.activeElement?.dataset?.node)).toBe(focused);
  await shot(page, '03-keyboard-crash');
  await page.keyboard.press('Space');
  await expect(server(page, focused)).toHaveAttribute('data-running', 'true');
  await expect(page.locator('[data-recorded]')).toContainText(`restart ${focused}`);
  // Space on a server did not toggle Pause.
  await expect(root(page)).toHaveAttribute('data-paused', 'false');
});

test('a put through the client panel reaches every server', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  await page.getByLabel('Key', { exact: true }).fill('colour');
  await page.getByLabel('Value', { exact: true }).fill('blue');
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  const op = page.locator('[data-ops] li', { hasText: 'put colour blue' });
  await expect(op).toHaveAttribute('data-outcome', 'ok');
  for (const id of ['S1', 'S2', 'S3', 'S4', 'S5']) {
    await expect(logRow(page, id).locator('.state-col')).toContainText('colour=blue');
  }
  // Every server's commit index covers the entry: all equal and past the leader's no-op.
  await expect.poll(async () => {
    const s = await servers(page);
    const commits = Object.values(s).map((n) => n.commit);
    return Math.min(...commits) === Math.max(...commits) && commits[0] >= 2;
  }).toBe(true);
  await expect(page.locator('[data-log-node="S1"] td.entry.command.committed')).toHaveCount(1);
  await shot(page, '04-put-everywhere');

  // Get reads it back.
  await page.getByRole('button', { name: 'Get', exact: true }).click();
  await expect(page.locator('[data-ops] li', { hasText: 'get colour' })).toContainText('ok → blue');
});

test('booking bike #42 twice: the first booking wins, the second fails', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  const book = page.getByRole('button', { name: 'Book bike #42' });
  await book.click();
  await expect(page.locator('[data-ops] li', { hasText: 'cas bike42 - alice' })).toHaveAttribute('data-outcome', 'ok');
  await book.click();
  await expect(page.locator('[data-ops] li', { hasText: 'cas bike42 - bob' })).toHaveAttribute('data-outcome', 'fail');
  await expect(logRow(page, 'S1').locator('.state-col')).toContainText('bike42=alice');
  await shot(page, '05-bike-booked');
});

test('Pause stops time, Step advances it while paused, Play resumes', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  await pause(page);
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  const t0 = Number(await root(page).getAttribute('data-time'));
  await page.waitForTimeout(300); // time must NOT move: nothing to wait on but the clock itself
  expect(Number(await root(page).getAttribute('data-time'))).toBe(t0);
  await page.getByRole('button', { name: 'Step' }).click();
  await expect.poll(async () => Number(await root(page).getAttribute('data-time'))).toBeGreaterThan(t0);
  await expect(root(page)).toHaveAttribute('data-paused', 'true');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect(root(page)).toHaveAttribute('data-paused', 'false');
  const t1 = Number(await root(page).getAttribute('data-time'));
  await expect.poll(async () => Number(await root(page).getAttribute('data-time'))).toBeGreaterThan(t1);
});

test('?speed= sets the speed control; the cluster size can change', async ({ page }) => {
  await openPage(page, '?speed=2');
  await expect(page.getByLabel('Speed')).toHaveValue('2');
  await page.getByLabel('Servers').selectOption('3');
  await expect(page.locator('[data-node]')).toHaveCount(3);
  await expect(page.locator('[data-recorded]')).toContainText('nodes 3');
  await waitForLeader(page);
  await shot(page, '06-three-servers');
});

test('a candidate\'s vote label counts by the quorum rule in force, small-quorum bug included', async ({ page }) => {
  const story = 'nodes 5\nisolate S1\ntimeout S1\nrun 1ms\n';
  const extra = page.locator('[data-label-of="S1"] .extra-word');
  await openPage(page, '?speed=5', `#s=${base64url(story)}`);
  await expect(server(page, 'S1')).toHaveAttribute('data-role', 'candidate');
  await expect(extra).toHaveText('1 vote, needs 3');
  // raft-core's majority with the bug on: half of five, rounded down.
  await openPage(page, '?speed=5', `#s=${base64url(`bug small-quorum\n${story}`)}`);
  await expect(server(page, 'S1')).toHaveAttribute('data-role', 'candidate');
  await expect(extra).toHaveText('1 vote, needs 2');
});
