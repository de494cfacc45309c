// The "Your node" drawer (web/your-node/drawer.js): a code editor for a server written in
// JavaScript. A person opens it, types, reloads, loads a starting point, runs the code and
// switches to the built-in Raft. The JavaScript runtime is another part of the page (a Web
// Worker): here app.load is watched, and the scenario it is handed is what is checked.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { openPage, root, shot } from './helpers.js';
import {
  drawer, editor, editorText, openDrawer, watchLoads, loads, clearEditor, typeLines,
} from './your-node-helpers.js';

// A small node, as it lands (two-space indentation, made by the editor while typing).
const NODE = [
  'export default function node(ctx) {',
  '  return {',
  '    onStart() {',
  "      ctx.report({ role: 'follower', term: 0, votedFor: null, log: [], commit: 0 });",
  '    },',
  '    onClient(req) {',
  '      ctx.reply(req, { ok: false, notLeader: true });',
  '    },',
  '  };',
  '}',
];

test.beforeEach(async ({ page }) => {
  // Every test starts from a browser that has kept nothing.
  await page.addInitScript(() => {
    if (!sessionStorage.getItem('kept')) {
      localStorage.clear();
      sessionStorage.setItem('kept', '1');
    }
  });
});

test('the editor is not part of the first load: it loads when the drawer opens', async ({ page }) => {
  const scripts = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script' || r.url().endsWith('.js')) scripts.push(new URL(r.url()).pathname);
  });
  await openPage(page);
  await page.waitForLoadState('networkidle');
  const before = scripts.length;
  expect(scripts.some((s) => /drawer-/.test(s))).toBe(false);
  expect(await page.evaluate(() => document.querySelector('.cm-editor'))).toBeNull();

  const button = page.getByRole('button', { name: 'Your node', exact: true });
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  await expect(drawer(page)).toBeVisible();
  await expect(drawer(page)).toHaveAttribute('data-editor', 'ready');
  const after = scripts.slice(before);
  expect(after.filter((s) => /drawer-[\w-]+\.js$/.test(s))).toHaveLength(1);
  // The skeleton is where a first visit starts.
  await expect.poll(() => editorText(page)).toContain('export default function node(ctx)');
  await expect(drawer(page)).toHaveAttribute('data-node-code-state', 'ok');
  await expect(page.locator('[data-node-problems]')).toHaveText('No syntax errors.');

  // Closing and opening again loads nothing more.
  await page.getByRole('button', { name: 'Close Your node' }).click();
  await expect(drawer(page)).toBeHidden();
  await button.click();
  await expect(drawer(page)).toBeVisible();
  expect(scripts.filter((s) => /drawer-[\w-]+\.js$/.test(s))).toHaveLength(1);
});

test('a node typed in the editor: syntax errors in place, kept across a reload, run with Run', async ({ page }) => {
  await openPage(page);
  await openDrawer(page);
  await clearEditor(page);
  await typeLines(page, NODE);
  await expect.poll(() => editorText(page)).toBe(NODE.join('\n'));
  await expect(drawer(page)).toHaveAttribute('data-node-code-state', 'ok');

  // A mistake: marked in place, named in words, and Run refuses it.
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('let broken = ;', { delay: 5 });
  await expect(drawer(page)).toHaveAttribute('data-node-code-state', 'syntax-error');
  const mark = page.locator('[data-node-editor] .cm-lintRange-error').first();
  await expect(mark).toBeVisible();
  await expect(page.locator('[data-node-problems]')).toHaveText(/^Line 11, column 14: Unexpected token\.$/);
  await shot(page, '90-your-node-syntax-error');
  await watchLoads(page);
  await page.locator('[data-action="run-node"]').click();
  expect(await loads(page)).toEqual([]);

  // Fixed with the keyboard: the mark goes.
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await expect.poll(() => editorText(page)).toBe(NODE.join('\n'));
  await expect(drawer(page)).toHaveAttribute('data-node-code-state', 'ok');
  await expect(page.locator('[data-node-editor] .cm-lintRange-error')).toHaveCount(0);

  // Kept across a reload.
  await page.reload();
  await expect(root(page)).not.toHaveAttribute('data-loading');
  await openDrawer(page);
  await expect.poll(() => editorText(page)).toBe(NODE.join('\n'));

  // Run: a fresh cluster of the run's size and seed, with the code verbatim.
  await page.getByRole('combobox', { name: 'Servers' }).selectOption('3');
  await expect(root(page)).toHaveAttribute('data-nodes', '3');
  await watchLoads(page);
  await page.getByRole('button', { name: 'Run your code' }).click();
  const [scenario] = await loads(page);
  expect(scenario).toBe(`nodes 3\nseed 1\nprotocol js\ncode\n${NODE.join('\n')}\nend\n`);
  // Ctrl+Enter in the editor does the same.
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+Enter');
  expect(await loads(page)).toEqual([scenario, scenario]);
  await expect.poll(() => editorText(page)).toBe(NODE.join('\n'));
});

const STARTER = (name) => readFileSync(new URL(`../../web/your-node/starters/${name}.js`, import.meta.url), 'utf8');
/** What the browser keeps of a source's code (saved as it is typed). */
const kept = (page, source) => page.evaluate((key) => localStorage.getItem(key), `raft-playground:your-node:${source}`);

test('the three starting points load, and the code they replace stays one click (or Undo) away', async ({ page }) => {
  await openPage(page);
  await openDrawer(page);
  await clearEditor(page);
  await typeLines(page, NODE.slice(0, 1));
  const mine = NODE[0];
  await expect.poll(() => kept(page, 'mine')).toBe(mine);

  await page.getByRole('button', { name: 'Teaching Raft' }).click();
  await expect.poll(() => kept(page, 'mine')).toBe(STARTER('raft'));
  await expect(page.locator('[data-node-editor] .cm-content')).toContainText('export default function');
  await expect(drawer(page)).toHaveAttribute('data-node-code-state', 'ok');
  const restore = page.locator('[data-node-restore]');
  await expect(restore).toBeVisible();
  await expect(restore).toContainText('Loaded the teaching raft. The code it replaced (1 line) is kept');
  await page.getByRole('button', { name: 'Bring it back' }).click();
  await expect.poll(() => editorText(page)).toBe(mine);

  await page.getByRole('button', { name: 'Naive replicator' }).click();
  await expect.poll(() => kept(page, 'mine')).toBe(STARTER('naive'));
  await expect(drawer(page)).toHaveAttribute('data-node-code-state', 'ok');
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => editorText(page)).toBe(mine);

  await page.getByRole('button', { name: 'Skeleton' }).click();
  await expect.poll(() => kept(page, 'mine')).toBe(STARTER('skeleton'));
  await expect(drawer(page)).toHaveAttribute('data-node-code-state', 'ok');
});

test('Built-in Raft and Run switch the cluster; the code stays in the editor', async ({ page }) => {
  await openPage(page);
  await openDrawer(page);
  await clearEditor(page);
  await typeLines(page, NODE);
  await expect.poll(() => kept(page, 'mine')).toBe(NODE.join('\n'));
  await expect(drawer(page)).toHaveAttribute('data-node-running', 'raft');
  await expect(page.locator('[data-action="use-builtin"]')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('[data-node-running-note]')).toHaveText('Running the built-in Raft (5 servers, seed 1).');

  await page.getByRole('spinbutton', { name: 'Seed' }).fill('9');
  await page.getByRole('spinbutton', { name: 'Seed' }).press('Enter');
  await expect(page.locator('[data-node-running-note]')).toHaveText('Running the built-in Raft (5 servers, seed 9).');
  await watchLoads(page);
  await page.getByRole('button', { name: 'Run your code' }).click();
  await page.getByRole('button', { name: 'Built-in Raft' }).click();
  expect(await loads(page)).toEqual([
    `nodes 5\nseed 9\nprotocol js\ncode\n${NODE.join('\n')}\nend\n`,
    'nodes 5\nseed 9\n',
  ]);
  await expect(drawer(page)).toHaveAttribute('data-node-running', 'raft');
  await expect.poll(() => editorText(page)).toBe(NODE.join('\n'));
  await expect.poll(() => kept(page, 'mine')).toBe(NODE.join('\n'));
});

test("a run that carries other code shows it, and the person's own code stays one click away", async ({ page }) => {
  await openPage(page);
  await openDrawer(page);
  await clearEditor(page);
  await typeLines(page, NODE);
  await expect(page.locator('[data-node-source]').first()).toBeHidden();
  // A share link's scenario with someone else's node, as the page has it once it runs (the
  // runner of `protocol js` is another part of the page: here the recording stands in for it).
  const other = "export default function node(ctx) {\n  return { onClient(req) { ctx.reply(req, { ok: true }); } };\n}";
  await page.evaluate((code) => {
    const app = window.playground;
    app.model.recorded = () => `nodes 3\nseed 4\nprotocol js\ncode\n${code}\nend\nrun 1s\n`;
    app.root.dispatchEvent(new CustomEvent('playground-load'));
  }, other);
  await expect(drawer(page)).toHaveAttribute('data-node-code-source', 'run');
  await expect.poll(() => editorText(page)).toBe(other);
  await expect(drawer(page)).toHaveAttribute('data-node-running', 'js');

  await page.getByRole('button', { name: 'My code' }).click();
  await expect(drawer(page)).toHaveAttribute('data-node-code-source', 'mine');
  await expect.poll(() => editorText(page)).toBe(NODE.join('\n'));
  await page.getByRole('button', { name: "This run's code" }).click();
  await expect.poll(() => editorText(page)).toBe(other);
  // Editing the link's code never touches the person's own.
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type(' // mine now?');
  await expect.poll(() => kept(page, 'run')).toBe(`${other} // mine now?`);
  expect(await kept(page, 'mine')).toBe(NODE.join('\n'));
});

test('an error of the running node is marked at its line, even when it came before the drawer opened', async ({ page }) => {
  await openPage(page);
  await page.evaluate(() => {
    const node = "export default function node(ctx) {\n  return {\n    onMessage(from, msg) {\n      throw new Error('boom');\n    },\n  };\n}";
    localStorage.setItem('raft-playground:your-node:mine', node);
    // What the runner of `protocol js` dispatches when a handler throws.
    window.playground.root.dispatchEvent(new CustomEvent('yournode-error', {
      detail: { kind: 'throw', message: 'Error: boom', server: 'S2', event: 'message vote from S1', timeMs: 1234, line: 4, column: 7 },
    }));
  });
  await openDrawer(page);
  const error = page.locator('[data-node-error]');
  await expect(error).toHaveText('S2 threw while handling message vote from S1 at 1234 ms (simulated), line 4, column 7: Error: boom');
  await expect(drawer(page)).toHaveAttribute('data-node-code-state', 'runtime-error');
  const line4 = page.locator('[data-node-editor] .cm-line').nth(3);
  await expect(line4.locator('.cm-lintRange-error')).toHaveText("throw new Error('boom');");

  // An endless loop, reported while the drawer is open.
  await page.evaluate(() => window.playground.root.dispatchEvent(new CustomEvent('yournode-error', {
    detail: { kind: 'timeout', message: 'stopped after 1 s', server: 'S1', event: 'timer election', timeMs: 300, line: 3, column: 5 },
  })));
  await expect(error).toHaveText('S1 did not return within 1 s while handling timer election at 300 ms (simulated), line 3, column 5: stopped after 1 s');
  await expect(page.locator('[data-node-editor] .cm-line').nth(2).locator('.cm-lintRange-error')).toHaveText('onMessage(from, msg) {');
  await shot(page, '91-your-node-runtime-error');
});

test('the drawer on a phone: a bottom sheet with the editor in reach', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openPage(page);
  await expect(page.getByRole('button', { name: 'Your node', exact: true })).toBeInViewport();
  await shot(page, '92-your-node-phone-closed');
  await openDrawer(page);
  const box = await page.locator('[data-node-editor]').boundingBox();
  expect(box.width).toBeGreaterThan(300);
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('\n// typed on a phone');
  await expect.poll(() => kept(page, 'mine')).toContain('// typed on a phone');
  await shot(page, '93-your-node-phone');
  await page.getByRole('button', { name: 'Run your code' }).scrollIntoViewIfNeeded();
  await expect(page.getByRole('button', { name: 'Run your code' })).toBeInViewport();
  await shot(page, '94-your-node-phone-run');
});

test('axe finds nothing in the open drawer, with a syntax error shown', async ({ page }) => {
  await openPage(page);
  await openDrawer(page);
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('\nlet x = ;');
  await expect(drawer(page)).toHaveAttribute('data-node-code-state', 'syntax-error');
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const axe = () => page.evaluate(async () => (await window.axe.run(document.querySelector('[data-your-node]'))).violations
    .map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })));
  expect(await axe()).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await axe()).toEqual([]);
  await shot(page, '95-your-node-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.keyboard.press('Escape');
  await expect(drawer(page)).toBeHidden();
  await expect(page.getByRole('button', { name: 'Your node', exact: true })).toBeFocused();
});
