// A node written in JavaScript, end to end in the real page: typed into the "Your node" editor
// with the keyboard, run in its Web Worker, crashed and partitioned by hand, shared and replayed,
// broken on purpose (a throw, an endless loop), and an exercise solved with the reference node.
import { test, expect } from '@playwright/test';
import { openPage, root, server, servers, dragToLeftEdge, pause, waitForLeader, shot } from './helpers.js';
import { drawer, editorText, openDrawer, clearEditor, typeLines } from './your-node-helpers.js';

test.beforeEach(async ({ page }) => {
  // Every test starts from a browser that has kept nothing (but keeps what it saves itself).
  await page.addInitScript(() => {
    if (!sessionStorage.getItem('kept')) {
      localStorage.clear();
      sessionStorage.setItem('kept', '1');
    }
  });
});

// S1 leads by decree and pings the others every 50 ms; they answer. Small enough to type, and
// enough to draw: a leader, a term, labelled messages both ways.
const PINGER = [
  'export default function node(ctx) {',
  "  const leader = ctx.id === 'S1';",
  '  return {',
  '    onStart() {',
  "      ctx.report({ role: leader ? 'leader' : 'follower', term: 1, votedFor: 'S1', log: [], commit: 0 });",
  "      if (leader) ctx.setTimer('beat', 50);",
  '    },',
  '    onTimer(name) {',
  "      for (const s of ctx.servers) if (s !== ctx.id) ctx.send(s, { type: 'ping' });",
  "      ctx.setTimer('beat', 50);",
  '    },',
  '    onMessage(from, msg) {',
  "      if (msg.type === 'ping') ctx.send(from, { type: 'pong' });",
  '    },',
  '    onClient(req) {',
  "      ctx.reply(req, { ok: false, notLeader: true, leader: 'S1' });",
  '    },',
  '  };',
  '}',
];

const running = (page) => drawer(page).getByRole('button', { name: 'Run your code' });

test('a node typed in the editor runs in the page: drawn, crashed, partitioned, shared and replayed to the same trace_hash', async ({ page, context }) => {
  await openPage(page, '?speed=1');
  await openDrawer(page);
  await clearEditor(page);
  await typeLines(page, PINGER);
  await expect(drawer(page)).toHaveAttribute('data-node-code-state', 'ok');
  await running(page).click();
  const r = root(page);
  await expect(page.locator('[data-recorded]')).toContainText('protocol js');
  await expect(page.locator('[data-recorded]')).toContainText("if (msg.type === 'ping') ctx.send(from, { type: 'pong' });");
  await page.getByRole('button', { name: 'Close Your node' }).click();
  await pause(page);
  await page.getByRole('button', { name: 'Play' }).click();

  // Drawn like Raft from what the node reports, its messages labelled with their type.
  await expect(server(page, 'S1')).toHaveAttribute('data-role', 'leader');
  await expect(server(page, 'S1')).not.toHaveAttribute('data-plain');
  await expect(server(page, 'S2')).toHaveAttribute('data-role', 'follower');
  await expect.poll(() => page.locator('[data-cluster] .msg-word').allTextContents(), { timeout: 20_000 })
    .toEqual(expect.arrayContaining(['ping']));

  // Crash S2 by clicking it, bring it back; drag S1 away from the others.
  await server(page, 'S2').click();
  await expect(server(page, 'S2')).toHaveAttribute('data-running', 'false');
  await server(page, 'S2').click();
  await expect(server(page, 'S2')).toHaveAttribute('data-running', 'true');
  await dragToLeftEdge(page, ['S1']);
  await expect(r).toHaveAttribute('data-partition', /^S1 \| /);
  const recorded = page.locator('[data-recorded]');
  await expect(recorded).toContainText('crash S2');
  await expect(recorded).toContainText('restart S2');
  await expect(recorded).toContainText(/partition S1 \| /);
  await shot(page, '96-your-node-typed-and-partitioned');

  // The share link carries the code: it replays to the same trace_hash in another tab.
  await pause(page);
  await page.evaluate(() => window.playground.model.pg.settled());
  await page.getByRole('button', { name: 'Share' }).click();
  const link = (await page.locator('[data-share-link]').textContent()).trim();
  const hash = await r.getAttribute('data-trace-hash');
  expect(hash).toMatch(/^[0-9a-f]{16}$/);
  const other = await context.newPage();
  await other.goto(link);
  await expect(other.locator('[data-recorded]')).toContainText('protocol js');
  await expect(root(other)).toHaveAttribute('data-trace-hash', hash);
  await expect(server(other, 'S1')).toHaveAttribute('data-role', 'leader');
});

test('a thrown error and an endless loop typed in the editor are reported; the page stays usable and the code stays', async ({ page }) => {
  await openPage(page, '?speed=1');
  await openDrawer(page);
  await clearEditor(page);
  const THROWING = [
    'export default function node(ctx) {',
    '  return {',
    "    onStart() { ctx.setTimer('t', 100); },",
    '    onTimer(name) {',
    "      if (ctx.id === 'S2') throw new Error('S2 gives up');",
    '    },',
    '  };',
    '}',
  ];
  await typeLines(page, THROWING);
  await running(page).click();
  const r = root(page);
  await expect(page.locator('[data-recorded]')).toContainText('protocol js');
  // It never reports its state: drawn as plain servers, no role or term to show.
  await expect(server(page, 'S1')).toHaveAttribute('data-plain', 'true');
  await expect(page.locator('[data-label-of="S1"] .role-word')).toHaveText('server');
  await expect(r).toHaveAttribute('data-node-error', 'throw', { timeout: 15_000 });
  await expect(r).toHaveAttribute('data-node-error-server', 'S2');
  await expect(r).toHaveAttribute('data-node-error-event', 'timer t');
  await expect(r).toHaveAttribute('data-node-error-time', '100');
  await expect(r).toHaveAttribute('data-node-error-line', '5');
  await expect(page.locator('[data-error]')).toContainText('S2 gives up');
  await expect(r).toHaveAttribute('data-paused', 'true');
  // The code is still there (the drawer stayed open), the error marked at its line.
  await expect(drawer(page)).toBeVisible();
  await expect.poll(() => editorText(page)).toContain("throw new Error('S2 gives up')");
  await shot(page, '97-your-node-throw');

  // Turn the throw into an endless loop, with the keyboard, and run it again.
  await clearEditor(page);
  await typeLines(page, THROWING.map((l) => l.replace("throw new Error('S2 gives up');", 'while (true) {}')));
  await running(page).click();
  await expect(r).toHaveAttribute('data-node-error', 'timeout', { timeout: 20_000 });
  await expect(r).toHaveAttribute('data-node-error-server', 'S2');
  await expect(r).toHaveAttribute('data-node-error-event', 'timer t');
  await expect(r).toHaveAttribute('data-node-error-line', '5');
  await expect.poll(() => editorText(page)).toContain('while (true) {}');
  await shot(page, '98-your-node-endless-loop');

  // Still usable: the built-in Raft runs on the same page and elects a leader.
  await drawer(page).getByRole('button', { name: 'Built-in Raft' }).click();
  await expect(page.locator('[data-recorded]')).not.toContainText('protocol js');
  await expect(r).not.toHaveAttribute('data-node-error');
  await page.getByRole('button', { name: 'Close Your node' }).click();
  await page.getByRole('button', { name: 'Play' }).click();
  await waitForLeader(page);
  await expect.poll(() => editorText(page)).toContain('while (true) {}');
});

test('an exercise for a JavaScript node is solved with the reference node (the teaching Raft starter)', async ({ page }) => {
  await openPage(page, '?speed=1');
  await page.getByRole('button', { name: 'Exercises', exact: true }).click();
  await page.getByRole('combobox', { name: 'Exercise' }).selectOption('node-elect-leader');
  const panel = page.locator('[data-exercise]');
  await expect(panel).toHaveAttribute('data-exercise', 'node-elect-leader');
  await expect(page.locator('[data-recorded]')).toContainText('protocol js');
  // Its starting code (the skeleton) never elects anybody: not solved.
  await expect(panel).toHaveAttribute('data-solved', 'false');

  await openDrawer(page);
  await expect(drawer(page)).toHaveAttribute('data-node-code-source', 'exercise');
  await expect.poll(() => editorText(page)).toContain('export default function node(ctx)');
  expect(await editorText(page)).not.toContain('RequestVote');
  await drawer(page).getByRole('button', { name: 'Teaching Raft' }).click();
  await expect.poll(() => page.evaluate(() => localStorage.getItem('raft-playground:your-node:exercise:node-elect-leader'))).toContain("type: 'RequestVote'");
  await running(page).click();
  await expect(page.locator('[data-recorded]')).toContainText('RequestVote');
  // The exercise began again with this code (its badge in the top bar), and the person is back
  // in the editor.
  await expect(page.locator('[data-exercise-badge]')).toBeVisible();
  await expect(running(page)).toBeFocused();
  await page.getByRole('button', { name: 'Close Your node' }).click();
  await expect(panel).toHaveAttribute('data-solved', 'true', { timeout: 30_000 });
  const leaders = Object.values(await servers(page)).filter((s) => s.role === 'leader' && s.running);
  expect(leaders).toHaveLength(1);
  await shot(page, '99-your-node-exercise-solved');
});
