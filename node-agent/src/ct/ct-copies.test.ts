// Templates and clones of containers with a real agent store and real dir storages (subvol folders copied with cp,
// raw images with qemu-img) and tasks run at once in-process. No container is started; btrfs linked clones and
// running containers are the lab's (test/integration/ct-copies.test.ts).
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../api/errors';
import { runChecked } from '../exec/run';
import { currentOf } from '../vm/config/conf-document';
import { cloneCt, templateCt } from './ct-copies';
import { ctTestBed, type CtTestBed } from './ct-test-bed';

const STORAGE_CFG = [
  'dir: ctdir',
  '\tpath /srv/ct',
  '\tcontent rootdir,images',
  '',
  'dir: other',
  '\tpath /srv/other',
  '\tcontent rootdir,images',
  '',
  'dir: isos',
  '\tpath /srv/iso',
  '\tcontent iso',
  '',
].join('\n');

const signal = AbortSignal.timeout(60_000);
const MiB = 1024 * 1024;

const refusal = (promise: Promise<unknown>): Promise<AppError | undefined> =>
  promise.then(
    () => undefined,
    (error: unknown) => AppError.from(error),
  );

const pathOf = async (bed: CtTestBed, volid: string) => (await bed.storage.volumePath(volid, { signal })).path;
const valuesOf = async (bed: CtTestBed, vmid: number) => currentOf((await bed.cts.store.read(vmid)).conf).values;
const volumesOf = async (bed: CtTestBed, storage: string, vmid: number) =>
  (await bed.storage.contentList(storage, { vmid }, { signal })).map((volume) => volume.volid).sort();

const writeAt = async (path: string, offset: number, text: string): Promise<void> => {
  const handle = await open(path, 'r+');
  try {
    await handle.write(Buffer.from(text), 0, text.length, offset);
  } finally {
    await handle.close();
  }
};

const readAt = async (path: string, offset: number, length: number): Promise<string> => {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, offset);
    return buffer.toString();
  } finally {
    await handle.close();
  }
};

/**
 * CT 300 on ctdir: a subvol root (files owned by an unprivileged container's root, a hard link, a device node; its
 * size= as given) and a raw mount point volume with data at 3 MiB; a description, a pending change, an unused disk.
 */
const sourceCt = async (
  bed: CtTestBed,
  options: { rootSize?: string; extra?: string } = {},
): Promise<{ rootfs: string; data: string }> => {
  const call = { signal };
  const { volid: rootfs } = await bed.storage.alloc({ storage: 'ctdir', vmid: 300, format: 'subvol', size: 0 }, call);
  const { volid: data } = await bed.storage.alloc({ storage: 'ctdir', vmid: 300, format: 'raw', size: 4 * MiB }, call);
  const root = await pathOf(bed, rootfs);
  await mkdir(join(root, 'etc'));
  await writeFile(join(root, 'etc/hostname'), 'src\n');
  await link(join(root, 'etc/hostname'), join(root, 'etc/hostname.link'));
  await runChecked('mknod', [join(root, 'etc/null'), 'c', '1', '3']);
  await runChecked('chown', ['-R', '100000:100000', root]);
  await writeAt(await pathOf(bed, data), 3 * MiB, 'payload');
  const text = [
    '#the source',
    'arch: amd64',
    'hostname: src',
    'memory: 128',
    `mp0: ${data},mp=/data,size=4M`,
    'net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth',
    'ostype: debian',
    `rootfs: ${rootfs}${options.rootSize === undefined ? '' : `,size=${options.rootSize}`}`,
    'unprivileged: 1',
    'unused0: ctdir:300/vm-300-disk-9.raw',
    options.extra ?? '',
    '[pve:pending]',
    'memory: 256',
    '',
  ].join('\n');
  await bed.cts.store.create(300, bed.cts.store.dialect.parse(text, 'lxc/300.conf'));
  return { rootfs, data };
};

describe('cloneCt', () => {
  it('copies every volume in full to another storage (a folder by its files, a raw image by its blocks), with new MACs, the given hostname, no pending, lock or unused disks', async () => {
    const bed = await ctTestBed(STORAGE_CFG);
    await sourceCt(bed);
    const { upid } = await cloneCt(bed.cts, { vmid: 300, newid: 301, hostname: 'copy1', storage: 'other' });
    expect(upid).toMatch(/:vzclone:300:root@pam:$/);
    const values = await valuesOf(bed, 301);
    expect(values).toMatchObject({
      hostname: 'copy1',
      rootfs: 'other:301/subvol-301-disk-0.subvol',
      mp0: 'other:301/vm-301-disk-1.raw,mp=/data,size=4M',
      unprivileged: '1',
      memory: '128',
    });
    expect(values.net0).toMatch(
      /^name=eth0,bridge=vmbr0,hwaddr=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2},ip=dhcp,type=veth$/,
    );
    expect(values.net0).not.toContain('BC:24:11:00:00:01');
    for (const key of ['lock', 'unused0', 'template', 'parent']) expect(values[key], key).toBeUndefined();
    const text = await readFile(bed.cts.store.path(301), 'utf8');
    expect(text).not.toContain('[pve:pending]');
    expect(text.startsWith('#the source\n')).toBe(true);

    const root = await pathOf(bed, 'other:301/subvol-301-disk-0.subvol');
    expect(await readFile(join(root, 'etc/hostname'), 'utf8')).toBe('src\n');
    const [file, linked, rootDir, device] = await Promise.all(
      ['etc/hostname', 'etc/hostname.link', '', 'etc/null'].map((p) => stat(join(root, p))),
    );
    expect(file?.ino).toBe(linked?.ino);
    expect([rootDir?.uid, file?.uid, file?.gid]).toEqual([100000, 100000, 100000]);
    expect(device?.isCharacterDevice()).toBe(true);
    expect(await readAt(await pathOf(bed, 'other:301/vm-301-disk-1.raw'), 3 * MiB, 7)).toBe('payload');
    expect((await stat(await pathOf(bed, 'other:301/vm-301-disk-1.raw'))).size).toBe(4 * MiB);
    // The source is as it was, and unlocked.
    expect((await valuesOf(bed, 300)).lock).toBeUndefined();
    expect(await readFile(join(await pathOf(bed, 'ctdir:300/subvol-300-disk-0.subvol'), 'etc/hostname'), 'utf8')).toBe(
      'src\n',
    );
  });

  it('refuses a linked clone of a container that is not a template, a taken id, a locked source, an iso-only storage and bad hostnames', async () => {
    const bed = await ctTestBed(STORAGE_CFG);
    await sourceCt(bed);
    expect(await refusal(cloneCt(bed.cts, { vmid: 300, newid: 301, full: false }))).toMatchObject({
      code: 'invalid-params',
      message: 'CT 300 is not a template — a linked clone needs one (or clone it full)',
    });
    await bed.cts.store.create(302, bed.cts.store.dialect.parse('hostname: other\n', 'lxc/302.conf'));
    expect(await refusal(cloneCt(bed.cts, { vmid: 300, newid: 302 }))).toMatchObject({
      code: 'already-exists',
      message: 'CT 302: the id is taken by container 302 on node n1',
    });
    expect(await refusal(cloneCt(bed.cts, { vmid: 300, newid: 301, storage: 'isos' }))).toMatchObject({
      code: 'invalid-params',
      message: 'CT 300: rootfs: storage isos does not hold container volumes (content rootdir)',
    });
    expect((await refusal(cloneCt(bed.cts, { vmid: 300, newid: 301, hostname: 'no_such host' })))?.message).toMatch(
      /^hostname: /,
    );
    expect(await refusal(cloneCt(bed.cts, { vmid: 300, newid: 301, snapname: 'nosnap' }))).toMatchObject({
      code: 'not-found',
    });
    await bed.cts.store.lockConf(300, 'backup', { label: 'test' });
    expect(await refusal(cloneCt(bed.cts, { vmid: 300, newid: 301 }))).toMatchObject({ code: 'locked' });
    expect(await bed.cts.store.exists(301)).toBe(false);
    expect(bed.tasks).toEqual([]);
  });

  it('makes a sized folder a raw ext4 image on a dir storage and copies the files into it', async () => {
    const bed = await ctTestBed(STORAGE_CFG);
    await sourceCt(bed, { rootSize: '64M' });
    await cloneCt(bed.cts, { vmid: 300, newid: 301, storage: 'other' });
    expect(await valuesOf(bed, 301)).toMatchObject({
      rootfs: 'other:301/vm-301-disk-0.raw,size=64M',
      mp0: 'other:301/vm-301-disk-1.raw,mp=/data,size=4M',
    });
    const image = await pathOf(bed, 'other:301/vm-301-disk-0.raw');
    expect((await stat(image)).size).toBe(64 * MiB);
    // Read back without mounting: the files, their owner and the hard link, in the new file system.
    const debugfs = async (request: string) => (await runChecked('debugfs', ['-R', request, image])).stdout;
    expect(await debugfs('cat /etc/hostname')).toBe('src\n');
    expect(await debugfs('stat /etc/hostname')).toMatch(/User:\s+100000\s+Group:\s+100000[\s\S]*Links: 2/);
    expect(await debugfs('stat /')).toMatch(/User:\s+100000\s+Group:\s+100000/);
    expect(await debugfs('stat /etc/null')).toMatch(/Type: character special/);
    // Nothing stays mounted in the new container's LXC folder, which is gone.
    expect(await readFile('/proc/self/mounts', 'utf8')).not.toContain(bed.paths.root);
    await expect(stat(join(bed.paths.root, 'var/lib/lxc/301'))).rejects.toThrow(/ENOENT/);
  });

  it('leaves nothing behind when a copy fails: volumes made are freed, the new config removed, the source unlocked', async () => {
    const bed = await ctTestBed(STORAGE_CFG);
    // mp1: 16 MiB of files in a folder that says it is 8M: its copy, a raw 8M file system, runs out of space.
    const { volid: big } = await bed.storage.alloc(
      { storage: 'ctdir', vmid: 300, format: 'subvol', size: 0 },
      { signal },
    );
    await writeFile(join(await pathOf(bed, big), 'big'), randomBytes(16 * MiB));
    await sourceCt(bed, { extra: `mp1: ${big},mp=/big,size=8M` });
    const error = await refusal(cloneCt(bed.cts, { vmid: 300, newid: 303 }));
    expect(error?.message).toMatch(/^mp1: cp exited/);
    expect(await bed.cts.store.exists(303)).toBe(false);
    expect(await volumesOf(bed, 'ctdir', 303)).toEqual([]);
    expect((await valuesOf(bed, 300)).lock).toBeUndefined();
    const log = bed.tasks[0]?.log.join('\n') ?? '';
    expect(log).toContain('removed ctdir:303/vm-303-disk-1.raw');
    expect(log).toContain('removed ctdir:303/subvol-303-disk-0.subvol');
    expect(await readFile('/proc/self/mounts', 'utf8')).not.toContain(bed.paths.root);
  });
});

describe('templateCt', () => {
  it('turns raw volumes into base volumes and keeps a dir subvol as it is; a template is not made twice, nor linked on dir', async () => {
    const bed = await ctTestBed(STORAGE_CFG);
    await sourceCt(bed);
    const { upid } = await templateCt(bed.cts, 300);
    expect(upid).toMatch(/:vztemplate:300:root@pam:$/);
    const values = await valuesOf(bed, 300);
    expect(values).toMatchObject({
      template: '1',
      rootfs: 'ctdir:300/subvol-300-disk-0.subvol',
      mp0: 'ctdir:300/base-300-disk-1.raw,mp=/data,size=4M',
    });
    expect(await volumesOf(bed, 'ctdir', 300)).toEqual([
      'ctdir:300/base-300-disk-1.raw',
      'ctdir:300/subvol-300-disk-0.subvol',
    ]);
    expect(await refusal(templateCt(bed.cts, 300))).toMatchObject({
      code: 'already-exists',
      message: 'CT 300 is already a template',
    });

    // A template clones linked by default: a dir storage cannot, and says so.
    expect(await refusal(cloneCt(bed.cts, { vmid: 300, newid: 304 }))).toMatchObject({
      code: 'not-supported',
      message: 'CT 300: rootfs: storage ctdir (dir) cannot make linked clones of container volumes — clone it full',
    });
    expect(await refusal(cloneCt(bed.cts, { vmid: 300, newid: 304, storage: 'other' }))).toMatchObject({
      code: 'invalid-params',
    });
    await cloneCt(bed.cts, { vmid: 300, newid: 304, full: true });
    const clone = await valuesOf(bed, 304);
    expect(clone).toMatchObject({
      rootfs: 'ctdir:304/subvol-304-disk-0.subvol',
      mp0: 'ctdir:304/vm-304-disk-1.raw,mp=/data,size=4M',
    });
    expect(clone.template).toBeUndefined();
    expect(await readAt(await pathOf(bed, 'ctdir:304/vm-304-disk-1.raw'), 3 * MiB, 7)).toBe('payload');
  });

  it('refuses a container with snapshots or a lock, and one whose volume belongs to another guest', async () => {
    const bed = await ctTestBed(STORAGE_CFG);
    await sourceCt(bed, {
      extra:
        '\n[snap1]\narch: amd64\nhostname: src\nrootfs: ctdir:300/subvol-300-disk-0.subvol\nsnaptime: 1700000000\n',
    });
    expect(await refusal(templateCt(bed.cts, 300))).toMatchObject({
      code: 'not-supported',
      message: 'CT 300 has snapshots — delete them before making it a template',
    });
    await bed.cts.store.create(
      305,
      bed.cts.store.dialect.parse('hostname: x\nrootfs: ctdir:300/subvol-300-disk-0.subvol\n', 'lxc/305.conf'),
    );
    expect((await refusal(templateCt(bed.cts, 305)))?.message).toBe(
      'CT 305: rootfs: ctdir:300/subvol-300-disk-0.subvol belongs to guest 300 — a template converts only its own volumes',
    );
    await bed.cts.store.lockConf(305, 'mounted', { label: 'test' });
    expect(await refusal(templateCt(bed.cts, 305))).toMatchObject({ code: 'locked' });
    expect(await readdir(join(bed.paths.root, 'srv/ct/images/300'))).toEqual(
      expect.arrayContaining(['subvol-300-disk-0.subvol', 'vm-300-disk-1.raw']),
    );
  });
});
