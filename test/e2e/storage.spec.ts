// Issue 3 end to end: add a dir storage through the UI, upload an ISO with its progress bar, see it listed and the
// storage's usage move. The storage sits on its own small file system in the lab node, so 48 MiB shows.
import { expect, test, type Page } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runChecked } from '../../node-agent/src/exec/run';
import { labUp, type Lab } from '../lab/lab-api';
import { startWebHost } from './web-host';

let lab: Lab;
let host: ChildProcess;
let url: string;
let work: string;
let mountPoint: string;
let loopDevice: string | undefined;

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/e2e/screenshots/${name}.png`, fullPage: true });

test.beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hd-e2e-storage-'));
  lab = await labUp({ nodes: 1, configDir: join(work, 'config') });
  // A 256 MiB ext4 under the node's root. The node's sshd (SFTP) and agent each run in the mount namespace
  // `ip netns exec` gave them when they started, so both restart after the mount, as after a reboot.
  const node = lab.node('n1');
  mountPoint = join(node.root, 'srv/isos');
  await mkdir(mountPoint, { recursive: true });
  const image = join(work, 'isos.ext4');
  await runChecked('truncate', ['-s', '256M', image]);
  await runChecked('mkfs.ext4', ['-q', '-F', image]);
  loopDevice = (await runChecked('losetup', ['--find', '--show', image])).stdout.trim();
  await runChecked('mount', [loopDevice, mountPoint]);
  await lab.stopAgent('n1');
  await lab.startAgent('n1');
  await lab.stopSshd('n1', { sessions: true });
  await lab.startSshd('n1');
  ({ child: host, url } = await startWebHost(join(work, 'config')));
});

test.afterAll(async () => {
  host?.kill('SIGTERM');
  await lab?.stopAgent('n1').catch(() => undefined);
  if (mountPoint) await run('umount', ['-l', mountPoint]);
  if (loopDevice) await run('losetup', ['-d', loopDevice]);
  await lab?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

test('add a dir storage, upload an ISO with progress, see it listed and the usage move', async ({ page }) => {
  const iso = join(work, 'tiny-installer.iso');
  await writeFile(iso, randomBytes(48 * 1024 * 1024));
  await page.goto(url);
  await expect(page.locator('[data-testid="tree-node-lab/n1"]')).toHaveAttribute('data-state', 'online', { timeout: 60_000 });

  // Datacenter → Storage → Add: a dir storage for ISO images on the small file system.
  await page.getByTestId('datacenter-storage').click();
  await page.getByTestId('storage-add').click();
  await page.getByTestId('storage-form-type').selectOption('dir');
  await page.getByTestId('storage-form-id').fill('isos');
  await page.getByTestId('storage-form-path').fill('/srv/isos');
  await page.getByTestId('storage-form-content-iso').check();
  await shot(page, '10-storage-add');
  await page.getByTestId('storage-form-submit').click();
  await expect(page.getByTestId('storage-row-isos')).toBeVisible({ timeout: 30_000 });

  // The node's new storage appears in the tree with its usage.
  const treeStorage = page.getByTestId('tree-storage-lab/n1/isos');
  await expect(treeStorage).toBeVisible({ timeout: 30_000 });
  await treeStorage.click();
  await expect(page.getByTestId('storage-page')).toBeVisible();
  const usage = page.getByTestId('storage-usage');
  await expect(usage).toHaveText(/\d/, { timeout: 30_000 });
  const usageBefore = await usage.textContent();
  const chart = page.getByTestId('chart-storage');
  await expect(chart.locator('canvas').first()).toBeVisible();
  // The chart's legend shows its newest point: wait for the first one, so a later change means the chart moved.
  await expect(chart).toContainText(/Used:?\s*[\d.]+\s*\S*B/, { timeout: 30_000 });
  const chartBefore = await chart.textContent();

  // Upload the ISO from the workstation: progress bar, then its sha256, then the listing.
  await page.getByTestId('storage-tab-content').click();
  await page.getByTestId('upload-button').click();
  await page.getByTestId('upload-path').fill(iso);
  await page.getByTestId('upload-submit').click();
  await expect(page.getByTestId('upload-progress').first()).toBeVisible();
  await shot(page, '11-storage-upload-progress');
  await expect(page.getByTestId('upload-sha256').first()).toHaveText(/[0-9a-f]{64}/, { timeout: 120_000 });
  const expected = (await runChecked('sha256sum', [iso])).stdout.split(' ')[0]!;
  await expect(page.getByTestId('upload-sha256').first()).toContainText(expected);
  await expect(page.getByTestId('content-row-isos:iso/tiny-installer.iso')).toBeVisible({ timeout: 30_000 });
  const onNode = (await runChecked('sha256sum', [join(mountPoint, 'template/iso/tiny-installer.iso')])).stdout.split(' ')[0];
  expect(onNode).toBe(expected);
  await shot(page, '12-storage-content');

  // The storage's usage moves by the ISO's size with the next 10 s sample.
  await page.getByTestId('storage-tab-summary').click();
  await expect(usage).not.toHaveText(usageBefore!, { timeout: 30_000 });
  await expect(chart).not.toHaveText(chartBefore!, { timeout: 60_000 });
  await shot(page, '13-storage-usage');
});
