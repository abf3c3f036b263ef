// Dev only: storage.cfg per cluster, storage status and content per node, downloads as tasks and uploads with
// progress events, for the fake window.hyperdesk. Deterministic, so screenshots compare.
import type { StorageEntry, StorageStatusEntry, Timeframe } from '../../../node-agent/src/api';
import type { ContentType, StorageType, VolumeInfo } from '../../../node-agent/src/storage/plugin';
import type { NodeEntry } from '../../../main/core/inventory-schema';

const GiB = 1024 ** 3;
const ALL: ContentType[] = ['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'];
const caps = (type: StorageType): StorageEntry['capabilities'] => {
  const block = type === 'lvm' || type === 'lvmthin' || type === 'zfspool';
  return {
    content: block ? ['images', 'rootdir'] : ALL,
    formats:
      type === 'dir'
        ? ['raw', 'qcow2', 'vmdk', 'subvol']
        : type === 'lvm' || type === 'lvmthin'
          ? ['raw']
          : ['raw', 'subvol'],
    defaultFormat: 'raw',
    snapshots: type === 'dir' ? 'qcow2' : true,
    clones: type === 'dir' ? 'qcow2' : type !== 'lvm',
    shared: type === 'dir' || type === 'lvm' ? 'configurable' : 'no',
    layout: block ? 'block' : 'file',
  };
};

export class FakeStorageError extends Error {
  constructor(
    readonly code: 'not-found' | 'conflict' | 'access-denied' | 'already-exists' | 'invalid-params',
    message: string,
  ) {
    super(message);
  }
}

interface Cfg {
  serial: number;
  entries: Map<string, { type: StorageType; config: Record<string, unknown> }>;
}

const digestOf = (cfg: Cfg) => cfg.serial.toString(16).padStart(40, '0');

export function createFakeStorage() {
  const cfgs = new Map<string, Cfg>();
  const volumes = new Map<string, VolumeInfo[]>(); // `${nodeKey}/${storage}`
  const cfgOf = (cluster: string): Cfg => {
    let cfg = cfgs.get(cluster);
    if (cfg === undefined) {
      cfg = { serial: 1, entries: new Map() };
      cfg.entries.set('local', {
        type: 'dir',
        config: { path: '/var/lib/vz', content: ['iso', 'vztmpl', 'backup', 'snippets'] },
      });
      cfg.entries.set('local-lvm', {
        type: 'lvmthin',
        config: { vgname: 'pve', thinpool: 'data', content: ['images', 'rootdir'] },
      });
      cfg.entries.set('big-btrfs', {
        type: 'btrfs',
        config: { path: '/mnt/big', content: ['images', 'rootdir', 'backup', 'iso'] },
      });
      cfg.entries.set('tank', {
        type: 'zfspool',
        config: { pool: 'tank/vm', content: ['images', 'rootdir'], sparse: true, nodes: ['n1', 'pve1'] },
      });
      cfg.entries.set('old-nas', {
        type: 'dir',
        config: { path: '/mnt/nas', content: ['backup'], shared: true, disable: true },
      });
      cfgs.set(cluster, cfg);
    }
    return cfg;
  };
  const enabledOn = (node: NodeEntry, config: Record<string, unknown>) =>
    config.disable !== true && (!Array.isArray(config.nodes) || config.nodes.includes(node.name));
  const seedVolumes = (node: NodeEntry, storage: string): VolumeInfo[] => {
    const key = `${node.key}/${storage}`;
    let list = volumes.get(key);
    if (list !== undefined) return list;
    const ctime = 1_764_000_000;
    list = [];
    if (storage === 'local') {
      list.push(
        {
          volid: 'local:iso/debian-12.8.0-amd64-netinst.iso',
          content: 'iso',
          format: 'iso',
          size: 631 * 1024 ** 2,
          ctime,
        },
        {
          volid: 'local:iso/ubuntu-24.04.1-live-server-amd64.iso',
          content: 'iso',
          format: 'iso',
          size: 2.6 * GiB,
          ctime: ctime + 3600,
        },
        {
          volid: 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst',
          content: 'vztmpl',
          format: 'tzst',
          size: 120 * 1024 ** 2,
          ctime,
        },
        {
          volid: 'local:backup/vzdump-qemu-100-2025_11_20-01_00_00.vma.zst',
          content: 'backup',
          format: 'vma.zst',
          size: 3.1 * GiB,
          vmid: 100,
          ctime,
          notes: 'web1 nightly',
        },
        { volid: 'local:snippets/cloud-init-user.yaml', content: 'snippets', format: 'snippet', size: 1432, ctime },
      );
    } else if (storage === 'local-lvm' || storage === 'tank') {
      for (const vmid of [100, 101, 102])
        list.push({ volid: `${storage}:vm-${vmid}-disk-0`, content: 'images', format: 'raw', size: 32 * GiB, vmid });
      list.push({
        volid: `${storage}:subvol-110-disk-0`,
        content: 'rootdir',
        format: 'subvol',
        size: 8 * GiB,
        vmid: 110,
      });
    } else if (storage === 'big-btrfs') {
      list.push({
        volid: 'big-btrfs:images/9000/base-9000-disk-0.raw',
        content: 'images',
        format: 'raw',
        size: 10 * GiB,
        vmid: 9000,
      });
    }
    volumes.set(key, list);
    return list;
  };
  const sizeOf = (storage: string) =>
    ({ local: 94, 'local-lvm': 420, 'big-btrfs': 3700, tank: 1800, 'old-nas': 8000 })[storage] ?? 100;

  const status = (node: NodeEntry): StorageStatusEntry[] =>
    [...cfgOf(node.cluster).entries].map(([storage, { type, config }]) => {
      const enabled = enabledOn(node, config);
      const total = sizeOf(storage) * GiB;
      const used = seedVolumes(node, storage).reduce((sum, v) => sum + v.size, storage === 'local' ? 9 * GiB : 0);
      const active = enabled && storage !== 'tank';
      return {
        storage,
        type,
        enabled,
        content: config.content as ContentType[],
        active,
        total: active ? total : 0,
        used: active ? Math.min(total, used) : 0,
        avail: active ? Math.max(0, total - used) : 0,
      };
    });

  const list = (node: NodeEntry): { digest: string; storages: StorageEntry[] } => {
    const cfg = cfgOf(node.cluster);
    return {
      digest: digestOf(cfg),
      storages: [...cfg.entries].map(([id, { type, config }]) => ({
        id,
        type,
        content: config.content as ContentType[],
        config,
        enabled: enabledOn(node, config),
        shared: config.shared === true,
        capabilities: caps(type),
      })),
    };
  };

  const checkDigest = (cfg: Cfg, digest: unknown) => {
    if (digest !== undefined && digest !== digestOf(cfg))
      throw new FakeStorageError('conflict', 'storage.cfg was changed by someone else since it was read');
  };

  return {
    status,
    list,
    add(node: NodeEntry, params: { config: Record<string, unknown>; digest?: string }) {
      const cfg = cfgOf(node.cluster);
      checkDigest(cfg, params.digest);
      const { type, id, ...config } = params.config as { type: StorageType; id: string };
      if (cfg.entries.has(id)) throw new FakeStorageError('already-exists', `storage ${id} already exists`);
      cfg.entries.set(id, { type, config });
      cfg.serial++;
      return { digest: digestOf(cfg) };
    },
    set(
      node: NodeEntry,
      params: { id: string; properties?: Record<string, unknown>; delete?: string[]; digest: string },
    ) {
      const cfg = cfgOf(node.cluster);
      checkDigest(cfg, params.digest);
      const entry = cfg.entries.get(params.id);
      if (!entry) throw new FakeStorageError('not-found', `storage ${params.id} does not exist`);
      entry.config = { ...entry.config, ...params.properties };
      for (const key of params.delete ?? []) delete entry.config[key];
      cfg.serial++;
      return { digest: digestOf(cfg) };
    },
    remove(node: NodeEntry, params: { id: string; digest: string }) {
      const cfg = cfgOf(node.cluster);
      checkDigest(cfg, params.digest);
      if (!cfg.entries.delete(params.id))
        throw new FakeStorageError('not-found', `storage ${params.id} does not exist`);
      cfg.serial++;
      return { digest: digestOf(cfg) };
    },
    content(node: NodeEntry, storage: string): VolumeInfo[] {
      if (!cfgOf(node.cluster).entries.has(storage))
        throw new FakeStorageError('not-found', `storage ${storage} does not exist`);
      return seedVolumes(node, storage);
    },
    remove_volume(node: NodeEntry, volid: string) {
      const storage = volid.slice(0, volid.indexOf(':'));
      const list = seedVolumes(node, storage);
      const volume = list.find((v) => v.volid === volid);
      if (!volume) throw new FakeStorageError('not-found', `volume ${volid} does not exist`);
      if (volume.vmid !== undefined && volume.content !== 'backup')
        throw new FakeStorageError(
          'access-denied',
          `volume ${volid} belongs to guest ${volume.vmid}: delete it from the guest`,
        );
      list.splice(list.indexOf(volume), 1);
    },
    addVolume(node: NodeEntry, storage: string, volume: VolumeInfo) {
      seedVolumes(node, storage).push(volume);
    },
    metrics(node: NodeEntry, storage: string, timeframe: Timeframe, endMs: number) {
      const entry = status(node).find((s) => s.storage === storage);
      const step = { hour: 10, day: 60, week: 600, month: 3600 }[timeframe];
      const count = { hour: 360, day: 1440, week: 1008, month: 720 }[timeframe];
      const total = entry?.total ?? 0;
      const used = entry?.used ?? 0;
      const end = Math.floor(endMs / 1000 / step) * step;
      return {
        step,
        points: Array.from({ length: count }, (_, i) => {
          const back = count - 1 - i;
          // Grows toward today's figure, with a backup-shaped bump each night.
          const value = Math.max(
            0,
            used * (1 - back / count / 4) + (((end - back * step) / 3600) % 24 < 2 ? used * 0.04 : 0),
          );
          return {
            t: (end - back * step) * 1000,
            total,
            used: Math.min(total, value),
            avail: Math.max(0, total - value),
          };
        }),
      };
    },
  };
}
export type FakeStorage = ReturnType<typeof createFakeStorage>;
