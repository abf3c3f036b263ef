// The vm area (PVE's qm): virtual machines on this node. Configs travel as PVE's flat key → value objects
// (property strings as strings, e.g. `scsi0: "local:100/vm-100-disk-0.qcow2,size=4G,discard=on"`), checked key
// by key by the config schema on the node; every change names the digest it read. Long operations are tasks.
import { z } from 'zod';
import { defineMethod } from './method';
import { Empty, TaskRef } from './common';
import { GuestStatus, Vmid } from './guest';
import { Consolidation, Timeframe } from './node';
import { SnapshotName } from './storage';
import { StorageId } from '../storage/plugin';

/** sha1 hex of the guest's config file as read (PVE's digest). */
export const GuestDigest = z.string().regex(/^[0-9a-f]{40}$/, 'a config digest (40 hex digits)');

/** A config key: PVE's names, e.g. `cores`, `scsi0`, `net1`, `ipconfig0`. */
export const VmConfigKey = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a config key (lowercase letters, digits, _ or -)');

/** One value as PVE's API carries it: numbers and flags as numbers, everything else (property strings) as text. */
export const VmConfigValue = z.union([z.string().max(8192), z.number()]);

/** A config (or the changes to one): key → value. Which keys exist and what each holds is the node's schema. */
export const VmConfigValues = z.record(VmConfigKey, VmConfigValue);
export type VmConfigValues = z.infer<typeof VmConfigValues>;

/** How QEMU runs a VM here: KVM when /dev/kvm is usable, TCG (emulation, slower) otherwise. */
export const Accelerator = z.enum(['kvm', 'tcg']);

export const VmStatus = GuestStatus.extend({
  /** QEMU's own run state (QMP query-status), when the process runs: running, paused, prelaunch… */
  qmpstatus: z.string().optional(),
  accel: Accelerator.optional(),
  pid: z.number().int().positive().optional(),
  /** Pending changes exist (applied at the next start). */
  pending: z.boolean(),
  /** The snapshot the current state descends from. */
  parent: z.string().optional(),
});
export type VmStatus = z.infer<typeof VmStatus>;

/** One key of the pending view, as PVE's GET …/pending: the value now, the value pending, or a pending delete. */
export const PendingEntry = z.object({
  key: VmConfigKey,
  value: VmConfigValue.optional(),
  pending: VmConfigValue.optional(),
  delete: z.boolean().optional(),
});

export const SnapshotInfo = z.object({
  name: z.string(),
  parent: z.string().optional(),
  description: z.string().optional(),
  /** Seconds since the epoch. */
  snaptime: z.number().optional(),
  /** Saved with RAM state. */
  vmstate: z.boolean(),
});
export type SnapshotInfo = z.infer<typeof SnapshotInfo>;

/** config of a VM or container (vm.config, ct.config): PVE's GET config. */
export const GuestConfigParams = z
  .object({ vmid: Vmid, snapshot: SnapshotName.optional(), current: z.boolean().default(false) })
  .strict();
export const GuestConfigResult = z.object({ digest: GuestDigest, config: VmConfigValues, description: z.string().optional() });
export type GuestConfigResult = z.infer<typeof GuestConfigResult>;

/** set of a VM or container (vm.set, ct.set): values to write, keys to delete or revert, the digest read before. */
export const GuestSetParams = z
  .object({
    vmid: Vmid,
    config: VmConfigValues.default({}),
    delete: z.array(VmConfigKey).max(512).default([]),
    revert: z.array(VmConfigKey).max(512).default([]),
    digest: GuestDigest,
  })
  .strict();
export const GuestSetResult = z.object({ digest: GuestDigest, pending: z.array(VmConfigKey) });

/** QEMU's key names as sendkey takes them, joined with '-': ctrl-alt-delete, ctrl-alt-f2… */
export const KeyCombo = z.string().regex(/^[a-z0-9_]+(-[a-z0-9_]+){0,4}$/, 'a key combination such as ctrl-alt-delete');

const ByVmid = z.object({ vmid: Vmid }).strict();

export const vmMethods = {
  'vm.list': defineMethod({
    params: Empty,
    result: z.array(VmStatus),
    privilege: 'read',
    doc: 'The VMs on this node with their status (running, stopped, paused…), resources and usage.',
  }),
  'vm.nextid': defineMethod({
    params: Empty,
    result: z.object({ vmid: Vmid }),
    privilege: 'read',
    doc: 'The lowest free VMID from 100 (unique across every node and guest type).',
  }),
  'vm.status': defineMethod({
    params: ByVmid,
    result: VmStatus,
    privilege: 'read',
    doc: "One VM's status: state, QEMU's run state, accelerator (kvm or tcg), pid and usage.",
  }),
  'vm.config': defineMethod({
    params: GuestConfigParams,
    result: GuestConfigResult,
    privilege: 'read',
    doc: "A VM's config as PVE's GET config: with pending values applied (as the next start runs it), the values it runs with now when current is set, or a snapshot's.",
  }),
  'vm.pending': defineMethod({
    params: ByVmid,
    result: z.array(PendingEntry),
    privilege: 'read',
    doc: 'Every key with its current value and its pending value or pending delete (applied at the next start).',
  }),
  'vm.set': defineMethod({
    params: GuestSetParams,
    result: GuestSetResult,
    privilege: 'admin',
    doc: "Change a VM's config: applied now when stopped or hot-pluggable, pending otherwise. New disks as STORAGE:SIZE_GiB. Conflict when the digest is stale.",
  }),
  'vm.create': defineMethod({
    params: z.object({ vmid: Vmid, config: VmConfigValues, start: z.boolean().default(false) }).strict(),
    result: TaskRef,
    privilege: 'admin',
    task: true,
    doc: 'Create a VM: check the whole config, allocate new disks (STORAGE:SIZE_GiB), write the config; then start it if asked.',
  }),
  'vm.import': defineMethod({
    params: z.object({ vmid: Vmid, conf: z.string().min(1).max(1_048_576) }).strict(),
    result: z.object({ digest: GuestDigest }),
    privilege: 'admin',
    doc: "Import a PVE qemu-server/<vmid>.conf verbatim (snapshots and pending included) once every key and volume checks out.",
  }),
  'vm.start': defineMethod({
    params: z.object({ vmid: Vmid, timeout: z.number().int().min(1).max(3600).optional() }).strict(),
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Start a VM (pending changes are applied first).',
  }),
  'vm.stop': defineMethod({
    params: ByVmid,
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Stop a VM at once, as pulling its plug.',
  }),
  'vm.shutdown': defineMethod({
    params: z.object({ vmid: Vmid, timeout: z.number().int().min(1).max(3600).default(180), forceStop: z.boolean().default(true) }).strict(),
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Ask the guest to power off (ACPI); after timeout seconds stop it (forceStop) or fail.',
  }),
  'vm.reboot': defineMethod({
    params: z.object({ vmid: Vmid, timeout: z.number().int().min(1).max(3600).default(180) }).strict(),
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Shut the guest down and start it again, applying pending changes.',
  }),
  'vm.reset': defineMethod({
    params: ByVmid,
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Reset the VM as its reset button would.',
  }),
  'vm.suspend': defineMethod({
    params: ByVmid,
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Pause the VM (its vCPUs stop; memory stays).',
  }),
  'vm.resume': defineMethod({
    params: ByVmid,
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Resume a paused VM.',
  }),
  'vm.destroy': defineMethod({
    params: z.object({ vmid: Vmid, purge: z.boolean().default(true) }).strict(),
    result: TaskRef,
    privilege: 'admin',
    task: true,
    doc: 'Destroy a stopped VM: its config and every volume it owns (disks, unused disks, cloud-init drive, RAM states).',
  }),
  'vm.sendkey': defineMethod({
    params: z.object({ vmid: Vmid, key: KeyCombo }).strict(),
    result: Empty,
    privilege: 'operate',
    doc: 'Press a key combination in the VM (QMP send-key), e.g. ctrl-alt-delete.',
  }),
  'vm.snapshots': defineMethod({
    params: ByVmid,
    result: z.object({ snapshots: z.array(SnapshotInfo), current: z.string().optional() }),
    privilege: 'read',
    doc: "A VM's snapshots as a tree (parent links) and the one the current state descends from.",
  }),
  'vm.snapshot': defineMethod({
    params: z
      .object({ vmid: Vmid, snapname: SnapshotName, vmstate: z.boolean().default(false), description: z.string().max(8192).optional() })
      .strict(),
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Snapshot every disk (and the RAM with vmstate, into vm-<vmid>-state-<snap>) and copy the config into a [snapname] section.',
  }),
  'vm.rollback': defineMethod({
    params: z.object({ vmid: Vmid, snapname: SnapshotName, start: z.boolean().default(false) }).strict(),
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Return disks, config (and RAM, when saved) to a snapshot; a RAM snapshot resumes running.',
  }),
  'vm.delsnapshot': defineMethod({
    params: z.object({ vmid: Vmid, snapname: SnapshotName }).strict(),
    result: TaskRef,
    privilege: 'operate',
    task: true,
    doc: 'Delete a snapshot from every disk, its RAM state and its config section; children are re-parented.',
  }),
  'vm.template': defineMethod({
    params: ByVmid,
    result: TaskRef,
    privilege: 'admin',
    task: true,
    doc: 'Turn a stopped VM into a template: its disks become read-only base volumes (base-<vmid>-disk-N).',
  }),
  'vm.clone': defineMethod({
    params: z
      .object({
        vmid: Vmid,
        newid: Vmid,
        name: z.string().max(128).optional(),
        full: z.boolean().optional(),
        storage: StorageId.optional(),
        format: z.enum(['raw', 'qcow2', 'vmdk']).optional(),
        snapname: SnapshotName.optional(),
      })
      .strict(),
    result: TaskRef,
    privilege: 'admin',
    task: true,
    doc: 'Clone a VM: linked (copy-on-write) from a template where its storage can, full (to any storage) otherwise; new MACs and smbios uuid.',
  }),
  'vm.resize': defineMethod({
    params: z
      .object({ vmid: Vmid, disk: VmConfigKey, size: z.string().regex(/^\+?\d+(\.\d+)?[KMGT]?$/, 'a size such as 32G or +4G') })
      .strict(),
    result: TaskRef,
    privilege: 'admin',
    task: true,
    doc: 'Grow a disk to size, or by +size (never shrinks); a running VM sees the new size at once.',
  }),
  'vm.move': defineMethod({
    params: z
      .object({
        vmid: Vmid,
        disk: VmConfigKey,
        storage: StorageId,
        format: z.enum(['raw', 'qcow2', 'vmdk']).optional(),
        delete: z.boolean().default(false),
      })
      .strict(),
    result: TaskRef,
    privilege: 'admin',
    task: true,
    doc: 'Move a disk to another storage (copy; the source becomes an unused disk unless delete).',
  }),
  'vm.cloudinit': defineMethod({
    params: z.object({ vmid: Vmid, type: z.enum(['user', 'network', 'meta']) }).strict(),
    result: z.object({ text: z.string() }),
    privilege: 'read',
    doc: 'The cloud-init NoCloud document (user-data, network-config or meta-data) generated from the config.',
  }),
  'vm.metrics': defineMethod({
    params: z.object({ vmid: Vmid, timeframe: Timeframe.default('hour'), cf: Consolidation.default('average') }).strict(),
    result: z.object({
      step: z.number(),
      points: z.array(
        z.object({
          t: z.number(),
          cpu: z.number(),
          mem: z.number(),
          maxmem: z.number(),
          netin: z.number(),
          netout: z.number(),
          diskread: z.number(),
          diskwrite: z.number(),
        }),
      ),
    }),
    privilege: 'read',
    doc: "A VM's usage history (CPU, memory, disk and network I/O from QEMU) on this node's RRD steps.",
  }),
};
