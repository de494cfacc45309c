// Shared steps of the browser tests. They act as a person does (real mouse, real keys) and
// wait on what the page shows (its data attributes), never on fixed sleeps.
import { expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';

export const SHOTS = 'artifacts/web';

/** Open the page (fast by default: 5× real time) and wait until the simulator runs. */
export async function openPage(page, query = '?speed=5', hash = '') {
  await page.goto(`./${query}${hash}`);
  await expect(page.locator('[data-playground]')).not.toHaveAttribute('data-loading');
  await expect(page.locator('[data-node]').first()).toBeVisible();
}

export function root(page) {
  return page.locator('[data-playground]');
}

export function server(page, id) {
  return page.locator(`[data-node="${id}"]`);
}

/**
 * Wait until exactly one running server among `among` (default: all) is leader and return its
 * id. A stale leader outside `among` (cut off in a minority) does not count.
 */
export async function waitForLeader(page, { among = null, exclude = [], timeout = 20_000 } = {}) {
  const handle = await page.waitForFunction(
    ({ among, exclude }) => {
      const leaders = [...document.querySelectorAll('[data-node][data-role="leader"][data-running="true"]')]
        .map((e) => e.dataset.node)
        .filter((id) => (!among || among.includes(id)) && !exclude.includes(id));
      return leaders.length === 1 ? leaders[0] : null;
    },
    { among, exclude },
    { timeout },
  );
  return handle.jsonValue();
}

/** All servers' data attributes, by id. */
export async function servers(page) {
  return page.locator('[data-node]').evaluateAll((els) =>
    Object.fromEntries(els.map((e) => [e.dataset.node, {
      role: e.dataset.role, term: Number(e.dataset.term), running: e.dataset.running === 'true', commit: Number(e.dataset.commit),
    }])));
}

/** Centre of a server's circle on the screen. */
export async function centre(page, id) {
  const box = await page.locator(`[data-node="${id}"] .body`).boundingBox();
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Press on `from`, move in small steps to `to`, release: a real drag. */
/** The screen point halfway between two servers' centres: where a click lands on their link. */
export async function linkMidpoint(page, a, b) {
  const p = await centre(page, a);
  const q = await centre(page, b);
  return { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 };
}

export async function drag(page, from, to, steps = 12) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(from.x + ((to.x - from.x) * i) / steps, from.y + ((to.y - from.y) * i) / steps);
  }
  await page.mouse.up();
}

/** Drag the given servers to the left edge of the cluster area, dropped side by side. */
export async function dragToLeftEdge(page, ids) {
  const box = await page.locator('[data-cluster]').boundingBox();
  // "Side by side": one server's drawn size apart plus a small gap, however large the drawing
  // is on screen.
  const body = await page.locator(`[data-node="${ids[0]}"] .body`).boundingBox();
  const step = body.height * 1.3;
  for (let i = 0; i < ids.length; i++) {
    const from = await centre(page, ids[i]);
    const to = { x: box.x + 40, y: box.y + box.height / 2 + (i - (ids.length - 1) / 2) * step };
    await drag(page, from, to);
  }
}

/** Text of a server's row in the log table (its state machine is the last cell). */
export function logRow(page, id) {
  return page.locator(`[data-log-node="${id}"]`);
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

export async function pause(page) {
  const button = page.getByRole('button', { name: 'Pause', exact: true });
  await button.click();
  await expect(root(page)).toHaveAttribute('data-paused', 'true');
}

/** base64url without padding of bytes or text (the share link format). */
export function base64url(data) {
  return Buffer.from(data).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * raft-sim, built if need be: the newer of the release and debug builds (a stale binary may
 * not know a newer expectation).
 */
export function raftSim() {
  const built = ['target/release/raft-sim', 'target/debug/raft-sim']
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (built.length) return built[0];
  execFileSync('cargo', ['build', '-q', '-p', 'raft-sim']);
  return 'target/debug/raft-sim';
}
