// The terminal benchmarks' Chromium: terminal-page.ts bundled with esbuild (the renderer's TerminalSession and
// @xterm/xterm with its CSS), loaded from a file in headless Debian Chromium, its console calls answered by the core
// as the app's preload would forward them (console.open ct-shell, shell.open, console.resize, console.close).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'esbuild';
import type { HyperdeskCore } from '../../main/core/core';
import { repoRoot } from '../lab/lab-layout';
import { CHROMIUM_ARGS } from './renderer-scale';
import type { TerminalBench, TerminalBenchWindow, TerminalHost, TerminalTarget } from './terminal-page';

/** The box xterm fits into: what a terminal tab shows on a 1280×800 screen, about 110 × 36 cells at 14 px. */
const BOX = { width: 1000, height: 620 };

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="page.css">
<style>body{margin:0;background:#000}#terminal{width:${BOX.width}px;height:${BOX.height}px}</style></head>
<body><div id="terminal"></div><script src="page.js"></script></body></html>
`;

export interface TerminalBrowser {
  /** Call the page's TerminalBench (arguments go through structured clone, so plain data only). */
  call<K extends keyof TerminalBench>(
    name: K,
    ...args: Parameters<TerminalBench[K]>
  ): Promise<Awaited<ReturnType<TerminalBench[K]>>>;
  close(): Promise<void>;
}

/** Bundle the page into `dir` (page.js, page.css, index.html); the path of its index.html. */
const bundlePage = async (dir: string): Promise<string> => {
  await build({
    entryPoints: { page: join(repoRoot(), 'test/bench/terminal-page.ts') },
    outdir: dir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
    legalComments: 'none',
  });
  const html = join(dir, 'index.html');
  await writeFile(html, PAGE_HTML);
  return html;
};

const exposeHost = async (page: Page, core: HyperdeskCore, node: string): Promise<void> => {
  const host: TerminalHost = {
    hdBenchOpen: (target: TerminalTarget, cols, rows) =>
      target.kind === 'shell'
        ? core.handle('shell.open', { node, cols, rows })
        : core.handle('console.open', { node, vmid: target.vmid, kind: target.kind, cols, rows }),
    hdBenchResize: async (consoleId, cols, rows) => {
      await core.handle('console.resize', { consoleId, cols, rows });
    },
    hdBenchClose: async (consoleId) => {
      await core.handle('console.close', { consoleId });
    },
  };
  await page.exposeFunction('hdBenchOpen', host.hdBenchOpen);
  await page.exposeFunction('hdBenchResize', host.hdBenchResize);
  await page.exposeFunction('hdBenchClose', host.hdBenchClose);
};

/** Chromium with the terminal page open; its consoles are `node`'s, through `core`. */
export const openTerminalBrowser = async (core: HyperdeskCore, node: string, dir: string): Promise<TerminalBrowser> => {
  const html = await bundlePage(dir);
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: BOX.width + 40, height: BOX.height + 40 } });
    await exposeHost(page, core, node);
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() => (window as unknown as Partial<TerminalBenchWindow>).hdTerminalBench !== undefined);
    const call = <K extends keyof TerminalBench>(name: K, ...args: Parameters<TerminalBench[K]>) =>
      page.evaluate(
        ([n, a]) => {
          const bench = (window as unknown as TerminalBenchWindow).hdTerminalBench;
          return (bench[n] as (...x: unknown[]) => unknown)(...a);
        },
        [name, args] as const,
      ) as Promise<Awaited<ReturnType<TerminalBench[K]>>>;
    return { call, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
};
