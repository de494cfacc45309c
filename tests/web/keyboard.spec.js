// Keyboard alone: Enter in the client fields, drawers (focus in, trapped, Escape), islands by keys.
import { test, expect } from '@playwright/test';
import { openPage, waitForLeader, root, shot } from './helpers.js';

test('Enter in Key, Value or Expected sends Put', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  await page.getByLabel('Value', { exact: true }).fill('carol');
  await page.getByLabel('Value', { exact: true }).press('Enter');
  await expect(page.locator('[data-ops] li[data-op-line]')).toHaveCount(1);
  await expect(page.locator('[data-ops] li .op-what').first()).toHaveText('put bike42 carol');
  await page.getByLabel('Expected (for CAS)').press('Enter');
  await expect(page.locator('[data-ops] li[data-op-line]')).toHaveCount(2);
});

test('a drawer takes focus, keeps Tab inside, and Escape closes it and gives focus back', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  const toggle = page.getByRole('button', { name: 'Break Raft' });
  await toggle.focus();
  await page.keyboard.press('Enter');
  const drawer = page.locator('[data-drawer="break"]');
  await expect(drawer).toBeVisible();
  expect(await page.evaluate(() => document.activeElement.closest('[data-drawer]')?.dataset.drawer)).toBe('break');
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
    expect(await page.evaluate(() => !!document.activeElement.closest('[data-drawer="break"]'))).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await expect(toggle).toBeFocused();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
});

test('keys 1, 2, 3 on a focused server make islands: S1 alone, then a 2|3 split, then three ways', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  const s = (id) => page.locator(`[data-node="${id}"]`);
  await s('S1').focus();
  await page.keyboard.press('2');
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 | S2 S3 S4 S5');
  await expect(page.locator('.island')).toHaveCount(2); // drawn as islands, not cut links
  await expect(page.locator('.link.state-both')).toHaveCount(0);
  await expect(s('S1')).toBeFocused();
  await s('S2').focus();
  await page.keyboard.press('2');
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 | S3 S4 S5');
  await expect(page.locator('[data-announce]')).toContainText('S2 is on island 2 with S1');
  await s('S5').focus();
  await page.keyboard.press('3');
  await expect(root(page)).toHaveAttribute('data-partition', 'S1 S2 | S3 S4 | S5');
  await shot(page, '75-keyboard-islands');
  // Back to island 1, one by one, until everyone can talk again.
  for (const id of ['S1', 'S2', 'S5']) {
    await s(id).focus();
    await page.keyboard.press('1');
  }
  await expect(root(page)).toHaveAttribute('data-partition', '');
});

test('next and previous mark by keys step through elections, crashes and partitions', async ({ page }) => {
  await openPage(page);
  const leader = await waitForLeader(page);
  await page.locator(`[data-node="${leader}"]`).focus();
  await page.keyboard.press('Enter'); // crash the leader
  await waitForLeader(page, { exclude: [leader] });
  await page.locator('[data-timeline-slider]').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press(']');
  await expect(page.locator('[data-announce]')).toContainText(/leads term/);
  const first = Number(await root(page).getAttribute('data-time'));
  await page.keyboard.press(']');
  const second = Number(await root(page).getAttribute('data-time'));
  expect(second).toBeGreaterThan(first);
  await page.keyboard.press('[');
  await expect(root(page)).toHaveAttribute('data-time', String(first));
  await expect(root(page)).toHaveAttribute('data-paused', 'true');
});
