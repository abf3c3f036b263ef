// Volume ids (`storage:volname`) and PVE's volume names: what a volname is, which guest owns it (the vmid in its
// name), and the next free disk name. Everything a hostile caller could put in a volname ('..', '/etc', ';', '$(…)',
// control characters, look-alike unicode) is refused here, before any plugin builds a path or a command from it.
import { AppError } from '../api/errors';
import type { ContentType, VolumeFormat } from './plugin';
import { StorageId } from './plugin';

export interface ParsedVolid {
  storeid: string;
  volname: string;
}

export interface ParsedVolname {
  content: ContentType;
  /** The file or volume name itself (a linked clone's own name, without its base). */
  name: string;
  /** The owning guest. */
  vmid?: number;
  /** Disk images only. */
  format?: VolumeFormat;
  isBase: boolean;
  /** A linked clone's base: "base-100-disk-0/vm-101-disk-0" → {volname: "base-100-disk-0", vmid: 100}. */
  base?: { volname: string; vmid: number };
}

/** PVE's snapshot names. */
export const SNAPSHOT_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{1,39}$/;

const MAX_VOLID = 1024;
const MAX_SEGMENT_BYTES = 255;
/** Plain ASCII only: no shell metacharacters, no spaces, no commas (QEMU's option separator), no look-alikes. */
const SAFE_SEGMENT = /^[A-Za-z0-9_+=][A-Za-z0-9._+=-]*$/;
const VMID = /^[1-9][0-9]{2,8}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_VOLUMES_PER_GUEST = 1024;

const refuse = (volname: string, why: string): never => {
  throw new AppError('invalid-params', `volume ${JSON.stringify(volname)} is not a valid volume name: ${why}`, {
    volname,
  });
};

const vmidOf = (volname: string, text: string): number => {
  if (!VMID.test(text)) refuse(volname, `${JSON.stringify(text)} is not a vmid (100 to 999999999, no leading zeros)`);
  const vmid = Number(text);
  if (vmid < 100) refuse(volname, `vmid ${vmid} is below 100`);
  return vmid;
};

/** The checks every volname passes first: relative, plain segments of safe ASCII, bounded length. */
const segmentsOf = (volname: string): string[] => {
  if (volname === '') refuse(volname, 'it is empty');
  if (volname.length > MAX_VOLID) refuse(volname, `it is longer than ${MAX_VOLID} characters`);
  if (CONTROL.test(volname)) refuse(volname, 'it contains control characters');
  if (volname.startsWith('/')) refuse(volname, 'it is an absolute path');
  const segments = volname.split('/');
  for (const segment of segments) {
    if (segment === '') refuse(volname, 'it has an empty path segment');
    if (segment === '.' || segment === '..') refuse(volname, `it contains "${segment}"`);
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)
      refuse(volname, `a part is longer than ${MAX_SEGMENT_BYTES} bytes`);
    if (!SAFE_SEGMENT.test(segment))
      refuse(
        volname,
        `${JSON.stringify(segment)} may only hold letters, digits and _ + = . - (not starting with . or -)`,
      );
  }
  return segments;
};

/** Splits `storage:volname`; the storage id as PVE allows them, the volname checked by parseVolname later. */
export const parseVolid = (volid: string): ParsedVolid => {
  const colon = volid.indexOf(':');
  const storeid = colon === -1 ? '' : volid.slice(0, colon);
  const volname = colon === -1 ? '' : volid.slice(colon + 1);
  if (
    colon === -1 ||
    volname === '' ||
    volid.length > MAX_VOLID + 256 ||
    CONTROL.test(volid) ||
    !StorageId.safeParse(storeid).success
  )
    throw new AppError(
      'invalid-params',
      `${JSON.stringify(volid.slice(0, 300))} is not a volume id (storage:volname)`,
      { volid },
    );
  return { storeid, volname };
};

const IMAGE_FORMATS = /\.(raw|qcow2|vmdk|subvol)$/;
const GUEST_NAME = /^(vm|base|subvol|basevol)-([0-9]+)-(.+)$/;
const ISO = /\.(iso|img)$/i;
const VZTMPL = /\.(tar|tar\.(gz|xz|zst|bz2))$/i;
const BACKUP = /\.(tgz|(tar|vma)(\.(gz|lzo|zst|bz2))?)$/;
const BACKUP_OWNER = /^vzdump-(openvz|lxc|qemu)-([0-9]+)-./;
const IMPORT = /\.(ova|ovf|qcow2|raw|vmdk)$/;
const OVA_MEMBER = /\.(qcow2|raw|vmdk)$/;

/** A disk image file in a file storage: `vm-100-disk-0.qcow2`, or any `name.fmt` in the guest's folder. */
const imageFile = (
  volname: string,
  name: string,
  dirVmid: number,
): { format: VolumeFormat; isBase: boolean; rootdir: boolean } => {
  const format = IMAGE_FORMATS.exec(name)?.[1] as VolumeFormat | undefined;
  if (format === undefined)
    return refuse(volname, `${name} has no image format extension (.raw, .qcow2, .vmdk, .subvol)`);
  if (name.startsWith('snap-')) refuse(volname, `${name} is a snapshot file, not a volume`);
  const guest = GUEST_NAME.exec(name);
  if (guest) {
    const [, prefix = '', vmid = ''] = guest;
    if (prefix === 'basevol') refuse(volname, 'basevol- names belong to ZFS pools');
    // PVE takes the owner from the folder; a name naming another guest is refused rather than trusted either way.
    if (vmidOf(volname, vmid) !== dirVmid)
      refuse(volname, `${name} names guest ${vmid} but lies in the folder of guest ${dirVmid}`);
    return { format, isBase: prefix === 'base', rootdir: prefix === 'subvol' || format === 'subvol' };
  }
  return { format, isBase: name.startsWith('base-'), rootdir: format === 'subvol' };
};

const parseFileVolname = (volname: string, segments: string[]): ParsedVolname => {
  const [first = '', second, third, fourth] = segments;
  if (/^[0-9]+$/.test(first)) {
    if (segments.length === 2 && second !== undefined) {
      const vmid = vmidOf(volname, first);
      const image = imageFile(volname, second, vmid);
      return {
        content: image.rootdir ? 'rootdir' : 'images',
        name: second,
        vmid,
        format: image.format,
        isBase: image.isBase,
      };
    }
    if (segments.length === 4 && second !== undefined && third !== undefined && fourth !== undefined) {
      const baseVmid = vmidOf(volname, first);
      const base = imageFile(volname, second, baseVmid);
      if (!base.isBase) refuse(volname, `a linked clone's base must be a base image, not ${second}`);
      const vmid = vmidOf(volname, third);
      const image = imageFile(volname, fourth, vmid);
      if (image.isBase) refuse(volname, `a linked clone cannot itself be a base image (${fourth})`);
      return {
        content: image.rootdir ? 'rootdir' : 'images',
        name: fourth,
        vmid,
        format: image.format,
        isBase: false,
        base: { volname: `${first}/${second}`, vmid: baseVmid },
      };
    }
    return refuse(volname, 'an image is "<vmid>/<name>" or "<basevmid>/<basename>/<vmid>/<name>"');
  }
  const name = second ?? '';
  const single = segments.length === 2;
  switch (first) {
    case 'iso':
      if (single && ISO.test(name)) return { content: 'iso', name, isBase: false };
      return refuse(volname, 'an ISO image is "iso/<name>.iso" or "iso/<name>.img"');
    case 'vztmpl':
      if (single && VZTMPL.test(name)) return { content: 'vztmpl', name, isBase: false };
      return refuse(volname, 'a container template is "vztmpl/<name>.tar[.gz|.xz|.zst|.bz2]"');
    case 'backup': {
      if (!single || !BACKUP.test(name))
        return refuse(volname, 'a backup is "backup/<name>.vma|.tar|.tgz[.zst|.gz|.lzo|.bz2]"');
      const owner = BACKUP_OWNER.exec(name)?.[2];
      return owner === undefined
        ? { content: 'backup', name, isBase: false }
        : { content: 'backup', name, vmid: vmidOf(volname, owner), isBase: false };
    }
    case 'snippets':
      if (single) return { content: 'snippets', name, isBase: false };
      return refuse(volname, 'a snippet is "snippets/<name>"');
    case 'import': {
      if (single && IMPORT.test(name)) {
        const format = /\.(qcow2|raw|vmdk)$/.exec(name)?.[1] as VolumeFormat | undefined;
        return format === undefined
          ? { content: 'import', name, isBase: false }
          : { content: 'import', name, format, isBase: false };
      }
      // A disk inside an OVA: import/x.ova/disk1.vmdk
      if (segments.length === 3 && name.endsWith('.ova') && third !== undefined && OVA_MEMBER.test(third)) {
        const format = OVA_MEMBER.exec(third)?.[1] as VolumeFormat;
        return { content: 'import', name: `${name}/${third}`, format, isBase: false };
      }
      return refuse(volname, 'an import is "import/<name>.ova|.ovf|.qcow2|.raw|.vmdk" or "import/<name>.ova/<disk>"');
    }
    default:
      return refuse(volname, `"${first}" is not a content folder (a vmid, iso, vztmpl, backup, snippets or import)`);
  }
};

/** A block-style name: `vm-100-disk-0`, `base-100-disk-0`, `subvol-100-disk-0`, `vm-100-state-snap1`, `vm-100-cloudinit`. */
const blockName = (volname: string, name: string): { prefix: string; vmid: number; format: VolumeFormat } => {
  const guest = GUEST_NAME.exec(name);
  if (!guest) return refuse(volname, `${name} is not a guest volume name (vm-, base-, subvol- or basevol-<vmid>-…)`);
  const [, prefix = '', vmid = '', rest = ''] = guest;
  // Block names become LV and ZFS dataset names: the set both allow (PVE's parse_lvm_name).
  if (!/^[A-Za-z0-9_.-]*[A-Za-z0-9]$/.test(rest))
    refuse(volname, `${name} may only hold letters, digits and _ . - after the vmid`);
  const subvol = prefix === 'subvol' || prefix === 'basevol';
  const format: VolumeFormat = subvol ? 'subvol' : name.endsWith('.qcow2') ? 'qcow2' : 'raw';
  return { prefix, vmid: vmidOf(volname, vmid), format };
};

const parseBlockVolname = (volname: string, segments: string[]): ParsedVolname => {
  if (segments.length > 2) refuse(volname, 'a block volume is "<name>" or "<basename>/<name>"');
  const name = segments.at(-1) ?? '';
  const own = blockName(volname, name);
  const isBase = own.prefix === 'base' || own.prefix === 'basevol';
  const parsed: ParsedVolname = {
    content: own.format === 'subvol' ? 'rootdir' : 'images',
    name,
    vmid: own.vmid,
    format: own.format,
    isBase,
  };
  const [baseName] = segments;
  if (segments.length === 1 || baseName === undefined) return parsed;
  const base = blockName(volname, baseName);
  if (base.prefix !== 'base' && base.prefix !== 'basevol')
    refuse(volname, `a linked clone's base must be a base volume, not ${baseName}`);
  if (isBase) refuse(volname, `a linked clone cannot itself be a base volume (${name})`);
  return { ...parsed, base: { volname: baseName, vmid: base.vmid } };
};

/**
 * dir-style ("100/vm-100-disk-0.qcow2", "iso/x.iso", "vztmpl/debian-12.tar.zst", "backup/vzdump-qemu-100-….vma.zst",
 * "snippets/x.yaml", "import/x.ova") and block-style ("vm-100-disk-0", "subvol-100-disk-0", "base-100-disk-0",
 * "base-100-disk-0/vm-101-disk-0", "vm-100-state-snap1", "vm-100-cloudinit") volnames. Subvolumes (container roots)
 * have content 'rootdir', other guest disks 'images'. Refuses "..", absolute paths, empty segments, control characters,
 * shell metacharacters and non-ASCII with invalid-params naming the volname.
 */
export const parseVolname = (volname: string, layout: 'file' | 'block'): ParsedVolname => {
  const segments = segmentsOf(volname);
  return layout === 'file' ? parseFileVolname(volname, segments) : parseBlockVolname(volname, segments);
};

/** "vm-100-disk-0", or "vm-100-disk-0.qcow2" for file layouts with a format. */
export const diskName = (prefix: 'vm' | 'base' | 'subvol', vmid: number, n: number, format?: VolumeFormat): string => {
  if (!Number.isInteger(vmid) || vmid < 100 || vmid > 999_999_999)
    throw new AppError('invalid-params', `${vmid} is not a vmid (100 to 999999999)`, { vmid });
  if (!Number.isInteger(n) || n < 0)
    throw new AppError('invalid-params', `disk number ${n} must be a whole number ≥ 0`, { n });
  return `${prefix}-${vmid}-disk-${n}${format === undefined ? '' : `.${format}`}`;
};

/** The lowest disk number no taken volume of this guest uses, whatever its prefix or format (as PVE's find_free_diskname). */
export const nextDiskName = (
  taken: Iterable<string>,
  prefix: 'vm' | 'base' | 'subvol',
  vmid: number,
  format?: VolumeFormat,
): string => {
  const used = new Set<number>();
  const pattern = new RegExp(`^(?:vm|base|subvol|basevol)-${vmid}-disk-([0-9]+)(?:\\.[A-Za-z0-9]+)?$`);
  for (const volname of taken) {
    const n = pattern.exec(volname.split('/').at(-1) ?? '')?.[1];
    if (n !== undefined) used.add(Number(n));
  }
  for (let n = 0; n < MAX_VOLUMES_PER_GUEST; n += 1) if (!used.has(n)) return diskName(prefix, vmid, n, format);
  throw new AppError(
    'conflict',
    `guest ${vmid} already has ${MAX_VOLUMES_PER_GUEST} disks on this storage — free one first`,
    { vmid },
  );
};

/** access-denied naming both vmids when the volume belongs to another guest; volumes of no guest (iso, …) pass. */
export const assertOwner = (volname: ParsedVolname, vmid: number, volid: string): void => {
  if (volname.vmid !== undefined && volname.vmid !== vmid)
    throw new AppError('access-denied', `volume ${volid} belongs to guest ${volname.vmid}, not to guest ${vmid}`, {
      volid,
      owner: volname.vmid,
      vmid,
    });
};
