import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT_UNAVAILABLE } from '../bridge/bridge';
import { tempDirForTest } from '../fs/temp-dir';
import { consoleKinds, parseConsoleArgs } from '../vm/console-relay';
import { chooseShell, ctConsolePlan, isExecutableIn, parseLxcInfo, prepareCtConsole, runCtConsole } from './ct-console';
import { lxcConfigFile, lxcPath } from './lxc-paths';

const paths = { root: '/srv/hd' };

/** A container rootfs folder with the given executables (path → content) and symlinks (path → target). */
const rootfs = async (files: Record<string, string>, links: Record<string, string> = {}): Promise<string> => {
  const root = await tempDirForTest('hd-ct-rootfs-');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
    await chmod(join(root, path), 0o755);
  }
  for (const [path, target] of Object.entries(links)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await symlink(target, join(root, path));
  }
  return root;
};

describe('console arguments with container kinds', () => {
  it('accepts a ctid with ct-console or ct-shell', () => {
    expect(parseConsoleArgs(['101', 'ct-console'])).toEqual({ vmid: 101, kind: 'ct-console' });
    expect(parseConsoleArgs(['999999999', 'ct-shell'])).toEqual({ vmid: 999999999, kind: 'ct-shell' });
    expect(consoleKinds).toEqual(['vnc', 'serial0', 'serial1', 'serial2', 'serial3', 'ct-console', 'ct-shell']);
  });
  it.each([
    [['101', 'ct']],
    [['101', 'ct-shell;id']],
    [['101', 'CT-SHELL']],
    [['101', 'ct-console', '-t']],
    [['1e3', 'ct-shell']],
    [['-1', 'ct-console']],
    [['101 ', 'ct-shell']],
    [['ct-shell']],
  ])('refuses %j', (args) => {
    expect(() => parseConsoleArgs(args)).toThrow(expect.objectContaining({ code: 'invalid-params' }));
  });
});

describe('ctConsolePlan', () => {
  it('plan: ct-console is lxc-console on tty 0 with the escape key off', () => {
    expect(ctConsolePlan(paths, 101, 'ct-console')).toEqual({
      command: 'lxc-console',
      args: ['-P', '/srv/hd/var/lib/lxc', '-n', '101', '-t', '0', '-e', '-1'],
    });
  });
  it('plan: ct-shell is lxc-attach with a clean environment and a login shell', () => {
    expect(ctConsolePlan(paths, 101, 'ct-shell')).toEqual({
      command: 'lxc-attach',
      args: [
        ...['-P', '/srv/hd/var/lib/lxc', '-n', '101', '--clear-env'],
        ...['--set-var', 'TERM=xterm-256color', '--set-var', 'HOME=/root', '--', '/bin/sh', '-l'],
      ],
    });
    expect(ctConsolePlan(paths, 101, 'ct-shell', '/bin/bash').args.slice(-2)).toEqual(['/bin/bash', '-l']);
  });
});

describe('choosing the shell', () => {
  it('prefers bash where the container has it, through a relative /bin -> usr/bin (Debian)', async () => {
    const root = await rootfs({ 'usr/bin/bash': '#!', 'usr/bin/dash': '#!' }, { bin: 'usr/bin', 'usr/bin/sh': 'dash' });
    expect(await chooseShell(root)).toBe('/bin/bash');
    expect(ctConsolePlan(paths, 101, 'ct-shell', await chooseShell(root)).args.slice(-2)).toEqual(['/bin/bash', '-l']);
  });
  it('takes /bin/sh without bash (Alpine: sh -> /bin/busybox, an absolute link read inside the rootfs)', async () => {
    const root = await rootfs({ 'bin/busybox': '#!' }, { 'bin/sh': '/bin/busybox' });
    expect(await isExecutableIn(root, '/bin/sh')).toBe(true);
    expect(await chooseShell(root)).toBe('/bin/sh');
  });
  it("never follows a link out of the rootfs onto the node's own files", async () => {
    // The node has /bin/bash; an absolute link must still be looked up inside the container.
    const root = await rootfs({ 'bin/sh': '#!' }, { 'bin/bash': '/usr/bin/bash', escape: '../../../../../../bin' });
    expect(await isExecutableIn('/', '/bin/bash')).toBe(true);
    expect(await isExecutableIn(root, '/bin/bash')).toBe(false);
    expect(await isExecutableIn(root, '/escape/bash')).toBe(false);
    expect(await chooseShell(root)).toBe('/bin/sh');
  });
  it('refuses a non-executable bash, a directory and a symlink loop', async () => {
    const root = await rootfs({ 'bin/sh': '#!' }, { 'usr/bin/loop': 'loop' });
    await writeFile(join(root, 'bin/bash'), '#!');
    await chmod(join(root, 'bin/bash'), 0o644);
    expect(await isExecutableIn(root, '/bin/bash')).toBe(false);
    expect(await isExecutableIn(root, '/bin')).toBe(false);
    expect(await isExecutableIn(root, '/usr/bin/loop')).toBe(false);
  });
});

describe('parseLxcInfo', () => {
  it('reads the state and the init pid', () => {
    expect(parseLxcInfo('State:          RUNNING\nPID:            4242\n')).toEqual({ state: 'RUNNING', pid: 4242 });
    expect(parseLxcInfo('State:          STOPPED\n')).toEqual({ state: 'STOPPED', pid: undefined });
  });
});

describe('a container that is not running (real lxc-info)', () => {
  const agentRoot = async (): Promise<{ root: string }> => ({ root: await tempDirForTest('hd-ct-console-') });

  it('says the CT is not running and exits like the VM relay, without starting anything', async () => {
    const root = await agentRoot();
    await mkdir(join(lxcPath(root), '101'), { recursive: true });
    await writeFile(lxcConfigFile(root, 101), `lxc.uts.name = CT101\nlxc.rootfs.path = ${join(root.root, 'rootfs')}\n`);
    await expect(prepareCtConsole(root, 101, 'ct-shell')).rejects.toMatchObject({
      code: 'not-found',
      message: 'CT 101 is not running — start it first',
      details: { state: 'STOPPED' },
    });
    const stderr = new PassThrough();
    expect(await runCtConsole(root, 101, 'ct-console', stderr)).toBe(EXIT_UNAVAILABLE);
    expect(String(stderr.read())).toBe('error (not-found): CT 101 is not running — start it first\n');
  });

  it('says a CT without a config does not exist', async () => {
    const root = await agentRoot();
    await mkdir(lxcPath(root), { recursive: true });
    const stderr = new PassThrough();
    expect(await runCtConsole(root, 102, 'ct-shell', stderr)).toBe(EXIT_UNAVAILABLE);
    expect(String(stderr.read())).toMatch(
      /^error \(not-found\): CT 102 does not exist on this node \(no .*\/102\/config\)\n$/,
    );
  });
});
