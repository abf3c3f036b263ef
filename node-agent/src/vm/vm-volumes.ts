// A VM's volumes as its config names them: every drive (disks, CDs, EFI vars, TPM state, unused disks) and the
// RAM states of its snapshots, with which ones the VM owns (PVE destroys those with the VM).
import { parseVolid } from '../storage/volume-name';
import { driveKeyOf, parseDrive, type Drive } from './config/drive';
import { PENDING, currentOf, sectionOf, snapshotsOf, type VmConf } from './config/conf-document';

/** The drives of one section's values, in key order; values that do not parse are skipped (validation reports them). */
export const drivesOf = (values: Readonly<Record<string, string>>): Drive[] => {
  const drives: Drive[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (!driveKeyOf(key)) continue;
    try {
      drives.push(parseDrive(key, value));
    } catch {
      // Not a drive we can read: left to validation, never guessed at.
    }
  }
  return drives.sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }));
};

/** A volid (storage:volname) rather than a path, `none` or `cdrom`. */
export const isVolid = (file: string): boolean => /^[A-Za-z][A-Za-z0-9._-]*:./.test(file) && !file.startsWith('/');

/** The guest a volume belongs to by its own name (the last part: vm-100-…, base-100-…), if any. */
export const volumeOwner = (volid: string): number | undefined => {
  let volname: string;
  try {
    ({ volname } = parseVolid(volid));
  } catch {
    return undefined;
  }
  const match = /^(?:vm|base|subvol|basevol)-([1-9][0-9]{2,8})-/.exec(volname.split('/').at(-1) ?? '');
  return match ? Number(match[1]) : undefined;
};

/**
 * Every volume VM vmid owns, across the current config, pending values and snapshots (deduplicated): what destroy
 * frees. A linked clone's base volume belongs to the template, not to the clone.
 */
export const ownedVolumes = (conf: VmConf, vmid: number): string[] => {
  const volids = new Set<string>();
  const consider = (file: string) => {
    if (isVolid(file) && volumeOwner(file) === vmid) volids.add(file);
  };
  const pending = sectionOf(conf, PENDING);
  for (const section of [currentOf(conf), ...(pending ? [pending] : []), ...snapshotsOf(conf)]) {
    for (const drive of drivesOf(section.values)) consider(drive.file);
    const vmstate = section.values.vmstate;
    if (vmstate !== undefined && isVolid(vmstate)) consider(vmstate);
  }
  return [...volids];
};
