// The read views of a guest config (VM or container), as PVE's GET config, GET pending and GET snapshot answer
// them: the same for both kinds because both keep PVE's file layout ([PENDING], [snapshot] sections).
import { AppError } from '../api/errors';
import type { SnapshotInfo, VmConfigValues } from '../api/vm';
import { currentOf, sectionOf, snapshotsOf, type VmConf } from '../vm/config/conf-document';
import { pendingItems, withPending } from '../vm/config/pending-view';

/** Values as the API carries them: PVE's numeric keys as numbers, everything else as text. */
const NUMERIC =
  /^(cores|sockets|vcpus|memory|balloon|cpuunits|cpulimit|onboot|protection|template|numa|kvm|acpi|tablet|localtime|agent-enabled|shares|migrate_downtime|migrate_speed)$/;
export const toApiValues = (values: Readonly<Record<string, string>>): VmConfigValues => {
  const result: VmConfigValues = {};
  for (const [key, value] of Object.entries(values))
    result[key] = NUMERIC.test(key) && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  return result;
};

/** Which guest a message names: `VM 101`, `CT 200`. */
export interface GuestLabel {
  readonly kind: 'VM' | 'CT';
  readonly vmid: number;
}

/**
 * PVE's meaning of GET config: the config as the next start will run it (pending applied), with `current` as it
 * runs now, or a snapshot's values (not-found when there is no such snapshot).
 */
export const configView = (
  conf: VmConf,
  digest: string,
  options: { snapshot?: string; current: boolean },
  guest: GuestLabel,
): { digest: string; config: VmConfigValues; description?: string } => {
  if (options.snapshot !== undefined) {
    const section = sectionOf(conf, options.snapshot);
    if (!section || section.kind !== 'snapshot')
      throw new AppError('not-found', `${guest.kind} ${guest.vmid} has no snapshot ${options.snapshot}`, {
        vmid: guest.vmid,
      });
    return {
      digest,
      config: toApiValues(section.values),
      ...(section.description === undefined ? {} : { description: section.description }),
    };
  }
  const current = currentOf(conf);
  const values = options.current ? { ...current.values } : withPending(conf);
  return {
    digest,
    config: toApiValues(values),
    ...(current.description === undefined ? {} : { description: current.description }),
  };
};

/** GET pending: every key with its value now, its pending value or pending delete, in API values. */
export const pendingView = (
  conf: VmConf,
): { key: string; value?: string | number; pending?: string | number; delete?: boolean }[] =>
  pendingItems(conf).map(({ key, value, pending, ...rest }) => ({
    key,
    ...rest,
    ...(value === undefined ? {} : { value: toApiValues({ [key]: value })[key] }),
    ...(pending === undefined ? {} : { pending: toApiValues({ [key]: pending })[key] }),
  }));

/**
 * GET snapshot: every snapshot and the one the current config descends from. `withRamState`: the guest can save
 * RAM with a snapshot (VMs: the vmstate key); containers never do.
 */
export const snapshotsView = (
  conf: VmConf,
  options: { withRamState: boolean },
): { snapshots: SnapshotInfo[]; current?: string } => {
  const snapshots = snapshotsOf(conf).map((section): SnapshotInfo => {
    const { parent, snaptime, vmstate } = section.values;
    return {
      name: section.name,
      vmstate: options.withRamState && vmstate !== undefined && vmstate !== '0',
      ...(parent === undefined ? {} : { parent }),
      ...(snaptime === undefined ? {} : { snaptime: Number(snaptime) }),
      ...(section.description === undefined ? {} : { description: section.description }),
    };
  });
  const current = currentOf(conf).values.parent;
  return { snapshots, ...(current === undefined ? {} : { current }) };
};
