import { defineConfig } from '@playwright/test';

// Browser tests drive the built page (dist/, served by `vite preview`) in Debian's chromium.
// PW_BASE_URL points them at another server instead (say `npm run dev` while developing).
// PW_PORT serves the built page on another port, so that two checkouts can test side by side.
const external = process.env.PW_BASE_URL;
const port = Number(process.env.PW_PORT || 4173);
const baseURL = external || `http://127.0.0.1:${port}/`;

export default defineConfig({
  testDir: 'tests/web',
  testMatch: '**/*.spec.js',
  outputDir: 'test-results/web',
  timeout: 180_000,
  expect: { timeout: 20_000 },
  fullyParallel: true,
  workers: process.env.PW_WORKERS ? Number(process.env.PW_WORKERS) : 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/web-report.json' }]],
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: external
    ? undefined
    : {
        command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
        url: baseURL,
        reuseExistingServer: !process.env.CI,
        timeout: 180_000,
      },
});
