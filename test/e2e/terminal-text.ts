// What an xterm.js terminal on the page shows, read from its DOM renderer's rows (one div per screen line), for the
// end-to-end tests: text, not pixels.
import type { Locator } from '@playwright/test';

/** The visible lines of the terminal inside `screen` (a `terminal-screen` box), trailing blanks trimmed. */
export const terminalLines = (screen: Locator): Promise<string[]> =>
  screen
    .locator('.xterm-rows')
    .evaluate((rows) => [...rows.children].map((row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()));
