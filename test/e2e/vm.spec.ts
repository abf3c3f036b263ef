// Issue 4 end to end, in the real renderer over the browser host and a real lab node with QEMU: create a VM with
// the wizard (the test guest ISO as its CD), start it, open its console and see the guest's text drawn on the
// noVNC canvas, then take a RAM snapshot and roll back to it from the Snapshots tab.
import { expect, test, type Page } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGuestImage } from '../guest-image/guest-image';
import type { Lab } from '../lab/lab-api';
import { labUpWhenFree } from '../lab/lab-when-free';
import { startWebHost } from './web-host';

const ISO = 'hyperdesk-test-guest.iso';
const node = 'lab/n1';
const GUEST_IP = '198.18.0.60';

let lab: Lab;
let host: ChildProcess;
let url: string;
let work: string;

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/e2e/screenshots/${name}.png`, fullPage: true });

/** How many of the canvas's pixels are lit (not the black of an empty VGA text screen). */
const litPixels = (page: Page): Promise<number> =>
  page.getByTestId('vm-console-tab').locator('canvas').first().evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d');
    if (!context || canvas.width === 0 || canvas.height === 0) return 0;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 0) + (data[i + 1] ?? 0) + (data[i + 2] ?? 0) > 96) lit += 1;
    return lit;
  });

test.beforeAll(async () => {
  const image = await buildGuestImage();
  work = await mkdtemp(join(tmpdir(), 'hd-e2e-vm-'));
  lab = await labUpWhenFree({ nodes: 1, configDir: join(work, 'config') });
  const root = lab.node('n1').root;
  await mkdir(join(root, 'var/lib/vz/template/iso'), { recursive: true });
  await copyFile(image.iso, join(root, 'var/lib/vz/template/iso', ISO));
  // One disk for everything, as many small PVE installs: local holds disk images too.
  await mkdir(join(root, 'etc/hyperdesk'), { recursive: true });
  await writeFile(join(root, 'etc/hyperdesk/storage.cfg'), 'dir: local\n\tpath /var/lib/vz\n\tcontent iso,vztmpl,backup,images,rootdir\n');
  ({ child: host, url } = await startWebHost(join(work, 'config')));
});

test.afterAll(async () => {
  host?.kill('SIGTERM');
  await lab?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

test('create a VM with the wizard, start it, see its console, take and roll back a snapshot', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  await page.goto(url);
  const nodeRow = page.locator(`[data-testid="tree-node-${node}"]`);
  await expect(nodeRow).toHaveAttribute('data-state', 'online', { timeout: 60_000 });

  // The wizard, from the node's context menu.
  await nodeRow.click({ button: 'right' });
  await page.getByTestId('tree-menu-vm.create').click();
  await expect(page.getByTestId('vm-wizard')).toBeVisible();
  await expect(page.getByTestId('vm-wizard-vmid')).toHaveValue('100', { timeout: 30_000 });
  await page.getByTestId('vm-wizard-name').fill('e2e-guest');
  await page.getByTestId('vm-wizard-next').click();
  await page.getByTestId('vm-wizard-iso').selectOption(`local:iso/${ISO}`);
  await page.getByTestId('vm-wizard-next').click();
  await page.getByTestId('vm-wizard-machine').selectOption('pc');
  await page.getByTestId('vm-wizard-next').click();
  await page.getByTestId('vm-wizard-disk-0-size').fill('1');
  await page.getByTestId('vm-wizard-disk-0-format').selectOption('qcow2');
  await page.getByTestId('vm-wizard-next').click();
  await page.getByTestId('vm-wizard-cores').fill('1');
  await page.getByTestId('vm-wizard-cpu-type').selectOption('qemu64');
  await page.getByTestId('vm-wizard-next').click();
  await page.getByTestId('vm-wizard-memory').fill('256');
  await page.getByTestId('vm-wizard-next').click();
  await page.getByTestId('vm-wizard-net-firewall').uncheck();
  await page.getByTestId('vm-wizard-next').click();
  // Cloud-init gives the guest its address: its answering ping proves it booted.
  await page.getByTestId('vm-wizard-ci-enabled').check();
  await page.getByTestId('vm-wizard-ci-storage').selectOption('local');
  await page.getByTestId('vm-wizard-ci-ipmode').selectOption('static');
  await page.getByTestId('vm-wizard-ci-ip').fill(`${GUEST_IP}/24`);
  await page.getByTestId('vm-wizard-next').click();
  await expect(page.getByTestId('vm-wizard-summary-memory')).toHaveText('256');
  await page.getByTestId('vm-wizard-start').check();
  await shot(page, '20-vm-wizard-confirm');
  await page.getByTestId('vm-wizard-submit').click();

  // It appears in the tree and runs.
  const guestRow = page.getByTestId(`tree-guest-${node}/100`);
  await expect(guestRow).toHaveAttribute('data-state', 'running', { timeout: 180_000 });
  await guestRow.click();
  await expect(page.getByTestId('vm-page')).toBeVisible();
  await expect(page.getByTestId('vm-state')).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
  await expect(page.getByTestId('vm-accel')).toHaveText(/tcg|kvm/i);

  // The console: once the guest is up (it answers ping), noVNC shows its VGA text — the kernel's messages, the
  // banner and the counter fill the screen, where the firmware printed only a few lines.
  await page.getByTestId('vm-tab-console').click();
  await expect(page.getByTestId('vm-console-tab').locator('canvas').first()).toBeVisible({ timeout: 30_000 });
  await expect.poll(async () => (await lab.exec('n1', 'ping', ['-c', '1', '-W', '1', GUEST_IP])).code, { timeout: 180_000 }).toBe(0);
  await expect.poll(() => litPixels(page), { timeout: 60_000 }).toBeGreaterThan(20_000);
  await shot(page, '21-vm-console');

  // Snapshot with RAM, then roll back to it.
  await page.getByTestId('vm-tab-snapshots').click();
  await page.getByTestId('vm-snap-take').click();
  await page.getByTestId('vm-snap-name').fill('before');
  await page.getByTestId('vm-snap-vmstate').check();
  await page.getByTestId('vm-snap-submit').click();
  const snapRow = page.getByTestId('vm-snap-row-before');
  await expect(snapRow).toBeVisible({ timeout: 300_000 });
  await expect(page.getByTestId('vm-snap-now')).toBeVisible();
  await shot(page, '22-vm-snapshots');
  await snapRow.click();
  await page.getByTestId('vm-snap-rollback').click();
  await page.getByTestId('vm-snap-confirm-confirm').click();
  // The rollback task ends OK; with RAM the guest resumes where it was: running, and still answering ping.
  const rollbackTask = page.getByTestId('task-panel').locator('[data-testid^="task-row-"]', { hasText: 'VM rollback' });
  await expect(rollbackTask).toBeVisible({ timeout: 60_000 });
  await expect(rollbackTask).toContainText('OK', { timeout: 300_000 });
  await expect(page.getByTestId('vm-state')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await expect.poll(async () => (await lab.exec('n1', 'ping', ['-c', '1', '-W', '1', GUEST_IP])).code, { timeout: 60_000 }).toBe(0);
  await page.getByTestId('vm-tab-tasks').click();
  await expect(page.getByTestId('vm-task-row').first()).toBeVisible({ timeout: 30_000 });
  await shot(page, '23-vm-rollback');
});
