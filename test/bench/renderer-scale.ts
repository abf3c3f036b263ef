// Benchmark: the renderer at scale. A synthetic cluster (32 nodes × 500 guests, 1,000 guest changes a second) runs
// through the real core (aggregator, offline cache) and the real browser host into the real renderer in Debian's
// Chromium; we measure frames, long tasks, what reaches the page, and the host's CPU and memory. The reference, in
// the same run: PVE's model, where the GUI polls the whole /cluster/resources every 3 s — the cost of one poll.
//   npx tsx test/bench/renderer-scale.ts [--quick]      (or: npx tsx test/bench/run.ts --only renderer)
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { AppError } from '../../node-agent/src/api/errors';
import { createCore } from '../../main/core/core';
import type { InventoryPatch } from '../../main/core/inventory-schema';
import { MemorySecretStore } from '../../main/core/secrets-memory';
import { startWebHost } from '../../main/web/host';
import { repoRoot } from '../lab/lab-layout';
import type { Benchmark, BenchResult, BenchRow } from './bench-types';
import { summarize, summarizeOrNone, type Summary } from './stats';
import { SyntheticCluster } from './synthetic-cluster';
import { formatResult } from './table';
import { installProbe, type ProbeResult, type ProbeWindow } from './page-probe';

const NODES = 32;
const GUESTS_PER_NODE = 500;
const CHANGES_PER_SECOND = 1000;
/** PVE's GUI (UpdateStore) reloads /cluster/resources every 3 s. */
const PVE_POLL_S = 3;

const settings = (quick: boolean) =>
  quick ? { windowMs: 10_000, warmupMs: 3_000, polls: 8 } : { windowMs: 60_000, warmupMs: 5_000, polls: 20 };

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A synthetic cluster served by the real core and browser host; `close` takes everything down. */
export const startSyntheticHost = async (cluster: SyntheticCluster) => {
  const configDir = await mkdtemp(join(tmpdir(), 'hd-bench-renderer-'));
  await writeFile(join(configDir, 'connections.json'), cluster.connectionsFile());
  const core = await createCore(
    { configDir, secrets: new MemorySecretStore(), agentBundle: join(configDir, 'no-agent.js') },
    { sessionFactory: cluster.sessionFor },
  );
  const host = await startWebHost({ configDir, core });
  return {
    core,
    host,
    close: async () => {
      cluster.stop();
      await host.close();
      await rm(configDir, { recursive: true, force: true });
    },
  };
};

/** Open the app and wait until every guest is in the store and the tree shows guest rows. */
export const openApp = async (browser: Browser, url: string, guests: number): Promise<Page> => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript({ content: installProbe });
  await page.goto(url);
  await page
    .getByTestId('stat-guests')
    .filter({ hasText: new RegExp(`/ ${guests}$`) })
    .waitFor({ timeout: 60_000 });
  await page.locator('[data-testid^="tree-guest-"]').first().waitFor({ timeout: 30_000 });
  return page;
};

const timeEach = async (count: number, fn: (i: number) => unknown): Promise<number[]> => {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await fn(i);
    times.push(performance.now() - started);
  }
  return times;
};

/** Runs in the page: JSON.parse each text `times` times, in ms each. */
const parseEach = ({ texts, times }: { texts: string[]; times: number }): number[] => {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    for (const text of texts) {
      const t0 = performance.now();
      JSON.parse(text);
      out.push(performance.now() - t0);
    }
  }
  return out;
};

const percentOfCore = (cpu: NodeJS.CpuUsage, wallMs: number) => ((cpu.user + cpu.system) / 1000 / wallMs) * 100;

const row = (
  metric: string,
  unit: string,
  ours: number | undefined,
  reference: number | undefined,
  extra: Partial<BenchRow> = {},
): BenchRow => ({
  metric,
  unit,
  ours,
  reference,
  ...extra,
});

export const rendererScale: Benchmark = {
  id: 'renderer',
  name: `Renderer at scale: ${NODES} nodes × ${GUESTS_PER_NODE} guests, ${CHANGES_PER_SECOND} changes/s`,
  needsLab: false,
  async run({ quick, log }): Promise<BenchResult> {
    const s = settings(quick);
    if (!existsSync(join(repoRoot(), 'dist/renderer/index.html'))) {
      throw new AppError('not-found', 'dist/renderer is not built — run `node build/build.mjs` first');
    }
    const cluster = new SyntheticCluster({
      cluster: 'bench',
      nodes: NODES,
      guestsPerNode: GUESTS_PER_NODE,
      changesPerSecond: CHANGES_PER_SECOND,
    });
    log(`renderer: ${NODES} synthetic nodes with ${cluster.guestCount} guests through the core and the browser host`);
    const served = await startSyntheticHost(cluster);
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
      });
      const page = await openApp(browser, served.host.url, cluster.guestCount);
      // Scroll into the middle of the guests: every visible row is a guest row.
      await page.getByTestId('resource-tree').evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
      // Two frames: the virtualizer renders the rows of the new scroll position.
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      const visibleGuests = await page.locator('[data-testid^="tree-guest-"]').count();
      cluster.run();
      log(
        `renderer: ${visibleGuests} guest rows mounted; ${s.warmupMs / 1000} s warm-up, then a ${s.windowMs / 1000} s window`,
      );
      await page.waitForTimeout(s.warmupMs);

      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const taskSeconds = async () =>
        (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
      const rss: number[] = [];
      const rssTimer = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
      // The patches that go out in the window, kept (not copied) to time our per-update cost afterwards.
      const sent: InventoryPatch[] = [];
      const stopCapture = served.core.on('inventory.patch', (patch) => {
        if (sent.length < 400) sent.push(patch);
      });
      const changesBefore = cluster.changes;
      const taskBefore = await taskSeconds();
      await page.evaluate(() => (window as unknown as ProbeWindow).__probe.start());
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      // The measuring window is a fixed span of time, not a wait for some state.
      await new Promise((done) => setTimeout(done, s.windowMs));
      const cpu = process.cpuUsage(cpuBefore);
      const wallMs = performance.now() - started;
      const probe: ProbeResult = await page.evaluate(() => (window as unknown as ProbeWindow).__probe.stop());
      const rendererBusy = ((await taskSeconds()) - taskBefore) * 1000;
      clearInterval(rssTimer);
      stopCapture();
      const changes = cluster.changes - changesBefore;
      await mkdir(join(repoRoot(), 'test-results/bench'), { recursive: true });
      await page.screenshot({ path: join(repoRoot(), 'test-results/bench/renderer-scale.png') });

      // Per-update costs, with the generator stopped: one of our patches against one full poll.
      cluster.stop();
      log(`renderer: per-update costs — ${sent.length} of our patches, ${s.polls} full snapshots (PVE's model)`);
      const patchTexts = sent.map((patch) => JSON.stringify(patch));
      const oursHost = summarize(await timeEach(sent.length, (i) => JSON.parse(JSON.stringify(sent[i]))));
      const oursPage = summarize(await page.evaluate(parseEach, { texts: patchTexts.slice(0, 50), times: 1 }));
      const resources = cluster.clusterResources();
      const pveText = JSON.stringify(resources);
      const pveHost = summarize(await timeEach(s.polls, () => JSON.parse(JSON.stringify(resources))));
      const pvePage = summarize(await page.evaluate(parseEach, { texts: [pveText], times: s.polls }));
      const snapshotText = JSON.stringify(await served.core.handle('inventory.snapshot', {}));
      const snapshotInvoke = summarize(
        await page.evaluate((polls) => (window as unknown as ProbeWindow).__probe.timeSnapshots(polls), s.polls),
      );

      const frames = summarizeOrNone(probe.frames);
      const longest = probe.longTasks.length > 0 ? Math.max(...probe.longTasks) : 0;
      const seconds = wallMs / 1000;
      const kB = (chars: number) => chars / 1000;
      const perPoll = (ms: number) => (ms / (PVE_POLL_S * 1000)) * 100;
      const meanPatch =
        patchTexts.length > 0 ? patchTexts.reduce((sum, t) => sum + t.length, 0) / patchTexts.length : 0;
      const frameRow = (key: keyof Summary, target?: string) =>
        row(`frame time ${key}`, 'ms', frames?.[key], undefined, {
          ...(target ? { target } : {}),
          ...(frames ? { oursSamples: frames.n } : {}),
        });
      const samples = (ours: Summary, reference: Summary) => ({ oursSamples: ours.n, referenceSamples: reference.n });
      const rows: BenchRow[] = [
        row('guest changes generated', '/s', changes / seconds, undefined, { target: `${CHANGES_PER_SECOND}` }),
        frameRow('p50'),
        frameRow('p95'),
        frameRow('max', '<= 50'),
        row('long tasks (> 50 ms)', 'count', probe.longTasks.length, undefined),
        row('longest task', 'ms', longest, undefined, { target: '<= 50' }),
        row('updates reaching the page', '/s', probe.patches / seconds, 1 / PVE_POLL_S),
        row('bytes reaching the page', 'kB/s', kB(probe.patchChars) / seconds, kB(pveText.length) / PVE_POLL_S),
        row('size of one update', 'kB', kB(meanPatch), kB(pveText.length)),
        row('host: serialize + parse one update', 'ms', oursHost.p50, pveHost.p50, samples(oursHost, pveHost)),
        row('page: parse one update', 'ms', oursPage.p50, pvePage.p50, samples(oursPage, pvePage)),
        row('page: one full inventory.snapshot invoke', 'ms', undefined, snapshotInvoke.p50, {
          referenceSamples: snapshotInvoke.n,
        }),
        row('host CPU (this process)', '% of a core', percentOfCore(cpu, wallMs), perPoll(pveHost.p50)),
        row('renderer main thread busy', '%', (rendererBusy / wallMs) * 100, perPoll(pvePage.p50)),
        row('host RSS (max in window)', 'MB', rss.length > 0 ? Math.max(...rss) / 1e6 : undefined, undefined),
        row('page JS heap', 'MB', probe.heapMB, undefined),
      ];
      return {
        ours: `push: ${NODES} nodes × ${GUESTS_PER_NODE} guests, coalesced inventory patches over the browser host's WebSocket into the real renderer, tree scrolled into the guests`,
        reference: `PVE's GUI model: the whole cluster (/cluster/resources, ${cluster.guestCount + NODES} items) polled every ${PVE_POLL_S} s`,
        rows,
        notes: [
          `${visibleGuests} guest rows were mounted in the scrolled tree (virtualized over ${cluster.guestCount + NODES + 2} rows); the Datacenter summary was shown.`,
          'Host CPU is this whole process: the synthetic nodes and their change generator, the real core and aggregator, the browser host and the Playwright client.',
          "Reference per-second figures are one poll's serialize + parse (host) or parse (page) of /cluster/resources spread over 3 s: a lower bound without PVE's store update and tree re-render.",
          `The full-snapshot invoke is what each poll would cost through our own API: core snapshot, serialize, WebSocket, parse, timed in the page (${Math.round(kB(snapshotText.length))} kB).`,
          'Sizes and rates count JSON characters (ASCII here, so bytes); frames are requestAnimationFrame deltas in headless Chromium without a GPU; the page clock has 0.1 ms resolution.',
        ],
        extra: {
          settings: s,
          visibleGuests,
          changes,
          wallMs,
          patchesCaptured: sent.length,
          longTasks: probe.longTasks,
          frames,
          rendererBusyMs: rendererBusy,
          oursHost,
          oursPage,
          pveHost,
          pvePage,
          snapshotInvoke,
          snapshotKB: kB(snapshotText.length),
        },
      };
    } finally {
      await browser?.close();
      await served.close();
    }
  },
};

const main = async (): Promise<void> => {
  const quick = process.argv.includes('--quick');
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const result = await rendererScale.run({
    quick,
    log,
    get lab(): never {
      throw new AppError('internal-error', 'the renderer benchmark does not use the lab');
    },
  });
  console.log(`\n${formatResult(rendererScale.name, result)}\n`);
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`bench: the renderer benchmark could not run: ${AppError.from(error).message}`);
      process.exit(1);
    },
  );
}
