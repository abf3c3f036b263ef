// Builds the busybox template and checks what a container runtime needs from it: an executable busybox init, its
// inittab, and a shell that runs in the extracted tree. (The Debian template is built by `build.sh debian`, not here.)
import { access, constants, lstat, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runChecked } from '../../node-agent/src/exec/run';
import { tempDirForTest } from '../../node-agent/src/fs/temp-dir';
import { buildCtTemplate, CT_TEMPLATE_VERSION } from './ct-templates';

describe('busybox container template', () => {
  let templates: string[];
  beforeAll(async () => {
    templates = await buildCtTemplate('busybox');
  }, 120_000);

  it('is named as PVE names templates and built as .tar.gz (and .tar.zst when zstd is there)', () => {
    const gz = templates[0] ?? '';
    expect(basename(gz)).toMatch(new RegExp(`^busybox-\\d+\\.\\d+-hyperdesk_${CT_TEMPLATE_VERSION}_amd64\\.tar\\.gz$`));
    expect(templates.slice(1).map((path) => basename(path))).toEqual(
      templates.length > 1 ? [basename(gz).replace(/\.gz$/, '.zst')] : [],
    );
  });

  it('extracts to a tree whose /sbin/init is busybox, executable, with an inittab that starts the network and gettys', async () => {
    const dir = await tempDirForTest('hd-ct-template-');
    await runChecked('tar', ['--extract', '--gzip', '--file', templates[0] ?? '', '--directory', dir]);
    expect(await readlink(join(dir, 'sbin/init'))).toBe('/bin/busybox');
    const busybox = await lstat(join(dir, 'bin/busybox'));
    expect(busybox.isFile()).toBe(true);
    await access(join(dir, 'bin/busybox'), constants.X_OK);
    const inittab = await readFile(join(dir, 'etc/inittab'), 'utf8');
    expect(inittab).toContain('::sysinit:/etc/init.d/rcS');
    expect(inittab).toContain('::respawn:/etc/init.d/getty console');
    expect(inittab).toContain('::respawn:/etc/init.d/getty tty1');
    expect(await readFile(join(dir, 'etc/init.d/rcS'), 'utf8')).toContain('ifup -a');
    expect((await lstat(join(dir, 'etc/shadow'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'etc/hd-template-version'), 'utf8')).toBe(`${CT_TEMPLATE_VERSION}\n`);
  });

  it('runs a shell inside the extracted tree (chroot), with busybox applets and ifup on its PATH', async () => {
    const dir = await tempDirForTest('hd-ct-template-');
    await runChecked('tar', ['--extract', '--zstd', '--file', templates[1] ?? templates[0] ?? '', '--directory', dir]);
    const { stdout } = await runChecked('chroot', [dir, '/bin/sh', '-c', 'echo ok; which ifup getty init']);
    expect(stdout.split('\n').filter(Boolean)).toEqual(['ok', '/sbin/ifup', '/sbin/getty', '/sbin/init']);
  });
});
