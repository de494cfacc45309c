// Partitions by dragging, cuts by clicking links, Heal.
import { test, expect } from '@playwright/test';
import {
  openPage, root, server, servers, waitForLeader, centre, drag, dragToLeftEdge, linkMidpoint, logRow, shot, pause, base64url,
} from './helpers.js';

const ALL = ['S1', 'S2', 'S3', 'S4', 'S5'];

test('dragging S1 then S2 to the left edge partitions S1 S2 | S3 S4 S5', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  await dragToLeftEdge(page, ['S1']);
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 | S2 S3 S4 S5');
  await dragToLeftEdge(page, ['S2']);
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 | S3 S4 S5');
  await expect(page.locator('[data-recorded]')).toContainText('partition S1 S2 | S3 S4 S5');
  // Dragging did not crash anybody.
  for (const id of ALL) await expect(server(page, id)).toHaveAttribute('data-running', 'true');
  // The majority has (or gets) a leader of its own.
  await waitForLeader(page, { among: ['S3', 'S4', 'S5'] });
  await shot(page, '10-partition-s1s2');
});

test('dragging a server away isolates it; dragging it back reconnects it', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  const home = await centre(page, 'S3');
  const box = await page.locator('[data-cluster]').boundingBox();
  await drag(page, home, { x: box.x + box.width - 40, y: box.y + 40 });
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 S4 S5 | S3');
  await expect(page.locator('[data-recorded]')).toContainText('partition S1 S2 S4 S5 | S3');
  await drag(page, await centre(page, 'S3'), home);
  await expect(root(page)).toHaveAttribute('data-partition', '');
  await expect(page.locator('[data-recorded]')).toContainText(/partition S1 S2 S4 S5 \| S3\n(run \d+ms\n)?heal/);
  await expect(server(page, 'S3')).toHaveAttribute('data-running', 'true');
});

test('with the leader cut off in a minority, its write does not commit there while the majority commits', async ({ page }) => {
  await openPage(page);
  const old = await waitForLeader(page);
  const partner = ALL.find((id) => id !== old);
  const minority = [old, partner];
  const majority = ALL.filter((id) => !minority.includes(id));
  // Let the first no-op commit everywhere, so that commit indexes start level.
  await expect.poll(async () => new Set(Object.values(await servers(page)).map((s) => s.commit)).size).toBe(1);

  // Pause while dragging, so that nobody holds an election in the half-done partition: the
  // old leader and its partner are cut off together, at one instant.
  await pause(page);
  await dragToLeftEdge(page, minority);
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  const want = `${[...minority].sort().join(' ')} | ${majority.join(' ')}`;
  await expect(root(page)).toHaveAttribute('data-partition', want);
  const before = await servers(page);

  // A write sent to the old leader: it appends it but can never commit it.
  await page.getByLabel('Send via').selectOption(old);
  await page.getByLabel('Key', { exact: true }).fill('k1');
  await page.getByLabel('Value', { exact: true }).fill('minority');
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await expect(logRow(page, old).locator('td.entry.uncommitted.command')).toHaveCount(1);

  // The majority elects a leader and commits a write sent to it.
  const fresh = await waitForLeader(page, { among: majority });
  await page.getByLabel('Send via').selectOption(fresh);
  await page.getByLabel('Key', { exact: true }).fill('k2');
  await page.getByLabel('Value', { exact: true }).fill('majority');
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  for (const id of majority) await expect(logRow(page, id).locator('.state-col')).toContainText('k2=majority');
  await shot(page, '11-minority-leader-write');

  const after = await servers(page);
  for (const id of majority) expect(after[id].commit).toBeGreaterThan(before[id].commit);
  for (const id of minority) {
    expect(after[id].commit, `${id} (minority) commits nothing`).toBe(before[id].commit);
    await expect(logRow(page, id).locator('.state-col')).not.toContainText('k2=majority');
    await expect(logRow(page, id).locator('.state-col')).not.toContainText('k1=minority');
  }
  // The old leader still thinks it leads (no CheckQuorum): two leaders, different terms.
  expect(after[old].role).toBe('leader');
  expect(after[fresh].term).toBeGreaterThan(after[old].term);
});

test('Heal reconnects everyone: one leader, servers back home, the write reaches all', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  const home = await centre(page, 'S1');
  await dragToLeftEdge(page, ['S1', 'S2']);
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 | S3 S4 S5');
  const leader = await waitForLeader(page, { among: ['S3', 'S4', 'S5'] });
  await page.getByLabel('Send via').selectOption(leader);
  await page.getByLabel('Key', { exact: true }).fill('healed');
  await page.getByLabel('Value', { exact: true }).fill('yes');
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await expect(logRow(page, 'S3').locator('.state-col')).toContainText('healed=yes');

  await page.getByRole('button', { name: 'Heal' }).click();
  await expect(root(page)).toHaveAttribute('data-partition', '');
  await expect(page.locator('[data-recorded]')).toContainText('heal');
  const back = await centre(page, 'S1');
  expect(Math.abs(back.x - home.x) + Math.abs(back.y - home.y)).toBeLessThan(2);
  // Exactly one leader, and everyone agrees on its term.
  await page.waitForFunction(() => {
    const nodes = [...document.querySelectorAll('[data-node]')];
    const leaders = nodes.filter((e) => e.dataset.role === 'leader' && e.dataset.running === 'true');
    return leaders.length === 1 && nodes.every((e) => e.dataset.term === leaders[0].dataset.term);
  }, null, { timeout: 20_000 });
  for (const id of ALL) await expect(logRow(page, id).locator('.state-col')).toContainText('healed=yes');
  await shot(page, '12-healed');
});

test('clicking a link cycles it: cut both ways, one way, the other way, healed', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  const mid = await linkMidpoint(page, 'S1', 'S2');
  const link = page.locator('.link[data-link="S1-S2"]');
  const recorded = page.locator('[data-recorded]');

  await page.mouse.click(mid.x, mid.y);
  await expect(link).toHaveClass(/state-both/);
  await expect(recorded).toContainText('cut S1 S2');
  await shot(page, '13-link-cut');

  await page.mouse.click(mid.x, mid.y);
  await expect(link).toHaveClass(/state-a-b/);
  await expect(recorded).toContainText('uncut S2 -> S1');

  await page.mouse.click(mid.x, mid.y);
  await expect(link).toHaveClass(/state-b-a/);
  await expect(recorded).toContainText(/uncut S1 -> S2\n(run \d+ms\n)?cut S2 -> S1/);

  await page.mouse.click(mid.x, mid.y);
  await expect(link).toHaveClass(/state-open/);
  // Each link is restored by itself: the network is never rebuilt with heal.
  await expect(recorded).toContainText(/cut S2 -> S1\n(run \d+ms\n)?uncut S2 -> S1/);
  expect(await recorded.textContent()).not.toMatch(/^heal$/m);
  // No server was crashed by any of it, and the cluster still has a leader.
  for (const id of ALL) await expect(server(page, id)).toHaveAttribute('data-running', 'true');
  await waitForLeader(page);
});

test('the keyboard cuts one link too: the server menu lists its links and goes through the same cycle', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  const link = page.locator('.link[data-link="S1-S3"]');
  const recorded = page.locator('[data-recorded]');
  await server(page, 'S3').focus();
  await page.keyboard.press('m');
  const menu = page.getByRole('menu', { name: 'Actions of S3' });
  await expect(menu).toBeVisible();
  // Walk down the menu with the arrow keys to the link to S1, as a keyboard user would.
  const item = menu.getByRole('menuitem', { name: 'Cut link to S1' });
  for (let i = 0; i < 10 && !(await item.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('ArrowDown');
  }
  await expect(item).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(link).toHaveClass(/state-both/);
  await expect(recorded).toContainText('cut S1 S3');
  await expect(menu).toBeHidden();
  await expect(server(page, 'S3')).toBeFocused();

  // Again from S1's side: the same link, its next step named as the drawing orders it.
  await server(page, 'S1').focus();
  await page.keyboard.press('m');
  await shot(page, '14-keyboard-link-menu');
  await page.getByRole('menuitem', { name: 'Link to S3: block only S1 to S3' }).click();
  await expect(link).toHaveClass(/state-a-b/);
  await expect(recorded).toContainText('uncut S3 -> S1');
  for (const id of ALL) await expect(server(page, id)).toHaveAttribute('data-running', 'true');
});

test('a link cut and restored inside a partition records uncut, and the share link replays it exactly', async ({ page, context }) => {
  const text = 'nodes 5\nseed 3\ntimeout S1\nrun 300ms\npartition S1 S2 S3 | S4 S5\ncut S2 S3\nrun 100ms\n';
  await openPage(page, '?speed=5', `#s=${base64url(text)}`);
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 S3 | S4 S5');
  await page.getByRole('button', { name: 'Play' }).click();
  const mid = await linkMidpoint(page, 'S1', 'S2');
  const link = page.locator('.link[data-link="S1-S2"]');
  const recorded = page.locator('[data-recorded]');
  await page.mouse.click(mid.x, mid.y);
  await expect(link).toHaveClass(/state-both/);
  for (const state of [/state-a-b/, /state-b-a/, /state-open/]) {
    await page.mouse.click(mid.x, mid.y);
    await expect(link).toHaveClass(state);
  }
  // The other cut and the partition stayed as they were, and no heal was recorded.
  await expect(page.locator('.link[data-link="S2-S3"]')).toHaveClass(/state-both/);
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 S3 | S4 S5');
  await expect(recorded).toContainText('uncut S2 -> S1');
  expect(await recorded.textContent()).not.toMatch(/^heal$/m);

  await pause(page);
  await page.getByRole('button', { name: 'Share' }).click();
  const link2 = (await page.locator('[data-share-link]').textContent()).trim();
  const hash = await root(page).getAttribute('data-trace-hash');
  const other = await context.newPage();
  await other.goto(link2);
  await expect(root(other)).not.toHaveAttribute('data-loading');
  await expect(root(other)).toHaveAttribute('data-trace-hash', hash);
  await expect(other.locator('[data-recorded]')).toContainText('uncut S2 -> S1');
});
