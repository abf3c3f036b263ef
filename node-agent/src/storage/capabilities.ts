// What each storage type can hold and do, as data (PVE's storage table, pve.md §1.3 and pve-storage's plugindata),
// so the UI can grey out what a storage cannot do and the service can refuse it before any command runs.
import type { ContentType, StorageType, VolumeFormat } from './plugin';

export interface Capabilities {
  content: ContentType[];
  formats: VolumeFormat[];
  defaultFormat: VolumeFormat;
  /** true, false, or only for qcow2 images (internal snapshots). */
  snapshots: boolean | 'qcow2';
  /** Linked clones: true, false (full copies only), or only from qcow2 base images. */
  clones: boolean | 'qcow2';
  /** 'configurable': local by default, the admin may mark it shared (the same storage on every node). */
  shared: 'no' | 'yes' | 'configurable';
  /** How volnames look: 'file' = `100/vm-100-disk-0.qcow2`, `iso/x.iso`; 'block' = `vm-100-disk-0`. */
  layout: 'file' | 'block';
}

const ALL_CONTENT: ContentType[] = ['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'];

export const capabilities: Record<StorageType, Capabilities> = {
  dir: {
    content: [...ALL_CONTENT],
    formats: ['raw', 'qcow2', 'vmdk', 'subvol'],
    defaultFormat: 'raw',
    snapshots: 'qcow2',
    clones: 'qcow2',
    shared: 'configurable',
    layout: 'file',
  },
  btrfs: {
    content: [...ALL_CONTENT],
    formats: ['raw', 'subvol'],
    defaultFormat: 'raw',
    snapshots: true,
    clones: true,
    shared: 'no',
    layout: 'file',
  },
  // Thick LVM: qcow2 on LVM only with PVE 9's snapshot-as-volume-chain (a tech preview we do not build).
  lvm: {
    content: ['images', 'rootdir'],
    formats: ['raw'],
    defaultFormat: 'raw',
    snapshots: false,
    clones: false,
    shared: 'configurable',
    layout: 'block',
  },
  lvmthin: {
    content: ['images', 'rootdir'],
    formats: ['raw'],
    defaultFormat: 'raw',
    snapshots: true,
    clones: true,
    shared: 'no',
    layout: 'block',
  },
  // PVE calls zfspool's level "both" (zvols are block devices, subvols file systems); its volnames are block-style.
  zfspool: {
    content: ['images', 'rootdir'],
    formats: ['raw', 'subvol'],
    defaultFormat: 'raw',
    snapshots: true,
    clones: true,
    shared: 'no',
    layout: 'block',
  },
};

/** The content a storage holds when storage.cfg gives no `content` (pve-storage plugindata's second list). */
export const defaultContent: Record<StorageType, ContentType[]> = {
  dir: ['images', 'rootdir'],
  btrfs: ['images', 'rootdir'],
  lvm: ['images'],
  lvmthin: ['images', 'rootdir'],
  zfspool: ['images', 'rootdir'],
};

/** Types a dir or btrfs storage may also hold with `content none` (no content at all). */
export const allowsNoContent: Record<StorageType, boolean> = {
  dir: true,
  btrfs: true,
  lvm: false,
  lvmthin: false,
  zfspool: false,
};

export interface PlannedType {
  type: string;
  level: 'file' | 'block' | 'both' | 'none';
  shared: boolean;
  content: string[];
}

/**
 * Storage types of PVE's table we do not build yet (network and appliance storages). storage.cfg sections of
 * these types are read and kept untouched; the UI can list them as "not supported yet".
 */
export const plannedTypes: readonly PlannedType[] = [
  { type: 'nfs', level: 'file', shared: true, content: [...ALL_CONTENT] },
  { type: 'cifs', level: 'file', shared: true, content: [...ALL_CONTENT] },
  { type: 'cephfs', level: 'file', shared: true, content: ['vztmpl', 'iso', 'backup', 'snippets'] },
  { type: 'glusterfs', level: 'file', shared: true, content: ['images', 'vztmpl', 'iso', 'backup', 'snippets'] },
  { type: 'rbd', level: 'block', shared: true, content: ['images', 'rootdir'] },
  { type: 'iscsi', level: 'block', shared: true, content: ['images'] },
  { type: 'iscsidirect', level: 'block', shared: true, content: ['images'] },
  { type: 'zfs', level: 'block', shared: true, content: ['images'] },
  { type: 'pbs', level: 'both', shared: true, content: ['backup'] },
  { type: 'esxi', level: 'none', shared: false, content: ['import'] },
];
