// Development helper: open a URL in Debian's chromium, wait, screenshot, print console errors.
// node tests/web/tools/shot.mjs URL OUT.png [waitMs] [width] [height]
import { chromium } from '@playwright/test';

const [url, out, wait = '2000', w = '1280', h = '800'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: Number(w), height: Number(h) } });
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('console:', m.text()); });
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto(url);
await page.waitForTimeout(Number(wait));
await page.screenshot({ path: out });
const dims = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight,
  attrs: { ...document.querySelector('[data-playground]').dataset } }));
console.log(JSON.stringify(dims));
await browser.close();
