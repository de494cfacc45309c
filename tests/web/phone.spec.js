// Phones and tablets (issue: the cluster too small to see or touch). A 390×844 touch screen,
// driven by taps and touch drags; a 768×1024 tablet; axe at both, with a drawer open.
import { test, expect, devices } from '@playwright/test';
import { createRequire } from 'node:module';
import { openPage, waitForLeader, root, server, shot } from './helpers.js';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => window.axe.run(document));
  return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}

async function box(page, sel) {
  return page.locator(sel).boundingBox();
}

/** A finger on the screen: down at `from`, moved in steps to `to`, lifted (CDP touch events). */
async function touchDrag(page, from, to, steps = 10) {
  const cdp = await page.context().newCDPSession(page);
  const point = (p) => [{ x: p.x, y: p.y, id: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(from) });
  for (let i = 1; i <= steps; i++) {
    const p = { x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(p) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

async function longPress(page, at, ms = 900) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: at.x, y: at.y, id: 1 }] });
  await page.waitForTimeout(ms);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

test.describe('phone, 390×844, touch', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 });

  test('the cluster comes first, spans the width, servers are ≥ 44 px with legible labels', async ({ page }) => {
    await openPage(page);
    await waitForLeader(page);
    const svg = await box(page, '[data-cluster]');
    expect(svg.width).toBeGreaterThan(340);
    expect(svg.y + svg.height).toBeLessThan(844); // the whole drawing on the first screen
    const logs = await box(page, '.logs');
    expect(logs.y).toBeGreaterThan(svg.y + svg.height - 1);
    for (const id of ['S1', 'S2', 'S3', 'S4', 'S5']) {
      const b = await box(page, `[data-node="${id}"] .body`);
      expect(b.width).toBeGreaterThanOrEqual(44);
      const name = await box(page, `[data-node="${id}"] .name`);
      expect(name.height).toBeGreaterThanOrEqual(11);
    }
    const small = await page.evaluate(() => Math.min(...[...document.querySelectorAll('.server-label text')]
      .filter((t) => t.textContent).map((t) => t.getBoundingClientRect().height)));
    expect(small).toBeGreaterThanOrEqual(11);
    // Touch words, not mouse words.
    await expect(page.locator('.hint-touch')).toBeVisible();
    await expect(page.locator('.hint-touch')).toContainText('press and hold');
    await expect(page.locator('.hint-mouse')).toBeHidden();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, '70-phone');
  });

  test('a tap a little off a server acts on the server, not on a link', async ({ page }) => {
    await openPage(page);
    const leader = await waitForLeader(page);
    const b = await box(page, `[data-node="${leader}"] .body`);
    // 6 px right of the circle's edge, and then 6 px below it: both are the server.
    await page.touchscreen.tap(b.x + b.width + 6, b.y + b.height / 2);
    await expect(server(page, leader)).toHaveAttribute('data-running', 'false');
    await expect(page.locator('.link.state-both')).toHaveCount(0);
    await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height + 6);
    await expect(server(page, leader)).toHaveAttribute('data-running', 'true');
    await expect(page.locator('.link.state-both')).toHaveCount(0);
  });

  test('a touch drag splits the network; a long press opens the server menu', async ({ page }) => {
    await openPage(page);
    await waitForLeader(page);
    const svg = await box(page, '[data-cluster]');
    const s1 = await box(page, '[data-node="S1"] .body');
    await touchDrag(page, { x: s1.x + s1.width / 2, y: s1.y + s1.height / 2 }, { x: svg.x + 40, y: svg.y + 60 });
    await expect(root(page)).toHaveAttribute('data-partition', 'S1 | S2 S3 S4 S5');
    await expect(server(page, 'S1')).toHaveAttribute('data-running', 'true'); // a drag is not a tap
    const s3 = await box(page, '[data-node="S3"] .body');
    await longPress(page, { x: s3.x + s3.width / 2, y: s3.y + s3.height / 2 });
    const menu = page.getByRole('menu', { name: 'Actions of S3' });
    await expect(menu).toBeVisible();
    const m = await menu.boundingBox();
    expect(m.x).toBeGreaterThanOrEqual(0);
    expect(m.x + m.width).toBeLessThanOrEqual(390);
    await expect(server(page, 'S3')).toHaveAttribute('data-running', 'true'); // a long press is not a tap
    await shot(page, '71-phone-menu');
    await menu.getByRole('menuitem', { name: 'Crash' }).tap();
    await expect(server(page, 'S3')).toHaveAttribute('data-running', 'false');
  });

  test('drawers are bottom sheets below the cluster; axe finds nothing, drawer open or not', async ({ page }) => {
    await openPage(page);
    await waitForLeader(page);
    await page.getByRole('button', { name: 'Pause', exact: true }).tap();
    expect(await axe(page)).toEqual([]);
    await page.getByRole('button', { name: 'Exercises' }).tap();
    const sheet = await box(page, '[data-drawer="exercises"]');
    expect(sheet.y + sheet.height).toBeGreaterThan(840);
    expect(sheet.width).toBeGreaterThan(380);
    // The servers stay in view above the sheet.
    for (const id of ['S1', 'S2', 'S5']) {
      const b = await box(page, `[data-node="${id}"] .body`);
      expect(b.y + b.height).toBeLessThan(sheet.y);
      expect(b.y).toBeGreaterThanOrEqual(0);
    }
    await shot(page, '72-phone-sheet');
    expect(await axe(page)).toEqual([]);
  });
});

test.describe('tablet, 768×1024, touch', () => {
  test.use({ viewport: { width: 768, height: 1024 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 });

  test('servers are large, the cluster first; axe with Break Raft open', async ({ page }) => {
    await openPage(page);
    await waitForLeader(page);
    const b = await box(page, '[data-node="S1"] .body');
    expect(b.width).toBeGreaterThanOrEqual(50);
    await shot(page, '73-tablet');
    await page.getByRole('button', { name: 'Pause', exact: true }).tap();
    await page.getByRole('button', { name: 'Break Raft' }).tap();
    const sheet = await box(page, '[data-drawer="break"]');
    const s1 = await box(page, '[data-node="S1"] .body');
    expect(s1.y + s1.height).toBeLessThan(sheet.y);
    await shot(page, '74-tablet-sheet');
    expect(await axe(page)).toEqual([]);
  });
});
