// The storage area (PVE's storage model): storage.cfg definitions with digests, status per storage on this node,
// volumes (content) and their lifecycle, downloads into a storage and resumable uploads (staged, then committed).
import { z } from 'zod';
import { defineMethod } from './method';
import { Empty, TaskRef } from './common';
import { Consolidation, Timeframe } from './node';
import { ContentType, StorageId, StorageStatus, StorageType, VolumeFormat, VolumeInfo, Vmid } from '../storage/plugin';

/** sha1 hex of storage.cfg as read; changes pass it back (PVE's digest). */
export const ConfigDigest = z.string().regex(/^[0-9a-f]{40}$/, 'a storage.cfg digest (40 hex digits)');

/** storage:volname, e.g. `local:iso/debian-12.iso`, `local-lvm:vm-100-disk-0`. */
export const Volid = z.string().min(3).max(512).regex(/^[a-z][a-z0-9\-_.]*[a-z0-9]:[^\0]+$/i, 'a volume id: storage:volname');

export const SnapshotName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]{1,39}$/, "a snapshot name: a letter, then 1..39 letters, digits, '-' or '_'");

/** A file name in a storage's iso or vztmpl folder: no path parts. */
export const ContentFileName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/, 'a file name without path parts (letters, digits, _ . + -)');

export const Sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'a sha256 (64 hex digits)');
/**
 * Names an upload before its sha256 is known (the app hashes while it sends): the sha256 of the local file's
 * size, modification time and first and last MiB. A resume finds its staged bytes by it; the commit's sha256
 * check catches a file that changed anyway.
 */
export const UploadFingerprint = Sha256;

/** What a storage type can do (capabilities.ts). */
export const StorageCapabilities = z.object({
  content: z.array(ContentType),
  formats: z.array(VolumeFormat),
  defaultFormat: VolumeFormat,
  snapshots: z.union([z.boolean(), z.literal('qcow2')]),
  clones: z.union([z.boolean(), z.literal('qcow2')]),
  shared: z.enum(['no', 'yes', 'configurable']),
  layout: z.enum(['file', 'block']),
});

export const StorageEntry = z.object({
  id: StorageId,
  type: StorageType,
  content: z.array(ContentType),
  /** Every property as in storage.cfg (path, vgname, pool, nodes, disable…). */
  config: z.record(z.string(), z.unknown()),
  /** Usable on this node: not disabled, and this node is in `nodes` (or `nodes` is unset). */
  enabled: z.boolean(),
  shared: z.boolean(),
  capabilities: StorageCapabilities,
});
export type StorageEntry = z.infer<typeof StorageEntry>;

export const StorageStatusEntry = StorageStatus.extend({
  storage: StorageId,
  type: StorageType,
  enabled: z.boolean(),
  content: z.array(ContentType),
  /** Why the storage is not active, when its status could not be read. */
  error: z.string().optional(),
});
export type StorageStatusEntry = z.infer<typeof StorageStatusEntry>;

/** One storage usage sample (or the consolidation of several), bytes. */
export const StoragePoint = z.object({
  /** Start of the sample's slot, ms since the epoch. */
  t: z.number(),
  total: z.number(),
  used: z.number(),
  avail: z.number(),
});
export type StoragePoint = z.infer<typeof StoragePoint>;

/** The `storage.status` event: every storage enabled on the node, sampled with the node's metrics. */
export const StorageStatusEvent = z.object({ storages: z.array(StorageStatusEntry) });
export type StorageStatusEvent = z.infer<typeof StorageStatusEvent>;

/** A storage definition to add: type, id and the type's properties (checked against the type when added). */
export const StorageDefinition = z.looseObject({ type: StorageType, id: StorageId });

const Bytes = z.number().int().positive().max(2 ** 53 - 1);
const Digested = z.object({ digest: ConfigDigest });

export const storageMethods = {
  'storage.list': defineMethod({
    params: Empty,
    result: z.object({ digest: ConfigDigest, storages: z.array(StorageEntry) }),
    privilege: 'read',
    doc: "The storages in storage.cfg with the file's digest, each with its capabilities and whether it is enabled on this node.",
  }),
  'storage.status': defineMethod({
    params: z.object({ storage: StorageId.optional() }).strict(),
    result: z.array(StorageStatusEntry),
    privilege: 'read',
    doc: 'Total, used and available bytes and whether it is active, per storage (or one) on this node.',
  }),
  'storage.metrics': defineMethod({
    params: z
      .object({ storage: StorageId, timeframe: Timeframe.default('hour'), cf: Consolidation.default('average') })
      .strict(),
    result: z.object({ step: z.number().int().positive(), points: z.array(StoragePoint) }),
    privilege: 'read',
    doc: "A storage's usage history on this node (total, used, avail): 10 s steps for the last hour and day, coarser beyond; inactive samples are gaps.",
  }),
  'storage.add': defineMethod({
    params: z.object({ config: StorageDefinition, digest: ConfigDigest.optional() }).strict(),
    result: Digested,
    privilege: 'admin',
    doc: "Add a storage to storage.cfg (validated against its type); with digest, only if the file has not changed.",
  }),
  'storage.set': defineMethod({
    params: z
      .object({
        id: StorageId,
        properties: z.record(z.string(), z.unknown()).default({}),
        delete: z.array(z.string().min(1)).default([]),
        digest: ConfigDigest,
      })
      .strict(),
    result: Digested,
    privilege: 'admin',
    doc: "Change a storage's properties and delete some; fails with conflict when storage.cfg changed since digest.",
  }),
  'storage.remove': defineMethod({
    params: z.object({ id: StorageId, digest: ConfigDigest }).strict(),
    result: Digested,
    privilege: 'admin',
    doc: 'Remove a storage from storage.cfg; its volumes stay on disk (guest references are not checked yet).',
  }),
  'storage.content.list': defineMethod({
    params: z.object({ storage: StorageId, content: ContentType.optional(), vmid: Vmid.optional() }).strict(),
    result: z.array(VolumeInfo),
    privilege: 'read',
    doc: "The volumes on a storage, optionally only one content type or one guest's.",
  }),
  'storage.content.delete': defineMethod({
    params: z.object({ volid: Volid, vmid: Vmid.optional() }).strict(),
    result: Empty,
    privilege: 'admin',
    doc: 'Delete a volume from a storage; one that belongs to an existing guest is refused (remove it through the guest). With vmid, it must name the owner.',
  }),
  'storage.volume.alloc': defineMethod({
    params: z
      .object({ storage: StorageId, vmid: Vmid, format: VolumeFormat.optional(), size: Bytes, name: z.string().min(1).max(255).optional() })
      .strict(),
    result: z.object({ volid: Volid }),
    privilege: 'operate',
    doc: 'Allocate a disk volume of size bytes for a guest, under the storage lock (the next free vm-<vmid>-disk-<n>).',
  }),
  'storage.volume.free': defineMethod({
    params: z.object({ volid: Volid, vmid: Vmid }).strict(),
    result: Empty,
    privilege: 'admin',
    doc: 'Free (delete) a guest volume; vmid must be its owner.',
  }),
  'storage.volume.resize': defineMethod({
    params: z.object({ volid: Volid, vmid: Vmid.optional(), size: Bytes }).strict(),
    result: Empty,
    privilege: 'operate',
    doc: 'Grow a volume to size bytes (never shrinks); a volume named for a guest needs that vmid.',
  }),
  'storage.volume.snapshot': defineMethod({
    params: z
      .object({ volid: Volid, vmid: Vmid.optional(), snap: SnapshotName, action: z.enum(['create', 'rollback', 'delete']) })
      .strict(),
    result: Empty,
    privilege: 'operate',
    doc: 'Create, roll back to or delete a snapshot of a volume where the storage can; a guest volume needs that vmid.',
  }),
  'storage.volume.clone': defineMethod({
    params: z.object({ volid: Volid, vmid: Vmid, snap: SnapshotName.optional() }).strict(),
    result: z.object({ volid: Volid }),
    privilege: 'operate',
    doc: 'Clone a volume for guest vmid: linked from a base volume or snapshot where the storage can, full otherwise.',
  }),
  'storage.content.download': defineMethod({
    params: z
      .object({
        storage: StorageId,
        content: z.enum(['iso', 'vztmpl']),
        url: z.string().min(1).max(4096),
        filename: ContentFileName,
        checksum: z.object({ algorithm: z.literal('sha256'), value: Sha256 }).strict().optional(),
      })
      .strict(),
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Download an ISO image or container template from an http(s) URL into a storage, checked against a sha256 when given.',
  }),
  'storage.upload.target': defineMethod({
    params: z
      .object({ storage: StorageId, content: z.enum(['iso', 'vztmpl']), filename: ContentFileName, size: Bytes, fingerprint: UploadFingerprint })
      .strict(),
    result: z.object({ path: z.string(), offset: z.number().int().nonnegative() }),
    privilege: 'operate',
    doc: 'Where to upload a file over SFTP (a staging path inside the storage, named for the fingerprint) and how many bytes are already there.',
  }),
  'storage.upload.commit': defineMethod({
    params: z
      .object({ storage: StorageId, content: z.enum(['iso', 'vztmpl']), filename: ContentFileName, fingerprint: UploadFingerprint, sha256: Sha256 })
      .strict(),
    result: z.object({ volid: Volid }),
    privilege: 'operate',
    doc: "Check a staged upload's sha256, then move it into the storage's iso or vztmpl folder.",
  }),
};
