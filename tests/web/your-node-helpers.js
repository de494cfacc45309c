// The "Your node" drawer as a person uses it: open it, empty the editor, type into it.
import { expect } from '@playwright/test';

export const drawer = (page) => page.locator('[data-your-node]');
export const editor = (page) => page.getByRole('textbox', { name: 'Code of your node' });

/** The editor's text, as CodeMirror holds it (one element per line). */
export async function editorText(page) {
  return page.locator('[data-node-editor] .cm-content .cm-line').evaluateAll((lines) => lines.map((l) => l.textContent).join('\n'));
}

export async function openDrawer(page) {
  await page.getByRole('button', { name: 'Your node', exact: true }).click();
  await expect(drawer(page)).toHaveAttribute('data-editor', 'ready');
  await expect(editor(page)).toBeVisible();
}

/** Every scenario handed to app.load from now on, in window.__loads. */
export async function watchLoads(page) {
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
export const loads = (page) => page.evaluate(() => window.__loads);

/** Empty the editor with the keyboard. */
export async function clearEditor(page) {
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await expect.poll(() => editorText(page)).toBe('');
}

/**
 * Type lines as a person does, without leading blanks: the editor indents each new line
 * itself, and a line that starts with `}` goes back one level as it is typed.
 */
export async function typeLines(page, lines) {
  for (let i = 0; i < lines.length; i++) {
    await page.keyboard.type(lines[i].trimStart(), { delay: 5 });
    if (i < lines.length - 1) await page.keyboard.press('Enter');
  }
}
