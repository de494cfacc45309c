// axe-core with its default rules finds nothing, in a calm state and in a busy one.
import { test, expect } from '@playwright/test';
import { createRequire } from 'node:module';
import { openPage, waitForLeader, centre, dragToLeftEdge, pause, root, shot } from './helpers.js';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => window.axe.run(document));
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  }));
}

test('axe: no violations on the running page', async ({ page }) => {
  await openPage(page);
  await waitForLeader(page);
  await pause(page);
  expect(await axe(page)).toEqual([]);
});

test('axe: no violations with a crash, a partition, a share link and an error shown', async ({ page }) => {
  await openPage(page);
  const leader = await waitForLeader(page);
  await page.mouse.click(...Object.values(await centre(page, leader)));
  await dragToLeftEdge(page, ['S1', 'S2']);
  await expect(root(page)).not.toHaveAttribute('data-partition', '');
  await page.getByRole('button', { name: 'Book bike #42' }).click();
  await page.getByRole('button', { name: 'Share' }).click();
  await page.getByLabel('Key', { exact: true }).fill('not a key!');
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await expect(page.locator('[data-client-error]')).toContainText('key');
  await pause(page);
  await shot(page, '30-busy-state');
  expect(await axe(page)).toEqual([]);
});

test('axe: no violations in the dark colour scheme', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openPage(page);
  await waitForLeader(page);
  await pause(page);
  await shot(page, '31-dark');
  expect(await axe(page)).toEqual([]);
});
