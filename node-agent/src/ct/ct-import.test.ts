// importCt against a real agent store and storage service: PVE's sample container configs (on local-lvm and
// local-zfs) written byte for byte once their volumes are found — the lvmthin and zfspool plugins read lvs/zfs output
// as a PVE node prints it, since LVM and ZFS cannot run here — and a subvol on a real dir storage.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AppError } from '../api/errors';
import { dirPlugin } from '../storage/plugins/dir';
import { lvmthinPlugin } from '../storage/plugins/lvmthin';
import { planRunner } from '../storage/plugins/plan-runner';
import { zfspoolPlugin } from '../storage/plugins/zfspool';
import type { CommandRunner, StorageContext, StoragePlugin } from '../storage/plugin';
import { createRegistry } from '../storage/registry';
import { CT_FIXTURE_NAMES, ctFixtureText, type CtFixtureName } from './config/fixtures';
import { importCt } from './ct-import';
import { ctTestBed, type CtTestBed } from './ct-test-bed';

const STORAGE_CFG = [
  'dir: local',
  '\tpath /var/lib/vz',
  '\tcontent rootdir,images,vztmpl',
  '',
  'lvmthin: local-lvm',
  '\tthinpool data',
  '\tvgname pve',
  '\tcontent rootdir,images',
  '',
  'zfspool: local-zfs',
  '\tpool rpool/data',
  '\tcontent images,rootdir',
  '\tsparse',
  '',
].join('\n');

/** The CTID each sample config belongs to (its volumes are named for it). */
const CTID: Record<CtFixtureName, number> = {
  'debian-bind': 101,
  'ubuntu-nesting': 102,
  'alpine-proxy': 103,
  'snapshots-pending': 104,
  template: 9000,
};

/** `lvs` on a PVE node with the samples' thin volumes (columns as storage/plugins/__fixtures__/lvs-thin-active.txt). */
const LVS = [
  '  pve:data:68719476736:twi-aotz--::12.50:4.25::aaaaaa-0000-0000-0000-0000-0000-000001::4194304:1795681100',
  '  pve:vm-101-disk-0:17179869184:Vwi-a-tz--:data:20.00:::aaaaaa-0000-0000-0000-0000-0000-000002:::1795681100',
  '  pve:vm-103-disk-0:2147483648:Vwi-a-tz--:data:30.00:::aaaaaa-0000-0000-0000-0000-0000-000003:::1795681100',
  '  pve:vm-103-disk-1:4294967296:Vwi-a-tz--:data:5.00:::aaaaaa-0000-0000-0000-0000-0000-000004:::1795681100',
  '  pve:base-9000-disk-0:8589934592:Vri---tz-k:data:25.00:::aaaaaa-0000-0000-0000-0000-0000-000005:::1795681100',
  '  pve:root:8589934592:-wi-ao----:::::aaaaaa-0000-0000-0000-0000-0000-000006:::1795681000',
].join('\n');

/** `zfs list -Hp … rpool/data` with the samples' subvols (as storage/plugins/__fixtures__/zfs-list.txt). */
const ZFS_LIST = [
  'rpool/data\t-\t-\tfilesystem\t0',
  'rpool/data/subvol-102-disk-0\t-\t-\tfilesystem\t34359738368',
  'rpool/data/subvol-104-disk-0\t-\t-\tfilesystem\t21474836480',
].join('\n');

/** The node's LVM and ZFS tools as they answer on a PVE node with the volumes above. */
const pveTools = planRunner((command, args) => {
  if (command === 'vgs') return { stdout: '  pve:107374182400:10737418240:6\n' };
  if (command === 'lvs') return { stdout: `${LVS}\n` };
  if (command === 'zpool') return { stdout: 'rpool\n' };
  if (command === 'zfs' && args.includes('list')) return { stdout: `${ZFS_LIST}\n` };
  return undefined;
});

/** A plugin whose every call runs its commands through `run`. */
const runningThrough = <C>(plugin: StoragePlugin<C>, run: CommandRunner): StoragePlugin<C> =>
  new Proxy(plugin, {
    get: (target, property, receiver) => {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (ctx: StorageContext<C>, ...rest: unknown[]): unknown =>
        (value as (...args: unknown[]) => unknown).call(target, { ...ctx, run }, ...rest);
    },
  });

const bed = (): Promise<CtTestBed> =>
  ctTestBed(
    STORAGE_CFG,
    createRegistry([
      dirPlugin,
      runningThrough(lvmthinPlugin, pveTools.run),
      runningThrough(zfspoolPlugin, pveTools.run),
    ]),
  );

const refusal = (promise: Promise<unknown>): Promise<AppError | undefined> =>
  promise.then(
    () => undefined,
    (error: unknown) => AppError.from(error),
  );

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

describe('importCt', () => {
  it("writes each of PVE's sample configs byte for byte once its volumes are found, digest the text's sha1", async () => {
    const { cts } = await bed();
    for (const name of CT_FIXTURE_NAMES) {
      const text = ctFixtureText(name);
      const vmid = CTID[name];
      const { digest } = await importCt(cts, vmid, text);
      expect(await readFile(cts.store.path(vmid), 'utf8'), name).toBe(text);
      expect(digest).toBe(sha1(text));
      expect((await cts.config(vmid, { current: false })).digest).toBe(digest);
    }
    expect(await cts.store.vmids()).toEqual([101, 102, 103, 104, 9000]);
    // The pending section and both snapshots of the sample came along.
    expect((await cts.snapshots(104)).snapshots.map((snap) => snap.name).sort()).toEqual(['before-upgrade', 'fresh']);
    expect(await cts.pending(104)).toContainEqual(expect.objectContaining({ key: 'memory', pending: 6144 }));
  });

  it('refuses a config whose volume is not on its storage, naming the key and the volume, and writes nothing', async () => {
    const { cts } = await bed();
    const text = ctFixtureText('alpine-proxy').replace('local-lvm:vm-103-disk-1', 'local-lvm:vm-103-disk-7');
    const error = await refusal(importCt(cts, 103, text));
    expect(error).toMatchObject({
      code: 'invalid-params',
      message: 'mp0: volume local-lvm:vm-103-disk-7 does not exist on storage local-lvm',
    });
    expect(await cts.store.exists(103)).toBe(false);
  });

  it('checks the volumes of snapshots and pending changes too, naming the section', async () => {
    const { cts } = await bed();
    const text = ctFixtureText('snapshots-pending').replace(
      'rootfs: local-zfs:subvol-104-disk-0,size=20G\nsnaptime: 1717939200',
      'rootfs: local-zfs:subvol-104-disk-3,size=20G\nsnaptime: 1717939200',
    );
    const error = await refusal(importCt(cts, 104, text));
    expect(error?.message).toBe(
      '[fresh] rootfs: volume local-zfs:subvol-104-disk-3 does not exist on storage local-zfs',
    );
    const pending = ctFixtureText('snapshots-pending').replace(
      'cores: 4\n',
      'cores: 4\nmp0: local-lvm:vm-104-disk-1,mp=/srv\n',
    );
    expect((await refusal(importCt(cts, 104, pending)))?.message).toBe(
      '[pve:pending] mp0: volume local-lvm:vm-104-disk-1 does not exist on storage local-lvm',
    );
    expect(await cts.store.exists(104)).toBe(false);
  });

  it('refuses a taken CTID, a lock, a bad key, a volume named for another guest, an unknown storage and a MAC in use', async () => {
    const { cts } = await bed();
    await importCt(cts, 101, ctFixtureText('debian-bind'));
    expect(await refusal(importCt(cts, 101, ctFixtureText('debian-bind')))).toMatchObject({ code: 'already-exists' });
    const template = ctFixtureText('template');
    expect((await refusal(importCt(cts, 9000, `${template}lock: backup\n`)))?.message).toBe(
      'lock: the config is locked (backup) — unlock it on the source first',
    );
    expect((await refusal(importCt(cts, 9000, template.replace('memory: 512', 'memory: lots'))))?.message).toMatch(
      /^memory: /,
    );
    expect((await refusal(importCt(cts, 9001, template)))?.message).toBe(
      'rootfs: volume local-lvm:base-9000-disk-0 is named for guest 9000, not for CT 9001',
    );
    expect((await refusal(importCt(cts, 9000, template.replace('local-lvm:', 'nowhere:'))))?.message).toBe(
      'rootfs: storage nowhere does not exist',
    );
    // CT 101's MAC on another container.
    const reused = template.replace('BC:24:11:51:00:AA', 'BC:24:11:3A:5C:01');
    expect((await refusal(importCt(cts, 9000, reused)))?.message).toBe(
      'net0: MAC BC:24:11:3A:5C:01 is already used by guest 101 on this node',
    );
    expect(await cts.store.vmids()).toEqual([101]);
  });

  it('finds a subvol on a dir storage and keeps CRLF line ends as they are', async () => {
    const { cts, storage } = await bed();
    const { volid } = await storage.alloc(
      { storage: 'local', vmid: 150, format: 'subvol', size: 0 },
      { signal: AbortSignal.timeout(10_000) },
    );
    expect(volid).toBe('local:150/subvol-150-disk-0.subvol');
    const text = `#imported\r\narch: amd64\r\nhostname: dirct\r\nmemory: 128\r\nostype: alpine\r\nrootfs: ${volid},size=1G\r\n`;
    const { digest } = await importCt(cts, 150, text);
    expect(digest).toBe(sha1(text));
    expect(await readFile(cts.store.path(150), 'utf8')).toBe(text);
    expect((await cts.config(150, { current: false })).config).toMatchObject({
      hostname: 'dirct',
      rootfs: `${volid},size=1G`,
    });
  });
});
