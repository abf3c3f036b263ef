// The ct area (PVE's pct): LXC containers on this node. Configs travel as PVE's flat key → value objects (rootfs,
// mpN, netN as property strings), checked key by key on the node; every change names the digest it read. Container
// ids share the VMID space with VMs. Long operations are tasks (vzcreate, vzstart, vzstop… as PVE names them).
import { z } from 'zod';
import { defineMethod } from './method';
import { TaskRef } from './common';
import { GuestStatus, Vmid } from './guest';
import { Consolidation, Timeframe } from './node';
import { SnapshotName } from './storage';
import { StorageId } from '../storage/plugin';
import {
  GuestConfigParams,
  GuestDigest,
  GuestConfigResult,
  GuestSetParams,
  GuestSetResult,
  PendingEntry,
  SnapshotInfo,
  VmConfigValues,
} from './vm';

export const CtStatus = GuestStatus.extend({
  pid: z.number().int().positive().optional(),
  /** Swap in use and allowed, bytes (PVE's swap/maxswap). */
  swap: z.number().min(0),
  maxswap: z.number().min(0),
  /** Pending changes exist (applied at the next start). */
  pending: z.boolean(),
  unprivileged: z.boolean(),
  /** The snapshot the current state descends from. */
  parent: z.string().optional(),
});
export type CtStatus = z.infer<typeof CtStatus>;

const ByCtid = z.object({ vmid: Vmid }).strict();

/** rootfs or mpN: a container's volumes. */
export const CtVolumeKey = z.string().regex(/^(rootfs|mp\d{1,3})$/, 'rootfs or mpN');

/** A path inside the container: absolute, no `..`, no NUL. */
export const CtPath = z
  .string()
  .min(2)
  .max(4096)
  .regex(/^\/[^\0]*$/, 'an absolute path inside the container')
  .refine((path) => !path.split('/').includes('..'), 'a path without ..');

/** One file chunk on the wire: base64, at most 4 MiB decoded, so a message stays well under the line limit. */
const FileChunk = z.string().max(Math.ceil((4 * 1024 * 1024) / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

export const CtMetricsPoint = z.object({
  t: z.number(),
  cpu: z.number(),
  mem: z.number(),
  maxmem: z.number(),
  disk: z.number(),
  maxdisk: z.number(),
  netin: z.number(),
  netout: z.number(),
  diskread: z.number(),
  diskwrite: z.number(),
});

export const ctMethods = {
  'ct.list': defineMethod({
    params: z.object({}).strict(),
    result: z.array(CtStatus),
    privilege: 'read',
    doc: 'The containers on this node with their status and usage.',
  }),
  'ct.status': defineMethod({
    params: ByCtid,
    result: CtStatus,
    privilege: 'read',
    doc: "One container's status: state, init pid, usage.",
  }),
  'ct.config': defineMethod({
    params: GuestConfigParams,
    result: GuestConfigResult,
    privilege: 'read',
    doc: "A container's config as PVE's GET config: pending values applied, the values it runs with when current is set, or a snapshot's.",
  }),
  'ct.pending': defineMethod({
    params: ByCtid,
    result: z.array(PendingEntry),
    privilege: 'read',
    doc: 'Every key with its current value and its pending value or pending delete (applied at the next start).',
  }),
  'ct.set': defineMethod({
    params: GuestSetParams,
    result: GuestSetResult,
    privilege: 'admin',
    doc: "Change a container's config: cores, cpulimit, cpuunits, memory and swap reach a running container's cgroups at once; the rest waits as pending.",
  }),
  'ct.create': defineMethod({
    params: z
      .object({
        vmid: Vmid,
        /** The template: a vztmpl volume, e.g. local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst. */
        ostemplate: z.string().min(3).max(512),
        config: VmConfigValues,
        /** Root's password (hashed on the node) and SSH keys, written into the container, never into its config. */
        password: z.string().min(5).max(256).optional(),
        sshPublicKeys: z.string().max(65_536).optional(),
        start: z.boolean().default(false),
      })
      .strict(),
    result: TaskRef,
    privilege: 'admin',
    task: true,
    doc: 'Create a container from a template: check the config, allocate the root disk (STORAGE:SIZE_GiB), unpack the template, set hostname, network, DNS, password and keys as PVE does for its distribution.',
  }),
  'ct.start': defineMethod({ params: ByCtid, result: TaskRef, privilege: 'operate', task: true, doc: 'Start a container (pending changes are applied first).' }),
  'ct.stop': defineMethod({ params: ByCtid, result: TaskRef, privilege: 'operate', task: true, doc: 'Stop a container at once (its processes are killed).' }),
  'ct.shutdown': defineMethod({
    params: z.object({ vmid: Vmid, timeout: z.number().int().min(1).max(3600).default(60), forceStop: z.boolean().default(true) }).strict(),
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: "Ask the container's init to shut down; after timeout seconds stop it (forceStop) or fail.",
  }),
  'ct.reboot': defineMethod({
    params: z.object({ vmid: Vmid, timeout: z.number().int().min(1).max(3600).default(60) }).strict(),
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Shut the container down and start it again, applying pending changes.',
  }),
  'ct.destroy': defineMethod({
    params: z.object({ vmid: Vmid, purge: z.boolean().default(true) }).strict(),
    result: TaskRef,
    privilege: 'admin',
    task: true,
    doc: 'Destroy a stopped container: its config, its root disk and every mount point volume it owns.',
  }),
  'ct.exec': defineMethod({
    params: z
      .object({ vmid: Vmid, command: z.array(z.string().max(65_536)).min(1).max(1024), timeout: z.number().int().min(1).max(3600).default(60) })
      .strict(),
    result: z.object({ exitCode: z.number().int(), stdout: z.string(), stderr: z.string() }),
    privilege: 'admin',
    doc: 'Run a command in a running container (lxc-attach), as an argument list; its exit code and output.',
  }),
  'ct.snapshots': defineMethod({
    params: ByCtid,
    result: z.object({ snapshots: z.array(SnapshotInfo), current: z.string().optional() }),
    privilege: 'read',
    doc: "A container's snapshots as a tree (parent links) and the one the current state descends from.",
  }),
  'ct.snapshot': defineMethod({
    params: z.object({ vmid: Vmid, snapname: SnapshotName, description: z.string().max(8192).optional() }).strict(),
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: "Snapshot the container's volumes where their storage can (btrfs, zfs, lvm-thin) and copy the config into a [snapname] section.",
  }),
  'ct.rollback': defineMethod({
    params: z.object({ vmid: Vmid, snapname: SnapshotName, start: z.boolean().default(false) }).strict(),
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Return the volumes and config to a snapshot (the container is stopped first).',
  }),
  'ct.delsnapshot': defineMethod({
    params: z.object({ vmid: Vmid, snapname: SnapshotName }).strict(),
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Delete a snapshot from every volume and its config section; children are re-parented.',
  }),
  'ct.import': defineMethod({
    params: z.object({ vmid: Vmid, conf: z.string().min(1).max(1_048_576) }).strict(),
    result: z.object({ digest: GuestDigest }),
    privilege: 'admin',
    doc: "Import a PVE lxc/<ctid>.conf verbatim (snapshots and pending included) once every key and volume checks out.",
  }),
  'ct.template': defineMethod({
    params: ByCtid,
    result: TaskRef,
    privilege: 'admin',
    task: true,
    doc: 'Turn a stopped container into a template: its volumes become read-only base volumes (basevol-<ctid>-disk-N).',
  }),
  'ct.clone': defineMethod({
    params: z
      .object({
        vmid: Vmid,
        newid: Vmid,
        hostname: z.string().max(253).optional(),
        description: z.string().max(8192).optional(),
        /** A full copy (default for a container that is not a template); linked needs a template and a storage that can. */
        full: z.boolean().optional(),
        /** Target storage for a full clone's volumes; default: each volume's own. */
        storage: StorageId.optional(),
        snapname: SnapshotName.optional(),
      })
      .strict(),
    result: TaskRef,
    privilege: 'admin',
    task: true,
    doc: 'Copy a container (full) or, from a template, link to its base volumes (linked); new MAC addresses.',
  }),
  'ct.resize': defineMethod({
    params: z.object({ vmid: Vmid, disk: CtVolumeKey, size: z.string().regex(/^\+?\d+(\.\d+)?[KMGT]?$/, 'a size such as 8G or +2G') }).strict(),
    result: TaskRef,
    privilege: 'admin',
    task: true,
    doc: "Grow rootfs or a mount point to size, or by +size (never shrinks); a running container's file system grows at once.",
  }),
  'ct.metrics': defineMethod({
    params: z.object({ vmid: Vmid, timeframe: Timeframe.default('hour'), cf: Consolidation.default('average') }).strict(),
    result: z.object({ step: z.number(), points: z.array(CtMetricsPoint) }),
    privilege: 'read',
    doc: "A container's usage history from its cgroups (CPU, memory, disk, network, block I/O), consolidated per timeframe as PVE's RRD.",
  }),
  'ct.push': defineMethod({
    params: z
      .object({
        vmid: Vmid,
        path: CtPath,
        /** This chunk's bytes (base64) and where they go; offset 0 starts the file anew. */
        data: FileChunk,
        offset: z.number().int().min(0),
        /** The last chunk: the file is moved into place with its mode and owner. */
        done: z.boolean().default(true),
        perms: z.string().regex(/^[0-7]{3,4}$/, 'an octal mode such as 0644').optional(),
        user: z.number().int().min(0).max(65_535).optional(),
        group: z.number().int().min(0).max(65_535).optional(),
      })
      .strict(),
    result: z.object({ size: z.number().int() }),
    privilege: 'admin',
    doc: 'Copy a file into a running container (pct push), in chunks; it appears at path only once the last one arrives.',
  }),
  'ct.pull': defineMethod({
    params: z.object({ vmid: Vmid, path: CtPath, offset: z.number().int().min(0).default(0), length: z.number().int().min(1).max(4 * 1024 * 1024).default(4 * 1024 * 1024) }).strict(),
    result: z.object({ data: z.string(), size: z.number().int(), eof: z.boolean() }),
    privilege: 'admin',
    doc: 'Read a file from a running container (pct pull), a chunk at a time: its bytes (base64), the file size, and whether this chunk ends it.',
  }),
};
