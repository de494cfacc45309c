// Membership changes, leadership transfer and snapshots, done the way a person does them: the
// "Add server" button, a server's own menu (right-click) and its keys, and a share link of a
// compacting cluster.
import { test, expect } from '@playwright/test';
import { openPage, waitForLeader, server, root, pause, shot, base64url, logRow } from './helpers.js';

// A busy machine runs several browsers at once; these tests wait on elections and catch-up.
test.describe.configure({ timeout: 120_000 });

async function recorded(page) {
  return page.evaluate(() => window.playground.model.recorded());
}

test('Add server: S6 appears, catches up as a non-voter, then becomes a voter', async ({ page }) => {
  await openPage(page);
  const leader = await waitForLeader(page);
  await page.getByRole('textbox', { name: 'Key' }).fill('x');
  await page.getByRole('textbox', { name: 'Value', exact: true }).fill('1');
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await page.getByRole('button', { name: 'Add server' }).click();
  await expect(server(page, 'S6')).toHaveCount(1);
  expect(await recorded(page)).toMatch(/^add S6$/m);
  // It joins the voter set once it has caught up.
  await expect(server(page, 'S6')).toHaveAttribute('data-member', 'true');
  await expect(root(page)).toHaveAttribute('data-nodes', '6');
  // Its commit index catches up with the leader's, and it holds what was written.
  await page.waitForFunction((l) => {
    const c = (id) => Number(document.querySelector(`[data-node="${id}"]`).dataset.commit);
    return c('S6') >= 2 && c('S6') >= c(l) - 1;
  }, leader);
  await expect(logRow(page, 'S6')).toContainText('x=1');
  // Six servers on the ring, none on top of another.
  const boxes = await page.locator('[data-node] .body').evaluateAll((els) => els.map((e) => {
    const b = e.getBoundingClientRect();
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  }));
  expect(boxes).toHaveLength(6);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      expect(Math.hypot(boxes[i].x - boxes[j].x, boxes[i].y - boxes[j].y)).toBeGreaterThan(30);
    }
  }
  await pause(page);
  await shot(page, 'membership-1-added-S6');
});

test('Remove a follower from its menu: it is no longer a member, the others go on', async ({ page }) => {
  await openPage(page);
  const leader = await waitForLeader(page);
  const follower = ['S1', 'S2', 'S3', 'S4', 'S5'].find((id) => id !== leader);
  await server(page, follower).click({ button: 'right' });
  const menu = page.getByRole('menu', { name: `Actions of ${follower}` });
  await expect(menu).toBeVisible();
  await menu.getByRole('menuitem', { name: 'Remove from cluster' }).click();
  await expect(menu).toBeHidden();
  expect(await recorded(page)).toContain(`remove ${follower}`);
  await expect(server(page, follower)).toHaveAttribute('data-member', 'false');
  await expect(server(page, follower)).toHaveAttribute('aria-label', /not a member/);
  // The rest still agree on new writes.
  await page.getByRole('textbox', { name: 'Key' }).fill('after');
  await page.getByRole('textbox', { name: 'Value', exact: true }).fill('removal');
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  const l = await waitForLeader(page, { exclude: [follower] });
  await expect(logRow(page, l)).toContainText('after=removal');
  // The removed server heard of its removal: it never campaigns, so nobody was deposed.
  expect(l).toBe(leader);
  await expect(server(page, follower)).toHaveAttribute('data-role', 'follower');
  await expect(server(page, follower)).toHaveAttribute('data-term', await server(page, leader).getAttribute('data-term'));
  await pause(page);
  await shot(page, 'membership-2-removed-follower');
});

test('Remove the leader: it steps down and the others elect a new one', async ({ page }) => {
  await openPage(page);
  const leader = await waitForLeader(page);
  await server(page, leader).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Remove from cluster' }).click();
  const next = await waitForLeader(page, { exclude: [leader] });
  expect(next).not.toBe(leader);
  await expect(server(page, leader)).not.toHaveAttribute('data-role', 'leader');
  await expect(server(page, leader)).toHaveAttribute('data-member', 'false');
});

test('Make leader: from the menu, and with L on a focused server', async ({ page }) => {
  await openPage(page);
  const leader = await waitForLeader(page);
  const others = ['S1', 'S2', 'S3', 'S4', 'S5'].filter((id) => id !== leader);
  await server(page, others[0]).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Make leader' }).click();
  await expect(server(page, others[0])).toHaveAttribute('data-role', 'leader');
  expect(await recorded(page)).toContain(`transfer ${others[0]}`);
  // The keyboard: focus another server, press L.
  await server(page, others[1]).focus();
  await page.keyboard.press('l');
  await expect(server(page, others[1])).toHaveAttribute('data-role', 'leader');
  expect(await recorded(page)).toContain(`transfer ${others[1]}`);
  await expect(root(page)).toHaveAttribute('data-safe', 'true');
  // The menu by keyboard: M opens it on the focused server, Escape closes it again.
  await server(page, others[2]).focus();
  await page.keyboard.press('m');
  await expect(page.getByRole('menu', { name: `Actions of ${others[2]}` })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toBeHidden();
  await expect(server(page, others[2])).toBeFocused();
});

test('Snapshots: drawn at the start of each log row; InstallSnapshot travels as a square', async ({ page }) => {
  // S3 is cut off while the others write and compact, then the network heals.
  const text = [
    'nodes 3', 'seed 1', 'snapshot-every 3', 'timeout S1', 'run 300ms', 'isolate S3',
    'put a 1', 'run 100ms', 'put b 2', 'run 100ms', 'put c 3', 'run 100ms', 'put d 4', 'run 100ms',
    'put e 5', 'run 200ms', 'heal', 'run 5ms',
  ].join('\n');
  await openPage(page, '?speed=1', `#s=${base64url(text)}`);
  await expect(root(page)).toHaveAttribute('data-paused', 'true');
  const snapCell = logRow(page, 'S1').locator('[data-snapshot]');
  await expect(snapCell).toHaveCount(1);
  await expect(snapCell).toHaveAttribute('data-snapshot', /^[36]\/1$/);
  await expect(logRow(page, 'S3').locator('.snap-cell')).toHaveText('—');
  // Step (the button once, then the same call in a loop) until the leader's InstallSnapshot to
  // S3 is on the wire.
  await page.getByRole('button', { name: 'Step' }).click();
  const stepUntil = (selector) => page.evaluate((sel) => {
    for (let i = 0; i < 2000; i++) {
      if (document.querySelector(sel)) return true;
      window.playground.step();
    }
    return false;
  }, selector);
  expect(await stepUntil('.msg[data-kind="InstallSnapshot"]')).toBe(true);
  const wire = page.locator('.msg[data-kind="InstallSnapshot"]');
  await expect(wire.first()).toBeVisible();
  await expect(wire.first().locator('.snap-box')).toBeVisible();
  await expect(wire.first()).toContainText('snapshot');
  await shot(page, 'membership-3-install-snapshot');
  // Delivered, S3 holds the snapshot and the writes.
  expect(await stepUntil('[data-log-node="S3"] [data-snapshot]')).toBe(true);
  await expect(logRow(page, 'S3').locator('[data-snapshot]')).toHaveCount(1);
  await expect(logRow(page, 'S3')).toContainText('a=1');
  await expect(root(page)).toHaveAttribute('data-safe', 'true');
});
