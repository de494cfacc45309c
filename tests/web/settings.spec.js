// Network settings, protocol switches, and what the page shows when safety is broken.
import { test, expect } from '@playwright/test';
import { openPage, root, waitForLeader, shot, base64url } from './helpers.js';

test('sliders and switches become setting lines, and the page shows the new settings', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  const recorded = page.locator('[data-recorded]');
  await page.getByLabel('Message loss').fill('10');
  await expect(recorded).toContainText('loss 10%');
  await expect(page.locator('[data-out="loss"]')).toHaveText('10%');
  await page.getByLabel('Duplication').fill('4');
  await expect(recorded).toContainText('duplicate 4%');
  await page.getByLabel('Latency').fill('40');
  await expect(recorded).toContainText('latency 20ms..60ms');
  await expect(page.locator('[data-out="latency"]')).toHaveText('20–60 ms');
  await page.getByRole('switch', { name: 'Pre-Vote' }).check();
  await expect(recorded).toContainText('prevote on');
  await page.getByRole('switch', { name: 'CheckQuorum' }).check();
  await expect(recorded).toContainText('check-quorum on');
  await page.getByRole('switch', { name: 'Pre-Vote' }).uncheck();
  await expect(recorded).toContainText('prevote off');
  // Lease reads come with a word on forced timers, which break a lease by design.
  const note = page.locator('[data-reads-note]');
  await expect(note).toBeHidden();
  await page.getByLabel('Reads').selectOption('lease');
  await expect(recorded).toContainText('reads lease');
  await expect(note).toBeVisible();
  await expect(note).toContainText('timeout');
  await page.getByLabel('Reads').selectOption('read-index');
  await expect(recorded).toContainText('reads read-index');
  await expect(note).toBeHidden();
  // Lossy messages die visibly: some crossed-out messages show up.
  await page.getByLabel('Message loss').fill('40');
  await expect(page.locator('.msg.lost').first()).toBeAttached();
  await shot(page, '40-lossy-network');
});

test('a safety violation turns data-safe false and shows the checker\'s words', async ({ page }) => {
  // With a deliberate bug (a quorum of two out of five) both halves of a split commit.
  const text = [
    'nodes 5', 'bug small-quorum', 'run 400ms', 'partition S1 S2 | S3 S4 S5', 'run 1s',
    'put k a via S1', 'put k b via S3', 'run 3s',
  ].join('\n');
  await openPage(page, '?speed=5', `#s=${base64url(text)}`);
  await expect(root(page)).toHaveAttribute('data-safe', 'false');
  const banner = page.locator('[data-violation]');
  await expect(banner).toBeVisible();
  await expect(banner).toHaveAttribute('role', 'alert');
  await expect(banner).toContainText('Safety violated');
  await expect(banner).toContainText('state-machine-safety');
  await shot(page, '41-safety-violated');
});

test('a safe run keeps data-safe true', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  await expect(root(page)).toHaveAttribute('data-safe', 'true');
  await expect(page.locator('[data-violation]')).toBeHidden();
});
