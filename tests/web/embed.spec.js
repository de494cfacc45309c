// The embeddable figures (embed.html, <raft-playground>, article.html): each figure loads and
// shows its idea, the APIs drive them, and they fit an article column. Figures are driven by
// their steps (runToStep), which land on fixed instants of simulated time, so nothing here
// waits on wall-clock luck.
import { test, expect } from '@playwright/test';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { SHOTS } from './helpers.js';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => window.axe.run(document));
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}

async function shot(page, name, locator = null) {
  mkdirSync(SHOTS, { recursive: true });
  await (locator || page).screenshot({ path: `${SHOTS}/${name}.png`, ...(locator ? {} : { fullPage: true }) });
}

/** Open embed.html with `query` and wait until its figure is ready. */
async function openEmbed(page, query) {
  await page.goto(`./embed.html${query}`);
  // Compiling the WebAssembly module can take a while on a busy machine.
  await expect(page.locator('raft-playground[data-ready]')).toHaveCount(1, { timeout: 45_000 });
}

/** Call a method of the element (`sel` picks it) inside the page and return its result. */
function call(page, sel, name, ...args) {
  return page.evaluate(async ({ sel, name, args }) => {
    const el = document.querySelector(sel);
    await el.ready;
    return el[name](...args);
  }, { sel, name, args });
}

const state = (page, sel = 'raft-playground') => call(page, sel, 'state');

/** Jump to the last step of the figure and a little past it. */
async function toEnd(page, sel = 'raft-playground') {
  const s = await state(page, sel);
  await call(page, sel, 'runToStep', s.steps - 1);
  await call(page, sel, 'act', 'run 800ms');
  return state(page, sel);
}

const FIGURES = ['conflicting-truth', 'bike-booking', 'leader-election', 'log-replication', 'majority-quorum', 'leader-crash', 'split-brain'];

test.describe('embed.html', () => {
  test.use({ viewport: { width: 640, height: 900 } });

  for (const name of FIGURES) {
    test(`${name}: loads, steps through, fits 640 px with no horizontal scroll`, async ({ page }) => {
      await openEmbed(page, `?preset=${name}&autoplay=false`);
      const fig = page.locator('raft-playground');
      await expect(fig.locator('[data-figure]')).toHaveAttribute('data-figure', name);
      await expect(fig.locator('figcaption')).not.toBeEmpty();
      const s0 = await state(page);
      expect(s0.steps).toBeGreaterThan(2);
      // Next step, as a reader does.
      await fig.getByRole('button', { name: 'Next step' }).click();
      await expect(fig.locator('[data-narration]')).not.toBeEmpty();
      await toEnd(page);
      await page.waitForTimeout(100);
      await shot(page, `40-figure-${name}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    });
  }

  test('split-brain reaches S1 S2 | S3 S4 S5 and the minority does not commit', async ({ page }) => {
    await openEmbed(page, '?preset=split-brain&autoplay=false');
    await call(page, 'raft-playground', 'runToStep', 4); // the majority side's write
    await call(page, 'raft-playground', 'act', 'run 300ms');
    const s = await state(page);
    const pane = s.panes[0];
    expect(pane.partition).toBe('S1 S2 | S3 S4 S5');
    const fig = page.locator('raft-playground');
    await expect(fig.locator('[data-pane]')).toHaveAttribute('data-partition', 'S1 S2 | S3 S4 S5');
    const byId = Object.fromEntries(pane.nodes.map((n) => [n.id, n]));
    // S1's write (line "put bike42 alice via S1") never completes, and the minority commits nothing new.
    const alice = pane.history.find((h) => h.value === 'alice');
    expect(alice.outcome).toBeNull();
    const bob = pane.history.find((h) => h.value === 'bob');
    expect(bob.outcome).toBe('ok');
    const majorityCommit = Math.min(byId.S3.commit, byId.S4.commit, byId.S5.commit);
    expect(byId.S1.commit).toBeLessThan(majorityCommit);
    expect(byId.S2.commit).toBeLessThan(majorityCommit);
    expect(byId.S1.state.bike42).toBeUndefined();
    expect(pane.leader).not.toBe('S1');
    await shot(page, '41-split-brain-partitioned', fig);
  });

  test('bike-booking: booked twice without consensus, once with Raft', async ({ page }) => {
    await openEmbed(page, '?preset=bike-booking&autoplay=false');
    await toEnd(page);
    const s = await state(page);
    const naive = s.panes.find((p) => p.id === 'naive');
    const raft = s.panes.find((p) => p.id === 'raft');
    expect(naive.history.map((h) => h.outcome)).toEqual(['ok', 'ok']);
    expect(naive.safe).toBe(false);
    expect(naive.nodes.every((n) => n.role === 'follower' && n.term === 0)).toBe(true);
    expect(raft.history.map((h) => h.outcome).sort()).toEqual(['fail', 'ok']);
    expect(raft.safe).toBe(true);
    const fig = page.locator('raft-playground');
    await expect(fig.locator('[data-pane="naive"]')).toHaveAttribute('data-safe', 'false');
    await expect(fig.locator('[data-pane="raft"]')).toHaveAttribute('data-safe', 'true');
    await expect(fig.locator('[data-pane="naive"] .rp-status')).toContainText('2 of 2 writes confirmed');
    await expect(fig.locator('[data-pane="raft"] .rp-status')).toContainText('1 of 2 writes confirmed');
  });

  test('a figure played in real time matches the same steps jumped to', async ({ page }) => {
    await openEmbed(page, '?preset=log-replication&speed=2');
    await expect(page.locator('raft-playground [data-figure]')).toHaveAttribute('data-paused', 'true', { timeout: 30_000 });
    const played = await state(page);
    await call(page, 'raft-playground', 'runToStep', played.steps - 1);
    const jumped = await state(page);
    // The same lines at the same instants: the recorded scenario agrees up to the last step.
    const cut = (t) => t.split('\n').filter((l) => !l.startsWith('run')).join('\n');
    expect(cut(jumped.panes[0].recorded)).toBe(cut(played.panes[0].recorded));
    expect(played.panes[0].history[0].outcome).toBe('ok');
  });

  test('majority-quorum switches between 3 and 5 servers; leader-crash offers both cases', async ({ page }) => {
    await openEmbed(page, '?preset=majority-quorum&autoplay=false');
    const fig = page.locator('raft-playground');
    await expect(fig.locator('[data-node]')).toHaveCount(3);
    let s = await toEnd(page);
    expect(s.panes[0].history.map((h) => h.outcome)).toEqual(['ok', null]);
    await fig.getByLabel('Variant').selectOption('5');
    await expect(fig.locator('[data-node]')).toHaveCount(5);
    s = await toEnd(page);
    expect(s.variant).toBe('5');
    expect(s.panes[0].history.map((h) => h.outcome)).toEqual(['ok', null]);

    await openEmbed(page, '?preset=leader-crash&variant=before-commit&autoplay=false');
    s = await toEnd(page);
    const pane = s.panes[0];
    expect(pane.history.find((h) => h.value === '7').outcome).toBeNull();
    expect(pane.nodes.every((n) => n.state.pay === '8')).toBe(true);
    await fig.getByLabel('Variant').selectOption('after-commit');
    s = await toEnd(page);
    expect(s.panes[0].nodes.every((n) => n.state.pay === '7')).toBe(true);
  });

  test('#s= opens any scenario', async ({ page }) => {
    const text = 'nodes 3\ntimeout S2\nrun 300ms\n';
    const b64 = Buffer.from(text).toString('base64url');
    await page.goto(`./embed.html?controls=full#s=${b64}`);
    await expect(page.locator('raft-playground[data-ready]')).toHaveCount(1);
    await expect(page.locator('raft-playground [data-node]')).toHaveCount(3);
    await expect(page.locator('raft-playground [data-node="S2"]')).toHaveAttribute('data-role', 'leader');
  });

  test('#s= opens a compressed share link too, through the page\'s own decoder', async ({ page }) => {
    const { deflateRawSync } = await import('node:zlib');
    const text = 'nodes 3\n# a comment long enough to be worth compressing, compressing, compressing\ntimeout S3\nrun 300ms\n';
    const packed = Buffer.concat([Buffer.from([0xff]), deflateRawSync(Buffer.from(text))]).toString('base64url');
    await page.goto(`./embed.html?controls=full#s=${packed}`);
    await expect(page.locator('raft-playground[data-ready]')).toHaveCount(1);
    await expect(page.locator('raft-playground [data-node]')).toHaveCount(3);
    await expect(page.locator('raft-playground [data-node="S3"]')).toHaveAttribute('data-role', 'leader');
    // A compressed payload cut short names the problem instead of showing a blank figure.
    await page.goto(`./embed.html?controls=full#s=${packed.slice(0, 12)}`);
    await page.reload();
    await expect(page.locator('raft-playground .rp-host')).toContainText('could not be read');
  });

  test('postMessage: the article crashes the leader and hears the new election', async ({ page }) => {
    await page.setContent('<!doctype html><html lang="en"><body></body></html>');
    await page.goto('./article.html');
    const frame = page.frameLocator('iframe[data-fig="leader-election"]');
    // Figures start playing when they scroll into view.
    await page.locator('iframe[data-fig="leader-election"]').scrollIntoViewIfNeeded();
    await expect(frame.locator('raft-playground[data-ready]')).toHaveCount(1, { timeout: 45_000 });
    // Wait for the first leader, then crash it through the article's own link (postMessage).
    const first = await expect.poll(async () => frame.locator('[data-node][data-role="leader"][data-running="true"]').count(), { timeout: 30_000 }).toBe(1)
      .then(() => frame.locator('[data-node][data-role="leader"]').getAttribute('data-node'));
    await page.getByRole('button', { name: 'crash the leader' }).click();
    await expect(frame.locator(`[data-node="${first}"]`)).toHaveAttribute('data-running', 'false');
    await expect(frame.locator('[data-node][data-role="leader"][data-running="true"]')).toHaveCount(1, { timeout: 30_000 });
    await expect(page.locator('[data-events="leader-election"]')).toContainText('elected');
    // A raw call with an answer.
    const answer = await page.evaluate(() => new Promise((resolve) => {
      const f = document.querySelector('iframe[data-fig="leader-election"]');
      window.addEventListener('message', (e) => { if (e.data && e.data.id === 999) resolve(e.data); });
      f.contentWindow.postMessage({ type: 'raft-playground', call: 'state', args: [], id: 999 }, '*');
    }));
    expect(answer.ok).toBe(true);
    expect(answer.result.preset).toBe('leader-election');
    const bad = await page.evaluate(() => new Promise((resolve) => {
      const f = document.querySelector('iframe[data-fig="leader-election"]');
      window.addEventListener('message', (e) => { if (e.data && e.data.id === 1000) resolve(e.data); });
      f.contentWindow.postMessage({ type: 'raft-playground', call: 'explode', args: [], id: 1000 }, '*');
    }));
    expect(bad.ok).toBe(false);
    expect(bad.error).toContain('unknown call');
  });

  test('axe: embed.html has no violations, light and dark', async ({ page }) => {
    await openEmbed(page, '?preset=bike-booking&autoplay=false&controls=full');
    await toEnd(page);
    expect(await axe(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await openEmbed(page, '?preset=majority-quorum&autoplay=false');
    await toEnd(page);
    await shot(page, '42-embed-dark');
    expect(await axe(page)).toEqual([]);
  });
});

test.describe('article.html', () => {
  test.use({ viewport: { width: 640, height: 1000 } });

  test('every figure loads; custom elements work several to a page; no horizontal scroll', async ({ page }) => {
    await page.goto('./article.html');
    const elements = page.locator('raft-playground[data-fig]');
    await expect(elements).toHaveCount(6);
    await expect(page.locator('raft-playground[data-fig][data-ready]')).toHaveCount(6, { timeout: 45_000 });
    // Only figures in view play: the last one has not started yet.
    await expect(page.locator('raft-playground[data-fig="split-brain"] [data-figure]')).toHaveAttribute('data-paused', 'true');
    await expect(page.locator('raft-playground[data-fig="conflicting-truth"] [data-figure]')).toHaveAttribute('data-paused', 'false');
    for (const name of FIGURES.filter((n) => n !== 'leader-election')) {
      await expect(page.locator(`raft-playground[data-fig="${name}"] [data-figure="${name}"]`)).toHaveCount(1);
    }
    // Two elements are independent: crash S2 in one, the other is untouched.
    await call(page, 'raft-playground[data-fig="log-replication"]', 'pause');
    await call(page, 'raft-playground[data-fig="split-brain"]', 'pause');
    await call(page, 'raft-playground[data-fig="log-replication"]', 'crash', 'S2');
    const a = await state(page, 'raft-playground[data-fig="log-replication"]');
    const b = await state(page, 'raft-playground[data-fig="split-brain"]');
    expect(a.panes[0].nodes.find((n) => n.id === 'S2').running).toBe(false);
    expect(b.panes[0].nodes.find((n) => n.id === 'S2').running).toBe(true);
    // Styles are isolated: the article's serif font does not reach into the figure.
    const font = await page.locator('raft-playground[data-fig="split-brain"]').evaluate((el) => getComputedStyle(el.shadowRoot.querySelector('.rp-figure')).fontFamily);
    expect(font).not.toContain('Georgia');
    // The article drives an element: jump to the split, highlight S1.
    await page.getByRole('button', { name: 'Jump to the split' }).click();
    await expect(page.locator('raft-playground[data-fig="split-brain"] [data-pane]')).toHaveAttribute('data-partition', 'S1 S2 | S3 S4 S5');
    await page.getByRole('button', { name: 'point at S1' }).click();
    await expect(page.locator('raft-playground[data-fig="split-brain"] [data-node="S1"]')).toHaveClass(/highlight/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, '43-article');
  });

  test('events: a violation and a commit are announced in the live region', async ({ page }) => {
    await page.goto('./article.html');
    const bike = 'raft-playground[data-fig="bike-booking"]';
    await page.locator(bike).scrollIntoViewIfNeeded();
    await expect(page.locator(`${bike}[data-ready]`)).toHaveCount(1, { timeout: 45_000 });
    const got = page.evaluate((sel) => new Promise((resolve) => {
      const el = document.querySelector(sel);
      el.addEventListener('violation', (e) => {
        // The sentence is in the live region by the time the event is dispatched.
        resolve({ ...e.detail, live: el.shadowRoot.querySelector('[aria-live]').textContent });
      }, { once: true });
    }), bike);
    await call(page, bike, 'replay');
    const v = await got;
    expect(v.pane).toBe('naive');
    expect(v.property).toBe('linearizability');
    expect(v.live).toContain('consistency violated');
  });

  test('phone: touch a server to crash it; reduced motion starts paused', async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, reducedMotion: 'reduce' });
    const page = await context.newPage();
    await page.goto('./embed.html?preset=leader-election');
    await expect(page.locator('raft-playground[data-ready]')).toHaveCount(1);
    await expect(page.locator('raft-playground [data-figure]')).toHaveAttribute('data-paused', 'true');
    await call(page, 'raft-playground', 'runToStep', 2);
    await page.locator('raft-playground [data-node="S1"] .body').tap();
    await expect(page.locator('raft-playground [data-node="S1"]')).toHaveAttribute('data-running', 'false');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, '44-phone');
    await context.close();
  });

  test('axe: article.html has no violations', async ({ page }) => {
    await page.goto('./article.html');
    await expect(page.locator('raft-playground[data-fig][data-ready]')).toHaveCount(6);
    await call(page, 'raft-playground[data-fig="bike-booking"]', 'runToStep', 2);
    expect(await axe(page)).toEqual([]);
  });
});
