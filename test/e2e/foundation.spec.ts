// Issue 2 end to end: the real renderer in Debian's Chromium, served by the browser host, against a real lab node.
// Add the node through the dialog (confirming its fingerprint), see live charts, switch to 中文, lose the node.
import { expect, test, type Page } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runChecked } from '../../node-agent/src/exec/run';
import { labUp, type Lab } from '../lab/lab-api';
import { startWebHost } from './web-host';

let lab: Lab;
let host: ChildProcess;
let url: string;
let configDir: string;

/** Every sshd process inside the node's namespace: the listener and the sessions it serves. */
const killSshd = async (namespace: string) => {
  const pids = (await runChecked('ip', ['netns', 'pids', namespace])).stdout.split('\n').filter(Boolean);
  const comms = await Promise.all(pids.map((pid) => run('cat', [`/proc/${pid}/comm`])));
  const sshd = pids.filter((_, i) => comms[i]?.stdout.trim() === 'sshd');
  for (const pid of sshd) process.kill(Number(pid), 'SIGKILL');
  expect(sshd.length).toBeGreaterThan(0);
};

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/e2e/screenshots/${name}.png`, fullPage: true });

test.beforeAll(async () => {
  lab = await labUp({ nodes: 1 });
  configDir = await mkdtemp(join(tmpdir(), 'hd-e2e-'));
  ({ child: host, url } = await startWebHost(configDir));
});

test.afterAll(async () => {
  host?.kill('SIGTERM');
  await lab?.down();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

test('add a node, watch it live, switch to 中文, see it go offline', async ({ page }) => {
  const node = lab.node('n1');
  const expected = (await runChecked('ssh-keygen', ['-lf', `${node.hostKeyPath}.pub`])).stdout.split(' ')[1]!;
  await page.goto(url);

  // Add the node through the dialog, confirming the fingerprint the node's own key has.
  await page.getByTestId('add-node-button').click();
  await page.getByTestId('add-node-host').fill(node.address);
  await page.getByTestId('add-node-user').fill('root');
  await page.getByTestId('add-node-auth-method').selectOption('key');
  await page.getByTestId('add-node-key-path').fill(lab.clientKey);
  await page.getByTestId('add-node-verify').click();
  await expect(page.getByTestId('host-key-fingerprint')).toHaveText(expected);
  await shot(page, '01-host-key');
  await expect(page.getByTestId('add-node-submit')).toBeDisabled();
  await page.getByTestId('host-key-confirm').check();
  await page.getByTestId('add-node-submit').click();

  const treeNode = page.locator('[data-testid^="tree-node-"][data-testid$="/n1"]');
  await expect(treeNode).toHaveAttribute('data-state', 'online', { timeout: 60_000 });

  // Its summary with live charts: new 10 s samples keep arriving.
  await treeNode.click();
  await expect(page.getByTestId('node-summary')).toBeVisible();
  for (const chart of ['chart-cpu', 'chart-memory', 'chart-network', 'chart-disk'])
    await expect(page.getByTestId(chart).locator('canvas').first()).toBeVisible();
  await expect(page.getByTestId('status-uptime')).toHaveText(/\d/);
  await expect(page.getByTestId('status-cpu')).toHaveText(/\d+(\.\d+)?\s*%/);
  const summary = page.getByTestId('node-summary');
  await expect(summary).toHaveAttribute('data-sampled', /^\d+$/, { timeout: 30_000 });
  const firstSample = await summary.getAttribute('data-sampled');
  await expect(summary).not.toHaveAttribute('data-sampled', firstSample!, { timeout: 30_000 });
  await shot(page, '02-summary-en');

  // 中文
  await page.getByTestId('language-switch').click();
  await expect(page.getByTestId('language-switch')).toHaveAttribute('data-language', 'zh-CN');
  await expect(page.getByText('数据中心').first()).toBeVisible();
  await shot(page, '03-summary-zh');

  // The node's sshd goes away: the offline banner, with the last-known values still shown.
  const lastCpu = await page.getByTestId('status-cpu').textContent();
  await killSshd(node.namespace);
  await expect(page.getByTestId('offline-banner')).toBeVisible({ timeout: 60_000 });
  await expect(treeNode).toHaveAttribute('data-state', 'offline');
  await expect(page.getByTestId('status-cpu')).toHaveText(lastCpu!);
  await shot(page, '04-offline-zh');

  // The node comes back reinstalled, with a new host key: refused, then trusted only after review.
  await lab.rotateHostKey('n1');
  const rotated = (await runChecked('ssh-keygen', ['-lf', `${node.hostKeyPath}.pub`])).stdout.split(' ')[1]!;
  expect(rotated).not.toBe(expected);
  await expect(page.getByTestId('offline-banner')).toHaveAttribute('data-state', 'host-key-changed', { timeout: 60_000 });
  await page.getByTestId('review-host-key').click();
  await expect(page.getByTestId('host-key-fingerprint')).toHaveText(rotated);
  await expect(page.getByTestId('trust-host-key-submit')).toBeDisabled();
  await shot(page, '05-new-host-key-zh');
  await page.getByTestId('host-key-confirm').check();
  await page.getByTestId('trust-host-key-submit').click();
  await expect(treeNode).toHaveAttribute('data-state', 'online', { timeout: 60_000 });
  await expect(page.getByTestId('offline-banner')).toHaveCount(0);
});
