// ZFS (PVE's `zfspool`): VM disks are zvols (/dev/zvol/<pool>/vm-…), container root filesystems are datasets
// with a refquota (subvol-…). Snapshots are ZFS snapshots; templates are base-/basevol- datasets with an
// @__base__ snapshot that linked clones are `zfs clone`s of. Commands and names follow PVE's ZFSPoolPlugin.
import { stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { AppError } from '../../api/errors';
import type { AllocRequest, StorageContext, StoragePlugin, StorageStatus, VolumeInfo } from '../plugin';
import type { ZfsPoolConfig } from '../storage-config';
import { SNAPSHOT_NAME, nextDiskName } from '../volume-name';
import type { VolumeSnapshot } from './lvmthin';
import { commandFailed, runChecked, runTool, streamDeviceIn, streamDeviceOut } from './plan-command';
import { ZFS_LIST_ARGS, ZFS_SNAPSHOT_ARGS, parseZfsList, parseZfsSnapshots, parseZfsSpace } from './zfs-list';
import type { ZfsDataset } from './zfs-list';
import { dataset, refquota, zfs, zfsGet, zfsVolname, zvolSize, ZFS_MS } from './zfs-volumes';
import type { ZfsVolname } from './zfs-volumes';

type Ctx = StorageContext<ZfsPoolConfig>;

const BASE_SNAP = '__base__';
const LONG_MS = 24 * 60 * 60 * 1000;
/** PVE's own user property: a subvol snapshot remembers its refquota, so a rollback restores the size too. */
const QUOTA_PROPERTY = 'pve-storage:refquota';

export interface ZfsPoolPluginOptions {
  /** Where device nodes are (/dev); the plan tests point it at a temp dir to exercise streaming. */
  devDir?: string;
}

export interface ZfsPoolPlugin extends StoragePlugin<ZfsPoolConfig> {
  snapshotList(ctx: Ctx, volname: string): Promise<VolumeSnapshot[]>;
  /** Rename to base-/basevol- and take the @__base__ snapshot linked clones come from; returns the base volname. */
  createBase(ctx: Ctx, volname: string): Promise<string>;
}

const checkSnapName = (ctx: Ctx, volname: string, snap: string): void => {
  if (!SNAPSHOT_NAME.test(snap)) {
    throw new AppError(
      'invalid-params',
      `volume '${volname}' on storage '${ctx.storeid}': '${snap}' is not a snapshot name (a letter, then letters, digits, - or _)`,
    );
  }
};

export const createZfsPoolPlugin = (options: ZfsPoolPluginOptions = {}): ZfsPoolPlugin => {
  const devDir = options.devDir ?? '/dev';
  const zvolPath = (ctx: Ctx, name: string): string => `${devDir}/zvol/${ctx.config.pool}/${name}`;
  const volumePath = (ctx: Ctx, volume: ZfsVolname): string =>
    volume.format === 'subvol'
      ? `${ctx.config.mountpoint ?? `/${ctx.config.pool}`}/${volume.name}`
      : zvolPath(ctx, volume.name);

  const listDatasets = async (ctx: Ctx): Promise<ZfsDataset[]> =>
    parseZfsList((await zfs(ctx, undefined, [...ZFS_LIST_ARGS, ctx.config.pool])).stdout, ctx.config.pool);

  const snapshots = async (ctx: Ctx, volume: ZfsVolname, volname: string) =>
    parseZfsSnapshots(
      (await zfs(ctx, volname, [...ZFS_SNAPSHOT_ARGS, dataset(ctx, volume.name)])).stdout,
      dataset(ctx, volume.name),
    );

  const newName = (ctx: Ctx, taken: ZfsDataset[], vmid: number, format: 'raw' | 'subvol', wanted?: string): string => {
    const prefix = format === 'subvol' ? 'subvol' : 'vm';
    if (wanted === undefined)
      return nextDiskName(
        taken.map((entry) => entry.name),
        prefix,
        vmid,
      );
    const parsed = zfsVolname(ctx, wanted);
    if (parsed.base !== undefined || !wanted.startsWith(`${prefix}-${vmid}-`)) {
      throw new AppError(
        'invalid-params',
        `storage '${ctx.storeid}': volume name '${wanted}' should be '${prefix}-${vmid}-…'`,
      );
    }
    if (taken.some((entry) => entry.name === wanted))
      throw new AppError('already-exists', `volume '${wanted}' already exists on storage '${ctx.storeid}'`);
    return wanted;
  };

  /** A zvol's link appears when udev has run; PVE polls for it, so do we (with a deadline). */
  const waitForZvol = async (ctx: Ctx, volname: string, path: string): Promise<void> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (
        await stat(path).then(
          () => true,
          () => false,
        )
      )
        return;
      if (Date.now() > deadline || ctx.signal.aborted)
        throw new AppError(
          'not-found',
          `volume '${volname}' on storage '${ctx.storeid}': no device ${path} after 10 s`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const alloc = async (ctx: Ctx, request: AllocRequest): Promise<string> => {
    if (request.format !== 'raw' && request.format !== 'subvol') {
      throw new AppError(
        'not-supported',
        `storage '${ctx.storeid}' (zfspool) holds raw zvols and subvols, not ${request.format}`,
      );
    }
    if (!Number.isFinite(request.size) || request.size < 0 || (request.format === 'raw' && request.size === 0)) {
      throw new AppError(
        'invalid-params',
        `storage '${ctx.storeid}': size ${request.size} is not a valid byte count for a ${request.format} volume`,
      );
    }
    const name = newName(ctx, await listDatasets(ctx), request.vmid, request.format, request.name);
    if (request.format === 'raw') {
      const args = ['create'];
      if (ctx.config.sparse) args.push('-s');
      if (ctx.config.blocksize) args.push('-o', `volblocksize=${ctx.config.blocksize}`);
      await zfs(ctx, name, [...args, '-V', zvolSize(request.size), dataset(ctx, name)]);
      await waitForZvol(ctx, name, zvolPath(ctx, name));
    } else {
      await zfs(ctx, name, [
        'create',
        '-o',
        'acltype=posixacl',
        '-o',
        'xattr=sa',
        '-o',
        `refquota=${refquota(request.size)}`,
        dataset(ctx, name),
      ]);
    }
    return name;
  };

  const fullCopy = async (ctx: Ctx, volname: string, volume: ZfsVolname, vmid: number): Promise<string> => {
    if (volume.format === 'subvol') {
      throw new AppError(
        'not-supported',
        `volume '${volname}' on storage '${ctx.storeid}': a full copy of a subvol is not built; make the container a template and clone that`,
      );
    }
    const size = Number(await zfsGet(ctx, volname, 'volsize', dataset(ctx, volume.name)));
    const target = await alloc(ctx, { vmid, format: 'raw', size });
    try {
      await runChecked(
        ctx,
        target,
        'qemu-img',
        ['convert', '-n', '-f', 'raw', '-O', 'raw', zvolPath(ctx, volume.name), zvolPath(ctx, target)],
        { timeoutMs: LONG_MS },
      );
    } catch (error) {
      await runTool(ctx, target, 'zfs', ['destroy', '-r', dataset(ctx, target)], { timeoutMs: ZFS_MS });
      throw error;
    }
    return target;
  };

  const snapshotCreate = async (ctx: Ctx, volname: string, snap: string, internal = false): Promise<void> => {
    const volume = zfsVolname(ctx, volname);
    if (!internal) {
      checkSnapName(ctx, volname, snap);
      // A template's only snapshot is @__base__, which its linked clones hang from (PVE: snapshots of current volumes only).
      if (volume.isBase)
        throw new AppError(
          'not-supported',
          `volume '${volname}' on storage '${ctx.storeid}' is a base volume: no snapshots`,
        );
    }
    const target = `${dataset(ctx, volume.name)}@${snap}`;
    const result = await runTool(ctx, volname, 'zfs', ['snapshot', target], { timeoutMs: ZFS_MS });
    if (result.code !== 0 && /already exists/.test(result.stderr)) {
      throw new AppError(
        'already-exists',
        `volume '${volname}' on storage '${ctx.storeid}' already has a snapshot '${snap}'`,
      );
    }
    if (result.code !== 0) throw commandFailed(ctx, volname, 'zfs', ['snapshot', target], result);
    if (volume.format === 'subvol') {
      const quota = await zfsGet(ctx, volname, 'refquota', dataset(ctx, volume.name));
      await zfs(ctx, volname, ['set', `${QUOTA_PROPERTY}=${quota}`, target]);
    }
  };

  const plugin: ZfsPoolPlugin = {
    type: 'zfspool',

    async activate(ctx) {
      const pool = ctx.config.pool.split('/')[0] ?? ctx.config.pool;
      const imported = async () => {
        const result = await runTool(ctx, undefined, 'zpool', ['list', '-o', 'name', '-H', pool], {
          timeoutMs: 30_000,
        });
        return result.code === 0 && result.stdout.split('\n').some((line) => line.trim() === pool);
      };
      if (!(await imported())) {
        // As PVE: by-id names survive disk reordering; no cachefile so the import does not pin the pool to this boot.
        const result = await runTool(
          ctx,
          undefined,
          'zpool',
          ['import', '-d', '/dev/disk/by-id/', '-o', 'cachefile=none', pool],
          { timeoutMs: ZFS_MS },
        );
        if (!(await imported())) {
          throw new AppError(
            'not-found',
            `storage '${ctx.storeid}': ZFS pool '${pool}' is not imported and could not be (${result.stderr.trim() || `exit ${result.code}`})`,
          );
        }
      }
      await zfs(ctx, undefined, ['mount', '-a']);
    },

    async status(ctx): Promise<StorageStatus> {
      const result = await runTool(
        ctx,
        undefined,
        'zfs',
        ['get', '-o', 'value', '-Hp', 'available,used', ctx.config.pool],
        { timeoutMs: 30_000 },
      );
      if (result.code !== 0) return { total: 0, used: 0, avail: 0, active: false };
      const { avail, used } = parseZfsSpace(result.stdout);
      return { total: avail + used, used, avail, active: true };
    },

    async list(ctx, filter = {}): Promise<VolumeInfo[]> {
      if (filter.content !== undefined && filter.content !== 'images' && filter.content !== 'rootdir') return [];
      const volumes: VolumeInfo[] = [];
      for (const entry of await listDatasets(ctx)) {
        if (filter.vmid !== undefined && filter.vmid !== entry.vmid) continue;
        const content = entry.format === 'subvol' ? 'rootdir' : 'images';
        if (filter.content !== undefined && filter.content !== content) continue;
        const base = entry.origin?.endsWith(`@${BASE_SNAP}`) ? entry.origin.slice(0, -BASE_SNAP.length - 1) : undefined;
        const volname = base === undefined ? entry.name : `${base}/${entry.name}`;
        const volume: VolumeInfo = {
          volid: `${ctx.storeid}:${volname}`,
          content,
          format: entry.format,
          size: entry.size,
          vmid: entry.vmid,
        };
        if (base !== undefined) volume.parent = `${ctx.storeid}:${base}`;
        volumes.push(volume);
      }
      return volumes.sort((a, b) => a.volid.localeCompare(b.volid));
    },

    alloc,

    async free(ctx, volname) {
      const volume = zfsVolname(ctx, volname);
      // -r takes the volume's snapshots with it; never -R: a base with linked clones must fail, not take them along.
      for (let attempt = 1; ; attempt += 1) {
        const result = await runTool(ctx, volname, 'zfs', ['destroy', '-r', dataset(ctx, volume.name)], {
          timeoutMs: ZFS_MS,
        });
        if (result.code === 0) return;
        // A zvol just closed by QEMU can stay busy for a moment (PVE retries 6 times, a second apart).
        if (/dataset is busy/.test(result.stderr) && attempt < 6 && !ctx.signal.aborted) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          continue;
        }
        await zfs(ctx, volname, ['destroy', '-r', dataset(ctx, volume.name)]);
        return;
      }
    },

    async resize(ctx, volname, size) {
      const volume = zfsVolname(ctx, volname);
      const property = volume.format === 'subvol' ? 'refquota' : 'volsize';
      const current = Number(await zfsGet(ctx, volname, property, dataset(ctx, volume.name)));
      if (!Number.isFinite(size) || size <= 0)
        throw new AppError(
          'invalid-params',
          `volume '${volname}' on storage '${ctx.storeid}': size ${size} is not a positive byte count`,
        );
      if (size < current)
        throw new AppError(
          'invalid-params',
          `volume '${volname}' on storage '${ctx.storeid}' is ${current} bytes; shrinking to ${size} is not supported`,
        );
      if (size === current) return;
      const value = volume.format === 'subvol' ? refquota(size) : zvolSize(size);
      await zfs(ctx, volname, ['set', `${property}=${value}`, dataset(ctx, volume.name)]);
    },

    // eslint-disable-next-line @typescript-eslint/require-await -- the interface is async; this one only names the path
    async path(ctx, volname) {
      return volumePath(ctx, zfsVolname(ctx, volname));
    },

    snapshotCreate: (ctx, volname, snap) => snapshotCreate(ctx, volname, snap),

    async snapshotRollback(ctx, volname, snap) {
      const volume = zfsVolname(ctx, volname);
      checkSnapName(ctx, volname, snap);
      const list = await snapshots(ctx, volume, volname);
      const index = list.findIndex((entry) => entry.name === snap);
      if (index < 0)
        throw new AppError('not-found', `volume '${volname}' on storage '${ctx.storeid}' has no snapshot '${snap}'`);
      // zfs rollback without -r refuses past newer snapshots; PVE refuses before asking, and so do we (never -r: it destroys them).
      const newer = list.slice(index + 1).map((entry) => entry.name);
      if (newer.length > 0) {
        throw new AppError(
          'invalid-params',
          `volume '${volname}' on storage '${ctx.storeid}': '${snap}' is not the most recent snapshot (newer: ${newer.join(', ')}); delete those first`,
          { blockers: newer },
        );
      }
      const target = `${dataset(ctx, volume.name)}@${snap}`;
      await zfs(ctx, volname, ['rollback', target]);
      if (volume.format !== 'subvol') return;
      const quota = await zfsGet(ctx, volname, QUOTA_PROPERTY, target);
      if (/^\d+$/.test(quota))
        await zfs(ctx, volname, ['set', `refquota=${quota === '0' ? 'none' : quota}`, dataset(ctx, volume.name)]);
      // Remount so the kernel drops caches of the rolled-back files (openzfs#10931, as PVE).
      const unmounted = await runTool(ctx, volname, 'zfs', ['unmount', dataset(ctx, volume.name)], {
        timeoutMs: ZFS_MS,
      });
      if (unmounted.code !== 0 && !/not currently mounted/.test(unmounted.stderr))
        await zfs(ctx, volname, ['unmount', dataset(ctx, volume.name)]);
      await zfs(ctx, volname, ['mount', dataset(ctx, volume.name)]);
    },

    async snapshotDelete(ctx, volname, snap) {
      const volume = zfsVolname(ctx, volname);
      checkSnapName(ctx, volname, snap);
      await zfs(ctx, volname, ['destroy', `${dataset(ctx, volume.name)}@${snap}`]);
    },

    async snapshotList(ctx, volname) {
      const volume = zfsVolname(ctx, volname);
      return (await snapshots(ctx, volume, volname))
        .filter((entry) => entry.name !== BASE_SNAP)
        .map(({ name, ctime }) => ({ name, ctime }));
    },

    async clone(ctx, volname, vmid, snap) {
      const volume = zfsVolname(ctx, volname);
      if (!volume.isBase) {
        if (snap !== undefined) {
          throw new AppError(
            'not-supported',
            `volume '${volname}' on storage '${ctx.storeid}': ZFS links clones only to templates (a clone would pin snapshot '${snap}' for ever); convert to a template first`,
          );
        }
        return fullCopy(ctx, volname, volume, vmid);
      }
      const name = newName(ctx, await listDatasets(ctx), vmid, volume.format);
      const origin = `${dataset(ctx, volume.name)}@${BASE_SNAP}`;
      const options: string[] = [];
      if (volume.format === 'subvol') {
        const quota = await zfsGet(ctx, volname, 'refquota', dataset(ctx, volume.name));
        options.push('-o', `refquota=${quota === '0' || quota === '' ? 'none' : quota}`);
      }
      await zfs(ctx, name, ['clone', ...options, origin, dataset(ctx, name)]);
      return `${volume.name}/${name}`;
    },

    async createBase(ctx, volname) {
      const volume = zfsVolname(ctx, volname);
      if (volume.isBase)
        throw new AppError(
          'invalid-params',
          `volume '${volname}' on storage '${ctx.storeid}' is already a base volume`,
        );
      const baseName =
        volume.format === 'subvol' ? volume.name.replace(/^subvol-/, 'basevol-') : volume.name.replace(/^vm-/, 'base-');
      await zfs(ctx, volname, ['rename', dataset(ctx, volume.name), dataset(ctx, baseName)]);
      await snapshotCreate(ctx, baseName, BASE_SNAP, true);
      return volume.base === undefined ? baseName : `${volume.base}/${baseName}`;
    },

    async rename(ctx, volname, vmid, wanted) {
      const volume = zfsVolname(ctx, volname);
      if (volume.isBase)
        throw new AppError(
          'not-supported',
          `volume '${volname}' on storage '${ctx.storeid}' is a base volume; its clones name it`,
        );
      const target = newName(ctx, await listDatasets(ctx), vmid, volume.format, wanted);
      await zfs(ctx, volname, ['rename', dataset(ctx, volume.name), dataset(ctx, target)]);
      return volume.base === undefined ? target : `${volume.base}/${target}`;
    },

    async exportStream(ctx, volname, out: Writable) {
      const volume = zfsVolname(ctx, volname);
      if (volume.format === 'subvol')
        throw new AppError(
          'not-supported',
          `volume '${volname}' on storage '${ctx.storeid}' is a subvol: not a raw stream (zfs send is not built)`,
        );
      await waitForZvol(ctx, volname, zvolPath(ctx, volume.name));
      await streamDeviceOut(ctx, volname, zvolPath(ctx, volume.name), out);
    },

    async importStream(ctx, volname, input: Readable) {
      const volume = zfsVolname(ctx, volname);
      if (volume.format === 'subvol')
        throw new AppError(
          'not-supported',
          `volume '${volname}' on storage '${ctx.storeid}' is a subvol: not a raw stream (zfs receive is not built)`,
        );
      await waitForZvol(ctx, volname, zvolPath(ctx, volume.name));
      await streamDeviceIn(ctx, volname, zvolPath(ctx, volume.name), input);
    },
  };
  return plugin;
};

export const zfspoolPlugin = createZfsPoolPlugin();
