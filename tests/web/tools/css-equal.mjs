// Does the built page look exactly as it did with another revision's stylesheets? In real
// Chromium, this walks every element of every figure's shadow root (article.html, embed.html
// with each preset) and of the playground (index.html, its drawers and popover opened), reads
// getComputedStyle of every property (and of ::before, ::after, ::marker, and the custom
// properties that a rule applying there reads), then puts the reference revision's stylesheet in place
// of the built one, reads them all again in the same instant, and puts the built one back.
// Same DOM, same moment, two stylesheets: any rule a figure or the playground can match that
// went missing, moved or changed shows up as a difference, and nothing that moves on its own
// (messages in flight, timers) can.
//
//   npx vite build && node tests/web/tools/css-equal.mjs [--ref REV] [--port N] [--quick]
//
// REV defaults to `git merge-base HEAD main`; N (where this build is served) to $PW_PORT, else
// 4173; --quick: light scheme only, two presets.
//
// The reference stylesheets are taken from the reference revision *as built*: its files are
// exported (git archive) into a temporary directory, built there with this checkout's
// node_modules and web/pkg, and read off its pages (a figure's shadow-root <style>, the
// playground's linked CSS). Each state is measured in light and dark colour schemes, at desktop
// width and on a phone (390 px, touch: the `hover: none` rules). Exit 1 on any difference.
import { chromium } from '@playwright/test';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..', '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
// By default, the revision this branch grew from (where it left main).
const REF = opt('--ref', null) || execFileSync('git', ['merge-base', 'HEAD', 'main'], { cwd: repo, encoding: 'utf8' }).trim();
const PORT = Number(opt('--port', process.env.PW_PORT || 4173));
const QUICK = args.includes('--quick');
const PRESETS = ['conflicting-truth', 'bike-booking', 'leader-election', 'log-replication', 'majority-quorum', 'leader-crash', 'split-brain'];

if (!existsSync(join(repo, 'dist', '.vite', 'manifest.json'))) {
  console.error('css-equal: no dist/: run `npx vite build` first');
  process.exit(2);
}

// --- the reference build ------------------------------------------------------------------
const refDir = mkdtempSync(join(tmpdir(), 'css-equal-'));
const children = [];
const cleanup = () => {
  for (const c of children) {
    try { process.kill(-c.pid); } catch { /* already gone */ }
  }
  rmSync(refDir, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const sha = execFileSync('git', ['rev-parse', '--short', REF], { cwd: repo, encoding: 'utf8' }).trim();
execFileSync('sh', ['-c', `git archive ${sha} | tar -x -C '${refDir}'`], { cwd: repo });
symlinkSync(join(repo, 'node_modules'), join(refDir, 'node_modules'));
rmSync(join(refDir, 'web', 'pkg'), { recursive: true, force: true });
symlinkSync(join(repo, 'web', 'pkg'), join(refDir, 'web', 'pkg'));
execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: refDir, stdio: ['ignore', 'ignore', 'inherit'] });

function serve(dir, port) {
  const child = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: dir, stdio: 'ignore', detached: true,
  });
  children.push(child);
  return `http://127.0.0.1:${port}/`;
}
async function up(url) {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}
// Someone else's server on the port would answer for this build: refuse.
if (await fetch(`http://127.0.0.1:${PORT}/`).then(() => true, () => false)) {
  console.error(`css-equal: port ${PORT} is in use; pick another with --port`);
  process.exit(2);
}
const base = serve(repo, PORT);
await up(base);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// The reference figure CSS (as its element puts it in a shadow root) and the playground's.
// The reference build is read straight from its directory (no second server, no second port).
const refBase = 'http://css-reference.invalid/';
const refCss = await (async () => {
  const page = await browser.newPage();
  await page.route(`${refBase}**`, (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname);
    const file = join(refDir, 'dist', path);
    return existsSync(file) ? route.fulfill({ path: file }) : route.fulfill({ status: 404, body: '' });
  });
  await page.goto(`${refBase}embed.html?preset=leader-election&autoplay=false`);
  await page.waitForFunction(() => document.querySelector('raft-playground')?.shadowRoot?.querySelector('style'));
  const figure = await page.evaluate(() => document.querySelector('raft-playground').shadowRoot.querySelector('style').textContent);
  await page.goto(`${refBase}index.html`);
  const playground = await page.evaluate(async () => {
    let text = '';
    for (const l of document.querySelectorAll('link[rel="stylesheet"]')) text += `${await (await fetch(l.href)).text()}\n`;
    return text;
  });
  await page.close();
  if (figure.length < 2000 || playground.length < 2000) throw new Error(`the reference build's stylesheets are missing (figure ${figure.length} B, playground ${playground.length} B)`);
  return { figure, playground };
})();

// --- in the page ------------------------------------------------------------------------------
// Runs in the browser: measure every element under `scope` ('figures' or 'page') with the
// stylesheet as built, swap in the reference one, measure again, swap back; return the
// differences (at most `limit`) and how much was compared.
function compareInPage({ scope, refText, customProps, limit }) {
  const walk = (root, out) => {
    for (const el of root.querySelectorAll('*')) {
      out.push(el);
      if (el.shadowRoot) walk(el.shadowRoot, out);
    }
    return out;
  };
  const figures = [...document.querySelectorAll('raft-playground')].filter((f) => f.shadowRoot);
  const elements = scope === 'figures' ? figures.flatMap((f) => [f, ...walk(f.shadowRoot, [])]) : walk(document, []);
  const DYNAMIC = /:(hover|focus-visible|focus-within|focus|active)\b/g;
  const rules = (sheet) => {
    const out = [];
    const visit = (list, media) => {
      for (const r of list) {
        if (r instanceof CSSMediaRule) visit(r.cssRules, `${media}@media ${r.conditionText} `);
        else if (r instanceof CSSStyleRule) out.push({ media, rule: r });
      }
    };
    visit(sheet.cssRules, '');
    return out;
  };
  const parsed = new CSSStyleSheet();
  parsed.replaceSync(refText.replace(/@import[^;]*;/g, ''));
  const builtSheets = () => (scope === 'figures' ? figures.map((f) => f.shadowRoot.querySelector('style').sheet)
    : [...document.querySelectorAll('link[rel="stylesheet"]')].map((l) => l.sheet));
  const builtRules = new Set(builtSheets().flatMap((sh) => rules(sh).map((x) => x.media + x.rule.cssText)));
  const roots = scope === 'figures' ? figures.map((f) => f.shadowRoot) : [document];
  // A custom property can change what is drawn only through a var() of a rule that applies
  // here: compare those (in either sheet), not colours declared for elements this page has not
  // got (a figure does not need the log table's term colours).
  const matches = (selectorText) => {
    const bare = selectorText.replace(DYNAMIC, '').replace(/::?(before|after|marker)\b/g, '').replace(/:host\b/g, '*') || '*';
    try {
      return roots.some((r) => r.querySelector(bare)) || (scope === 'figures' && figures.some((f) => f.matches(bare)));
    } catch {
      return true;
    }
  };
  const readHere = new Set();
  for (const sheet of [parsed, ...builtSheets()]) {
    for (const { rule } of rules(sheet)) {
      const refs = rule.style.cssText.match(/var\(\s*--[\w-]+/g);
      if (refs && matches(rule.selectorText)) for (const v of refs) readHere.add(v.replace(/^var\(\s*/, ''));
    }
  }
  const custom = customProps.filter((n) => readHere.has(n));
  const names = [...getComputedStyle(document.documentElement)].filter((n) => !n.startsWith('--'));
  names.push(...custom);
  const read = (cs) => names.map((n) => cs.getPropertyValue(n));
  const take = () => elements.map((el) => {
    const own = getComputedStyle(el);
    const row = { own: read(own) };
    for (const p of ['::before', '::after']) {
      const cs = getComputedStyle(el, p);
      row[p] = cs.content === 'none' || cs.content === 'normal' ? [cs.content] : read(cs);
    }
    if (own.display === 'list-item') row['::marker'] = read(getComputedStyle(el, '::marker'));
    return row;
  });
  // Swap the built stylesheets for the reference ones.
  let swapIn;
  let swapOut;
  if (scope === 'figures') {
    const styles = figures.map((f) => f.shadowRoot.querySelector('style'));
    const built = styles.map((s) => s.textContent);
    swapIn = () => styles.forEach((s) => { s.textContent = refText; });
    swapOut = () => styles.forEach((s, i) => { s.textContent = built[i]; });
  } else {
    const links = [...document.querySelectorAll('link[rel="stylesheet"]')];
    const ref = document.createElement('style');
    ref.textContent = refText;
    // Disable the sheets, not the <link>s (a <link> enabled again fetches its file anew).
    swapIn = () => { links.forEach((l) => { l.sheet.disabled = true; }); document.head.appendChild(ref); };
    swapOut = () => { ref.remove(); links.forEach((l) => { l.sheet.disabled = false; }); };
  }
  const a = take();
  swapIn();
  let b;
  try {
    b = take();
  } finally {
    swapOut();
  }
  const where = (el) => {
    const parts = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentNode || null) {
      const cls = typeof n.className === 'string' ? n.className : n.getAttribute('class');
      parts.unshift(`${n.localName}${cls ? `.${cls.trim().split(/\s+/).join('.')}` : ''}`);
      if (n.parentNode instanceof ShadowRoot) {
        const host = n.parentNode.host;
        parts.unshift(`${host.localName}${host.dataset.fig ? `[data-fig=${host.dataset.fig}]` : ''} ::shadow`);
        break;
      }
    }
    return parts.slice(-6).join(' > ');
  };
  const diffs = [];
  let values = 0;
  elements.forEach((el, i) => {
    for (const part of Object.keys({ ...a[i], ...b[i] })) {
      const x = a[i][part] || [];
      const y = b[i][part] || [];
      values += Math.max(x.length, y.length);
      if (x.length !== y.length) {
        if (diffs.length < limit) diffs.push({ at: where(el), part, prop: '(present or not)', built: String(x.length), ref: String(y.length) });
        continue;
      }
      for (let k = 0; k < x.length; k++) {
        if (x[k] !== y[k] && diffs.length < limit) {
          const prop = x.length === 1 ? 'content' : names[k];
          diffs.push({ at: where(el), part, prop, built: x[k], ref: y[k] });
        }
      }
    }
  });
  // A rule that needs :hover or :focus… applies only while the reader hovers or focuses, which
  // the computed styles above see only for the one control a state hovers. So: every rule of
  // the reference whose selector, without those pseudo-classes, matches an element here must be
  // in the built stylesheet too, word for word (as the browser reads both), in the same @media.
  let dynamic = 0;
  for (const { media, rule } of rules(parsed)) {
    if (!DYNAMIC.test(rule.selectorText)) continue;
    DYNAMIC.lastIndex = 0;
    const bare = rule.selectorText.replace(DYNAMIC, '') || '*';
    let hit = false;
    try {
      hit = roots.some((r) => r.querySelector(bare));
    } catch { hit = true; /* a selector the page cannot test: it must be there */ }
    if (!hit) continue;
    dynamic++;
    if (!builtRules.has(media + rule.cssText) && diffs.length < limit) {
      diffs.push({ at: `rule ${media}${rule.selectorText}`, part: '', prop: '(missing)', built: 'absent', ref: rule.cssText });
    }
  }
  // Which of the built figure sheet's rules match anything here (for the report of rules no
  // state ever used: candidates to leave out, or states to add).
  const used = [];
  if (scope === 'figures') {
    for (const { media, rule } of rules(builtSheets()[0])) {
      const bare = rule.selectorText.replace(DYNAMIC, '').replace(/::?(before|after|marker)\b/g, '') || '*';
      let hit;
      try {
        hit = figures.some((f) => f.matches(bare.replaceAll(':host', 'raft-playground')) || f.shadowRoot.querySelector(bare));
      } catch { hit = true; }
      if (hit) used.push(media + rule.selectorText);
    }
  }
  return { elements: elements.length, values, dynamic, custom: custom.length, unread: customProps.length - custom.length, diffs, used };
}

// The custom properties both stylesheets declare (custom properties are not listed by
// iterating a computed style).
const customProps = [...new Set(`${refCss.figure}\n${refCss.playground}`.match(/--[\w-]+(?=\s*:)/g))].sort();

let failures = 0;
let measured = 0;
async function check(page, label, scope) {
  const refText = scope === 'figures' ? refCss.figure : refCss.playground;
  const r = await page.evaluate(compareInPage, { scope, refText, customProps, limit: 20 });
  measured++;
  const status = r.diffs.length ? 'DIFFERENT' : 'same';
  console.log(`${status.padEnd(9)} ${label}: ${r.elements} elements, ${r.values} values (${r.custom} custom properties read here, ${r.unread} not), ${r.dynamic} :hover/:focus rules`);
  if (r.elements === 0) {
    console.log('  nothing to compare: the page did not draw');
    failures++;
  }
  for (const d of r.diffs) console.log(`  ${d.at} ${d.part} ${d.prop}: built "${d.built}", ${sha} "${d.ref}"`);
  if (r.diffs.length) failures++;
  for (const u of r.used) usedRules.add(u);
}
const usedRules = new Set();

// The own scenario's start, and its tour: [lines to act, samples, simulated ms per sample].
const TOUR_SETUP = `nodes 5
seed 3
prevote on
snapshot-every 2
timeout S1
run 300ms
crash S4
put a 1
run 60ms
put b 2
run 60ms
put c 3
run 300ms
`;
const TOUR = [
  [['restart S4'], 6, 8],
  [['timeout S2'], 3, 4],
  [['remove S5'], 3, 30],
  [['cut S1 -> S3', 'cut S2 S4'], 2, 20],
  [['transfer S3'], 4, 4],
];

const VIEWS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
];
const SCHEMES = QUICK ? ['light'] : ['light', 'dark'];

async function figuresReady(page, count) {
  await page.waitForFunction((n) => document.querySelectorAll('raft-playground[data-ready]').length >= n, count, { timeout: 60_000 });
}
// Crash the leader, cut the network, highlight a server in every figure; run a little so that
// the states' classes (crashed, candidate, lost messages, cut links, islands) appear.
async function breakFigures(page) {
  await page.evaluate(async () => {
    for (const f of document.querySelectorAll('raft-playground')) {
      const five = f.shadowRoot.querySelector('.rp-pane').querySelectorAll('.server').length >= 5;
      // A figure without consensus has no leader to crash: crash S1 there.
      const naive = f.shadowRoot.querySelector('.rp-pane[data-protocol="naive"]');
      try { f.crash(naive ? 'S1' : 'leader'); } catch { /* refused */ }
      try { f.partition(five ? 'S1 S2 | S3 S4 S5' : 'S1 | S2 S3'); } catch { /* refused */ }
      try { f.highlight('S2'); } catch { /* fine */ }
      // 200 simulated ms on, paused (playing on could reach a step that replays the figure).
      f.pause();
      f.figure.advance(200);
      f.figure.requestRender();
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
}

// Every figure run to its last step (where the stories end: a violation, a new leader…).
async function lastStep(page) {
  await page.evaluate(async () => {
    for (const f of document.querySelectorAll('raft-playground')) {
      f.pause();
      const { steps } = f.state();
      if (steps) f.runToStep(steps - 1);
      f.figure.requestRender();
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
}

// Then play on for a second and a half (a figure without consensus reaches its violation).
async function playOn(page) {
  await page.evaluate(() => { for (const f of document.querySelectorAll('raft-playground')) f.play(); });
  await page.waitForTimeout(1500);
}

for (const view of VIEWS) {
  for (const scheme of SCHEMES) {
    const context = await browser.newContext({ ...view, colorScheme: scheme });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));
    const tag = `${view.name}, ${scheme}`;

    // The article: every <raft-playground> in it.
    await page.goto(`${base}article.html`);
    const n = await page.evaluate(() => document.querySelectorAll('raft-playground').length);
    await figuresReady(page, n);
    await page.waitForTimeout(800);
    await check(page, `article.html, ${n} figures, ready (${tag})`, 'figures');
    await lastStep(page);
    await check(page, `article.html, every figure at its last step (${tag})`, 'figures');
    await breakFigures(page);
    await check(page, `article.html, crashed + partitioned (${tag})`, 'figures');
    await playOn(page);
    await check(page, `article.html, crashed + partitioned, played on (${tag})`, 'figures');
    // Hover a control and a link of the first figure, then keyboard focus on a button.
    const fig = page.locator('raft-playground').first();
    await fig.locator('button').first().hover().catch(() => {});
    await check(page, `article.html, a button hovered (${tag})`, 'figures');
    await page.keyboard.press('Tab');
    await page.evaluate(() => document.querySelector('raft-playground').shadowRoot.querySelector('button, .server')?.focus());
    await check(page, `article.html, keyboard focus in a figure (${tag})`, 'figures');

    // embed.html: each preset with all controls; the first with none and minimal too.
    const presets = QUICK ? PRESETS.slice(0, 2) : PRESETS;
    for (const preset of presets) {
      await page.goto(`${base}embed.html?preset=${preset}&controls=full`);
      await figuresReady(page, 1);
      await page.waitForTimeout(600);
      await check(page, `embed.html ${preset} controls=full (${tag})`, 'figures');
      await lastStep(page);
      await check(page, `embed.html ${preset} at its last step (${tag})`, 'figures');
      await breakFigures(page);
      await check(page, `embed.html ${preset} crashed + partitioned (${tag})`, 'figures');
      await playOn(page);
      await check(page, `embed.html ${preset} crashed + partitioned, played on (${tag})`, 'figures');
    }
    for (const controls of ['none', 'minimal']) {
      await page.goto(`${base}embed.html?preset=split-brain&controls=${controls}`);
      await figuresReady(page, 1);
      await page.waitForTimeout(600);
      await check(page, `embed.html split-brain controls=${controls} (${tag})`, 'figures');
    }

    // A scenario of its own (`#s=`), paused and walked a few milliseconds at a time through
    // what no preset shows: Pre-Vote, snapshots sent to a restarted server, a one-way cut, a
    // leadership transfer, a removed server; and a server dragged with the mouse.
    await page.goto(`${base}embed.html?controls=full&autoplay=false#s=${Buffer.from(TOUR_SETUP).toString('base64url')}`);
    await figuresReady(page, 1);
    for (const [lines, samples, ms] of TOUR) {
      await page.evaluate((l) => document.querySelector('raft-playground').act(l), lines);
      for (let i = 0; i < samples; i++) {
        await page.evaluate(async (d) => {
          const f = document.querySelector('raft-playground').figure;
          f.advance(d);
          f.requestRender();
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        }, ms);
        await check(page, `embed.html own scenario: ${lines.join(', ')}, +${(i + 1) * ms} ms (${tag})`, 'figures');
      }
    }
    const server = page.locator('raft-playground .server').first();
    const box = await server.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 30, box.y + box.height / 2 + 10, { steps: 4 });
      await check(page, `embed.html own scenario, a server being dragged (${tag})`, 'figures');
      await page.mouse.up();
    }
    // A figure that cannot be drawn says so.
    await page.goto(`${base}embed.html?preset=no-such-figure`);
    await page.waitForSelector('raft-playground[data-error]');
    await check(page, `embed.html, an unknown preset (${tag})`, 'figures');

    // The playground: the page, then each drawer, then the share popover.
    await page.goto(`${base}index.html`);
    await page.waitForSelector('[data-playground]:not([data-loading])', { timeout: 60_000 });
    await page.waitForTimeout(1000);
    await check(page, `index.html (${tag})`, 'page');
    for (const drawer of ['exercises', 'break', 'your-node']) {
      const toggle = page.locator(`[data-drawer-toggle="${drawer}"]`);
      if (!(await toggle.isVisible())) continue;
      await toggle.click();
      await page.waitForTimeout(drawer === 'your-node' ? 2500 : 800);
      // Open the first exercise, so that its goals and story are drawn.
      if (drawer === 'exercises') {
        const first = page.locator('#exercises-drawer button, #exercises-drawer select').first();
        if (await first.isVisible().catch(() => false)) await first.click().catch(() => {});
        await page.waitForTimeout(800);
      }
      await check(page, `index.html, ${drawer} drawer open (${tag})`, 'page');
      await toggle.click().catch(() => {});
    }
    await page.locator('[data-action="share"]').click();
    await page.waitForTimeout(500);
    await check(page, `index.html, share popover open (${tag})`, 'page');
    await context.close();
  }
}

// The built figure sheet's rules that no element of any figure matched in any state above.
{
  const page = await browser.newPage();
  await page.goto(`${base}embed.html?preset=leader-election&autoplay=false`);
  await page.waitForFunction(() => document.querySelector('raft-playground')?.shadowRoot?.querySelector('style')?.sheet);
  const all = await page.evaluate(() => {
    const out = [];
    const visit = (list, media) => {
      for (const r of list) {
        if (r instanceof CSSMediaRule) visit(r.cssRules, `${media}@media ${r.conditionText} `);
        else if (r instanceof CSSStyleRule) out.push(media + r.selectorText);
      }
    };
    visit(document.querySelector('raft-playground').shadowRoot.querySelector('style').sheet.cssRules, '');
    return out;
  });
  await page.close();
  const unused = all.filter((r) => !usedRules.has(r));
  console.log(`figure rules matched by no element in any state: ${unused.length} of ${all.length}${unused.length ? ':' : ''}`);
  for (const r of unused) console.log(`  ${r}`);
}

await browser.close();
console.log(`${measured} states compared with ${REF} (${sha}): ${failures ? `${failures} differ` : 'all the same'}`);
process.exit(failures ? 1 : 0);
