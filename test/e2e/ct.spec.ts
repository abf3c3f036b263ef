// Issue 5 end to end, in the real renderer over the browser host and a real lab node with LXC: create a container
// from the busybox template with the wizard (static IP on vmbr0, started after creation), log in on its Console tab
// and see a command's output in the terminal's rows, then open a node shell from the node's context menu, run
// commands there, and use the terminal's find, text size, copy and paste; finally stop and destroy the container.
import { expect, test, type Page } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../node-agent/src/exec/run';
import { buildCtTemplate } from '../ct-templates/ct-templates';
import type { Lab } from '../lab/lab-api';
import { labUpWhenFree } from '../lab/lab-when-free';
import { terminalLines } from './terminal-text';
import { startWebHost } from './web-host';

const node = 'lab/n1';
const CTID = 260;
const CT_IP = '198.18.0.120';
const PASSWORD = 'hd-e2e-secret';
const TEMPLATE = 'hd-busybox.tar.gz';

let lab: Lab;
let host: ChildProcess;
let url: string;
let work: string;

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/e2e/screenshots/${name}.png`, fullPage: true });

/**
 * The empty cgroups (lxc/<ctid>, lxc.monitor/<ctid>) an LXC container killed from outside can leave on the host
 * (the lab's nodes share its cgroups): with them there, LXC cannot start that id again ("Failed to create monitor
 * cgroup"). Directories only, deepest first; a cgroup that still holds a process is not removed.
 */
const removeLeftCgroups = async (ctid: number) => {
  const removeTree = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => []))
      if (entry.isDirectory()) await removeTree(join(dir, entry.name));
    await rmdir(dir).catch(() => undefined);
  };
  const hierarchies = ['', ...(await readdir('/sys/fs/cgroup').catch(() => []))];
  for (const hierarchy of hierarchies)
    for (const parent of ['lxc', 'lxc.monitor'])
      await removeTree(join('/sys/fs/cgroup', hierarchy, parent, String(ctid)));
};

test.beforeAll(async () => {
  // The lab is one per machine: waiting for another test's lab to go down can take a while.
  test.setTimeout(30 * 60_000);
  const template = (await buildCtTemplate('busybox')).find((path) => path.endsWith('.tar.gz')) ?? '';
  work = await mkdtemp(join(tmpdir(), 'hd-e2e-ct-'));
  await removeLeftCgroups(CTID);
  lab = await labUpWhenFree({ nodes: 1, configDir: join(work, 'config') });
  const root = lab.node('n1').root;
  await mkdir(join(root, 'var/lib/vz/template/cache'), { recursive: true });
  await copyFile(template, join(root, 'var/lib/vz/template/cache', TEMPLATE));
  // One disk for everything, as many small PVE installs: local holds templates and container volumes.
  await mkdir(join(root, 'etc/hyperdesk'), { recursive: true });
  await writeFile(
    join(root, 'etc/hyperdesk/storage.cfg'),
    'dir: local\n\tpath /var/lib/vz\n\tcontent iso,vztmpl,backup,images,rootdir\n',
  );
  ({ child: host, url } = await startWebHost(join(work, 'config')));
});

test.afterAll(async () => {
  host?.kill('SIGTERM');
  if (lab) {
    // Whatever the test left running (it destroys the container itself when it gets that far).
    const lxcPath = join(lab.node('n1').root, 'var/lib/lxc');
    await run('lxc-stop', ['-P', lxcPath, '-n', String(CTID), '-k'], { timeoutMs: 30_000 }).catch(() => undefined);
    await lab.down();
    await removeLeftCgroups(CTID);
  }
  if (work) await rm(work, { recursive: true, force: true });
});

test('create a container with the wizard, log in on its console, use a node shell, destroy the container', async ({
  page,
  context,
}) => {
  test.setTimeout(10 * 60_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  await page.goto(url);
  const nodeRow = page.locator(`[data-testid="tree-node-${node}"]`);
  await expect(nodeRow).toHaveAttribute('data-state', 'online', { timeout: 60_000 });

  // The wizard, from the node's context menu: general → template → root disk → CPU → memory → network → DNS.
  await nodeRow.click({ button: 'right' });
  await page.getByTestId('tree-menu-ct.create').click();
  await expect(page.getByTestId('ct-wizard')).toBeVisible();
  // The next free id arrives first; then ours replaces it.
  await expect(page.getByTestId('ct-wizard-vmid')).toHaveValue(/^\d+$/, { timeout: 30_000 });
  await page.getByTestId('ct-wizard-vmid').fill(String(CTID));
  await page.getByTestId('ct-wizard-hostname').fill('e2e-ct');
  await page.getByTestId('ct-wizard-password').fill(PASSWORD);
  await page.getByTestId('ct-wizard-password-confirm').fill(PASSWORD);
  await page.getByTestId('ct-wizard-next').click();
  await expect(page.getByTestId('ct-wizard-template-storage')).toHaveValue('local');
  await page.getByTestId('ct-wizard-template').selectOption(`local:vztmpl/${TEMPLATE}`);
  await page.getByTestId('ct-wizard-next').click();
  await page.getByTestId('ct-wizard-disk-storage').selectOption('local');
  await page.getByTestId('ct-wizard-disk-size').fill('1');
  await page.getByTestId('ct-wizard-next').click();
  await page.getByTestId('ct-wizard-cores').fill('1');
  await page.getByTestId('ct-wizard-next').click();
  await page.getByTestId('ct-wizard-memory').fill('128');
  await page.getByTestId('ct-wizard-swap').fill('64');
  await page.getByTestId('ct-wizard-next').click();
  await page.getByTestId('ct-wizard-net-ip4mode').selectOption('static');
  await page.getByTestId('ct-wizard-net-ip4').fill(`${CT_IP}/24`);
  await page.getByTestId('ct-wizard-net-firewall').uncheck();
  await page.getByTestId('ct-wizard-next').click();
  await page.getByTestId('ct-wizard-next').click(); // DNS: the host's settings
  await expect(page.getByTestId('ct-wizard-summary-net0')).toHaveText(`name=eth0,bridge=vmbr0,ip=${CT_IP}/24`);
  await expect(page.getByTestId('ct-wizard-summary-rootfs')).toHaveText('local:1');
  await page.getByTestId('ct-wizard-start').check();
  await shot(page, '30-ct-wizard-confirm');
  await page.getByTestId('ct-wizard-submit').click();

  // It appears in the tree and runs, and the node reaches it at its address.
  const guestRow = page.getByTestId(`tree-guest-${node}/${CTID}`);
  await expect(guestRow).toHaveAttribute('data-state', 'running', { timeout: 180_000 });
  await expect
    .poll(async () => (await lab.exec('n1', 'ping', ['-c', '1', '-W', '1', CT_IP])).code, { timeout: 60_000 })
    .toBe(0);
  await guestRow.click();
  await expect(page.getByTestId('ct-page')).toBeVisible();
  await expect(page.getByTestId('ct-state')).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
  await expect(page.getByTestId('ct-fact-pid')).toHaveText(/^\d+$/, { timeout: 30_000 });
  await expect(page.getByTestId('ct-chart-cpu')).toBeVisible();
  await shot(page, '31-ct-summary');

  // The console: busybox's getty on the container's console; log in as root and run a command.
  await page.getByTestId('ct-tab-console').click();
  const ctScreen = page.getByTestId('ct-console').getByTestId('terminal-screen');
  await expect(ctScreen).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  await ctScreen.click();
  // Each answer waits for its prompt on the last line; a try that went astray (a key typed while getty restarted,
  // a password typed before login read it) ends in a fresh prompt, and the whole login is tried again.
  const lastLine = async () => (await terminalLines(ctScreen)).filter((line) => line !== '').at(-1) ?? '';
  await expect(async () => {
    if (/# *$/.test(await lastLine())) return; // logged in by the try before
    await page.keyboard.press('Enter');
    await expect.poll(lastLine, { timeout: 5_000 }).toMatch(/login: *$/);
    await page.keyboard.type('root');
    await page.keyboard.press('Enter');
    await expect.poll(lastLine, { timeout: 5_000 }).toMatch(/Password: *$/);
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await expect.poll(lastLine, { timeout: 10_000 }).toMatch(/# *$/);
  }).toPass({ timeout: 120_000 });
  await page.keyboard.type('echo hd-$((6*7))');
  await page.keyboard.press('Enter');
  // The typed line holds `hd-$((6*7))`; only the shell's answer is `hd-42` alone on its line.
  await expect.poll(async () => (await terminalLines(ctScreen)).includes('hd-42'), { timeout: 30_000 }).toBe(true);
  await shot(page, '32-ct-console');

  // A node shell from the node's context menu, on the node page's Shell tab.
  await nodeRow.click({ button: 'right' });
  await page.getByTestId('tree-menu-node.shell').click();
  const shellScreen = page.getByTestId('node-shell').getByTestId('terminal-screen');
  await expect(shellScreen).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  await shellScreen.click();
  // Each lab node has its own UTS namespace named after it, as a real node has its own hostname.
  await page.keyboard.type('hostname; echo "node=$HYPERDESK_NODE"');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await terminalLines(shellScreen)).includes('node=n1'), { timeout: 30_000 }).toBe(true);
  expect(await terminalLines(shellScreen)).toContain('n1');
  await shot(page, '33-node-shell');

  // Find: the match is selected; Copy in the context menu puts it on the clipboard; Paste types a command.
  await page.getByTestId('terminal-search-toggle').click();
  await page.getByTestId('terminal-search').fill('node=n1');
  await page.getByTestId('terminal-search').press('Enter');
  await expect(shellScreen.locator('.xterm-selection div').first()).toBeVisible();
  await page.getByTestId('terminal-search').press('Escape');
  await shellScreen.click({ button: 'right' });
  await page.getByTestId('terminal-menu-copy').click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('node=n1');
  await page.evaluate(() => navigator.clipboard.writeText('echo pasted-$((2+3))'));
  await shellScreen.click({ button: 'right' });
  await page.getByTestId('terminal-menu-paste').click();
  await page.keyboard.press('Enter');
  await expect
    .poll(async () => (await terminalLines(shellScreen)).includes('pasted-5'), { timeout: 30_000 })
    .toBe(true);
  // Text size: one step bigger, and back to the default from the context menu.
  await expect(page.getByTestId('terminal-font-size')).toHaveText('14 px');
  await page.getByTestId('terminal-font-bigger').click();
  await expect(page.getByTestId('terminal-font-size')).toHaveText('15 px');
  await shot(page, '34-node-shell-tools');
  await shellScreen.click({ button: 'right' });
  await page.getByTestId('terminal-menu-font-reset').click();
  await expect(page.getByTestId('terminal-font-size')).toHaveText('14 px');

  // Stop the container and destroy it; it leaves the tree.
  await guestRow.click();
  await page.getByTestId('ct-action-stop').click();
  await page.getByTestId('ct-confirm-stop-confirm').click();
  await expect(guestRow).toHaveAttribute('data-state', 'stopped', { timeout: 60_000 });
  await page.getByTestId('ct-action-destroy').click();
  await page.getByTestId('ct-confirm-destroy-confirm').click();
  await expect(guestRow).toHaveCount(0, { timeout: 60_000 });
  await shot(page, '35-ct-destroyed');
});
