// The linearizability check on the page: an undecided verdict (the checker ran out of its search
// budget) is shown as undecided in the history lane, the scenario's checks and an exercise's
// goal, never as linearizable and never as a violation.
import { test, expect } from '@playwright/test';
import { openPage, root, base64url, shot } from './helpers.js';

const SCENARIO = 'nodes 3\nrun until leader\nput k a\nput k b\nget k\nrun 1s\nexpect linearizable\n';

/** One search step cannot place three concurrent operations: the check becomes undecided. */
async function starveTheChecker(page) {
  await page.evaluate(() => window.playground.model.pg.setLinearizabilityBudget(1));
}

test('an undecided history is shown as undecided in the lane and the checks', async ({ page }) => {
  await openPage(page, '?speed=5', `#s=${base64url(SCENARIO)}`);
  await expect(root(page)).toHaveAttribute('data-paused', 'true');
  const lanes = page.locator('[data-lanes]');
  await expect(lanes).toHaveAttribute('data-linearizable', 'true');
  await expect(page.locator('[data-checks] li').first()).toHaveClass('passed');

  await starveTheChecker(page);
  // Back to the start and to the end again: the recording replays with the new budget.
  const slider = page.getByRole('slider', { name: 'Timeline' });
  await slider.focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('End');
  await expect(lanes).toHaveAttribute('data-linearizable', 'undecided');
  const note = page.locator('[data-history-note]');
  await expect(note).toBeVisible();
  await expect(note).toContainText('Linearizability undecided: the search for a legal order of the operations on k ran out of its budget');
  await expect(note).not.toContainText('Not linearizable');
  const check = page.locator('[data-checks] li').first();
  await expect(check).toHaveClass('undecided');
  await expect(check).toContainText('? undecided — line 7: expect linearizable');
  // Not a violation either.
  await expect(root(page)).toHaveAttribute('data-safe', 'true');
  await expect(page.locator('[data-violation]')).toBeHidden();
  await shot(page, '70-linearizability-undecided');
});

test('an exercise goal the checker cannot decide is marked undecided', async ({ page }) => {
  await openPage(page);
  await page.getByRole('button', { name: 'Exercises' }).click();
  await page.getByLabel('Exercise', { exact: true }).selectOption('naive-double-booking');
  await expect(page.locator('[data-exercise]')).toHaveAttribute('data-exercise', 'naive-double-booking');
  await starveTheChecker(page);
  await page.evaluate(() => window.playground.act(['put k a via S1', 'put k b via S2', 'get k via S3']));
  const goal = page.locator('[data-goal] li[data-goal-line="1"]');
  await expect(goal).toHaveAttribute('data-goal-state', 'undecided');
  await expect(goal).toContainText('Undecided: the search for a legal order of the operations on k ran out of its budget');
  await expect(goal).not.toContainText('Not yet');
  await expect(page.locator('[data-exercise]')).toHaveAttribute('data-solved', 'false');
});
