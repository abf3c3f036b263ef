import { defineConfig } from '@playwright/test';

// End-to-end: Debian's Chromium drives the real renderer, served by the browser host, against real lab nodes.
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  timeout: 180_000,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json']],
  use: {
    headless: true,
    viewport: { width: 1400, height: 900 },
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
