// The "Your node" drawer (web/your-node/drawer.js): a code editor for a server written in
// JavaScript. A person opens it, types, reloads, loads a starting point, runs the code and
// switches to the built-in Raft. The JavaScript runtime is another part of the page (a Web
// Worker): here app.load is watched, and the scenario it is handed is what is checked.
import { test, expect } from '@playwright/test';
import { openPage, root, shot } from './helpers.js';

const drawer = (page) => page.locator('[data-your-node]');
const editor = (page) => page.getByRole('textbox', { name: 'Code of your node' });

/** The editor's text, as CodeMirror holds it (one element per line). */
async function editorText(page) {
  return page.locator('[data-node-editor] .cm-content .cm-line').evaluateAll((lines) => lines.map((l) => l.textContent).join('\n'));
}

async function openDrawer(page) {
  await page.getByRole('button', { name: 'Your node', exact: true }).click();
  await expect(drawer(page)).toHaveAttribute('data-editor', 'ready');
  await expect(editor(page)).toBeVisible();
}

/** Every scenario handed to app.load from now on, in window.__loads. */
async function watchLoads(page) {
  await page.evaluate(() => {
    const app = window.playground;
    const load = app.load.bind(app);
    window.__loads = [];
    app.load = (text, options) => {
      window.__loads.push(text);
      return load(text, options);
    };
  });
}
const loads = (page) => page.evaluate(() => window.__loads);

/** Empty the editor with the keyboard. */
async function clearEditor(page) {
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await expect.poll(() => editorText(page)).toBe('');
}

/**
 * Type lines as a person does, without leading blanks: the editor indents each new line
 * itself, and a line that starts with `}` goes back one level as it is typed.
 */
async function typeLines(page, lines) {
  for (let i = 0; i < lines.length; i++) {
    await page.keyboard.type(lines[i].trimStart(), { delay: 5 });
    if (i < lines.length - 1) await page.keyboard.press('Enter');
  }
}

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
});
