// Share links: the run travels as its scenario and replays to the same instant.
import { test, expect } from '@playwright/test';
import { openPage, root, server, waitForLeader, centre, pause, shot, base64url } from './helpers.js';

test('share link round trip: same trace hash, same instant, paused', async ({ page, context }) => {
  await openPage(page);
  const leader = await waitForLeader(page);
  await page.mouse.click(...Object.values(await centre(page, leader)));
  await waitForLeader(page, { exclude: [leader] });
  await page.getByRole('button', { name: 'Book bike #42' }).click();
  await expect(page.locator('[data-ops] li').first()).toHaveAttribute('data-outcome', 'ok');
  await pause(page);
  await page.getByRole('button', { name: 'Share' }).click();
  const linkEl = page.locator('[data-share-link]');
  await expect(linkEl).toBeVisible();
  const link = (await linkEl.textContent()).trim();
  expect(link).toMatch(/#s=[A-Za-z0-9_-]+$/);
  const hash = await root(page).getAttribute('data-trace-hash');
  const time = await root(page).getAttribute('data-time');
  expect(hash).toBeTruthy();
  await shot(page, '20-share-link');

  const other = await context.newPage();
  await other.goto(link);
  await expect(root(other)).not.toHaveAttribute('data-loading');
  await expect(root(other)).toHaveAttribute('data-paused', 'true');
  await expect(root(other)).toHaveAttribute('data-trace-hash', hash);
  await expect(root(other)).toHaveAttribute('data-time', time);
  await expect(server(other, leader)).toHaveAttribute('data-running', 'false');
  await expect(other.locator('[data-ops] li').first()).toHaveAttribute('data-outcome', 'ok');
  await expect(other.locator('[role="alert"]:visible')).toHaveCount(0);
  await shot(other, '21-share-link-opened');
});

test('a partition from a share link is drawn as islands and can be healed', async ({ page }) => {
  const text = 'nodes 5\nseed 7\nrun 1s\npartition S1 S2 | S3 S4 S5\nrun 1s\n';
  await openPage(page, '?speed=5', `#s=${base64url(text)}`);
  await expect(root(page)).toHaveAttribute('data-paused', 'true');
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 | S3 S4 S5');
  await expect(page.locator('.island')).toHaveCount(2);
  // S1 and S2 were moved away from the ring, to the left.
  const s1 = await centre(page, 'S1');
  const s3 = await centre(page, 'S3');
  expect(s1.x).toBeLessThan(s3.x);
  await shot(page, '22-partition-from-link');
  await page.getByRole('button', { name: 'Heal' }).click();
  await expect(root(page)).toHaveAttribute('data-partition', '');
  await expect(page.locator('.island')).toHaveCount(0);
});

const BROKEN = [
  { name: 'bad base64url', payload: 'not*base64!', says: /share link.*base64url/i },
  { name: 'bytes that are not UTF-8', payload: base64url(Buffer.from([0xff, 0xfe, 0xfd, 0x80])), says: /share link.*UTF-8/i },
  { name: 'an invalid scenario', payload: base64url('nodes 5\nrun 100ms\ncrash S7\n'), says: /share link.*line 3/i },
];

for (const broken of BROKEN) {
  test(`a broken share link (${broken.name}) says what is wrong and the page still works`, async ({ page }) => {
    await openPage(page, '?speed=5', `#s=${broken.payload}`);
    const alert = page.getByRole('alert').filter({ hasText: /share link/i });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText(broken.says);
    await expect(alert).toContainText('new cluster');
    if (broken.name === 'bad base64url') await shot(page, '23-broken-link');
    // A fresh default cluster runs, and the page answers clicks.
    await expect(root(page)).toHaveAttribute('data-paused', 'false');
    await expect(page.locator('[data-node]')).toHaveCount(5);
    const leader = await waitForLeader(page);
    await page.mouse.click(...Object.values(await centre(page, leader)));
    await expect(server(page, leader)).toHaveAttribute('data-running', 'false');
  });
}

test('a scenario with an error typed into the editor is refused with its line and column', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  await page.getByRole('button', { name: 'Open a scenario…' }).click();
  const area = page.getByLabel('Scenario to run');
  await area.fill('nodes 3\nrun 500ms\nfrobnicate S1\n');
  await page.getByRole('button', { name: 'Run it' }).click();
  const alert = page.getByRole('alert').filter({ hasText: /could not be run/ });
  await expect(alert).toContainText(/line 3/);
  // The old run goes on, unharmed.
  await expect(page.locator('[data-node]')).toHaveCount(5);
  await area.fill('nodes 3\nrun 2s\n');
  await page.getByRole('button', { name: 'Run it' }).click();
  await expect(page.locator('[data-node]')).toHaveCount(3);
  await expect(root(page)).toHaveAttribute('data-paused', 'true');
  await expect(root(page)).toHaveAttribute('data-time', '2000');
});
