// The disk half of the QEMU command line: controllers (ide built in, ahci for sata, the scsihw kind), one
// `-drive if=none` per drive with its cache/aio/discard/throttling, and the guest device with its bootindex.
import { AppError } from '../../api/errors';
import type { Drive } from './drive';

export interface ResolvedVolume {
  readonly path: string;
  readonly format: string;
}

export interface DriveContext {
  readonly vmid: number;
  readonly q35: boolean;
  readonly scsihw: string;
  readonly volumes: Readonly<Record<string, ResolvedVolume>>;
  readonly cloudinitIso?: string;
  /** key → bootindex */
  readonly bootindex: ReadonlyMap<string, number>;
}

/** QEMU option values: a comma inside a value is written twice. */
export const qemuValue = (value: string): string => value.replaceAll(',', ',,');

const refuse = (key: string, why: string): never => {
  throw new AppError('not-supported', `${key}: ${why}`, { key });
};

const SCSI_DEVICES: Record<string, { device: string; perController: number }> = {
  lsi: { device: 'lsi53c895a', perController: 7 },
  lsi53c810: { device: 'lsi53c810', perController: 7 },
  megasas: { device: 'megasas', perController: 16 },
  pvscsi: { device: 'pvscsi', perController: 64 },
  'virtio-scsi-pci': { device: 'virtio-scsi-pci', perController: 256 },
  'virtio-scsi-single': { device: 'virtio-scsi-pci', perController: 1 },
};

const THROTTLE = /^(iops|mbps|bps)(_rd|_wr)?(_max(_length)?)?$/;
const throttling = (drive: Drive): string[] =>
  Object.entries(drive.options).flatMap(([name, value]) => {
    const match = THROTTLE.exec(name);
    if (!match) return [];
    const [, kind = '', dir, max, length] = match;
    const side = dir === '_rd' ? 'read' : dir === '_wr' ? 'write' : 'total';
    const suffix = length ? '-max-length' : max ? '-max' : '';
    const base = kind === 'iops' ? 'iops' : 'bps';
    const amount = kind === 'mbps' && !length ? String(Math.round(Number(value) * 1024 * 1024)) : value;
    return [`throttling.${base}-${side}${suffix}=${amount}`];
  });

/** A `vm-<vmid>-cloudinit` volume: its drive holds the generated seed ISO. */
export const isCloudinit = (file: string): boolean => /(^|[:/])vm-\d+-cloudinit(\.\w+)?$/.test(file);

/** The -drive value for one drive. */
const driveArg = (drive: Drive, context: DriveContext): string => {
  const parts: string[] = [];
  const cdrom = drive.media === 'cdrom';
  if (drive.file === 'none') {
    // an empty CD drive: no file until one is inserted over QMP
  } else if (drive.file === 'cdrom') {
    parts.push('file=/dev/cdrom', 'format=raw');
  } else if (isCloudinit(drive.file)) {
    if (context.cloudinitIso === undefined)
      refuse(drive.key, 'the cloud-init drive has not been generated (no cloudinitIso)');
    parts.push(`file=${qemuValue(context.cloudinitIso ?? '')}`, 'format=raw');
  } else {
    const volume = context.volumes[drive.key];
    if (!volume)
      throw new AppError('invalid-params', `${drive.key}: volume ${drive.file} was not resolved to a path`, {
        key: drive.key,
      });
    if (drive.alloc) refuse(drive.key, `${drive.file} is a new disk that has not been allocated yet`);
    parts.push(`file=${qemuValue(volume.path)}`, `format=${volume.format}`);
  }
  parts.push('if=none', `id=drive-${drive.key}`);
  if (cdrom) parts.push('media=cdrom');
  if (drive.file === 'none') return parts.join(',');
  const cache = drive.cache ?? (cdrom ? undefined : 'none');
  if (cache !== undefined) parts.push(`cache=${cache}`);
  const direct = cache === 'none' || cache === 'directsync';
  if (drive.aio === 'native' && !direct) refuse(drive.key, 'aio=native needs cache=none or cache=directsync');
  parts.push(`aio=${drive.aio ?? (direct ? 'io_uring' : 'threads')}`);
  if (drive.discard) parts.push('discard=unmap');
  const zeroes = drive.options.detect_zeroes;
  if (!cdrom)
    parts.push(`detect-zeroes=${zeroes === '0' || zeroes === 'off' ? 'off' : drive.discard ? 'unmap' : 'on'}`);
  if (drive.ro || cdrom) parts.push('readonly=on');
  if (drive.options.rerror !== undefined) parts.push(`rerror=${drive.options.rerror}`);
  if (drive.options.werror !== undefined) parts.push(`werror=${drive.options.werror}`);
  parts.push(...throttling(drive));
  return parts.join(',');
};

const guestProperties = (drive: Drive, context: DriveContext): string[] => {
  const parts = [`drive=drive-${drive.key}`, `id=${drive.key}`];
  if (drive.serial !== undefined) parts.push(`serial=${drive.serial}`);
  if (drive.options.wwn !== undefined) parts.push(`wwn=${drive.options.wwn}`);
  if (drive.ssd && drive.kind !== 'virtio' && drive.media === 'disk') parts.push('rotation_rate=1');
  const bootindex = context.bootindex.get(drive.key);
  if (bootindex !== undefined) parts.push(`bootindex=${bootindex}`);
  return parts;
};

/** One drive's pieces: the controller it sits on (made once per VM), -object values it needs, its -drive and -device. */
export interface DriveParts {
  readonly controller?: { readonly id: string; readonly device: string; readonly iothread?: string };
  readonly objects: readonly string[];
  readonly drive: string;
  readonly device: string;
}

/** What one drive adds to the command line (the hotplug of a drive builds the same); undefined for efidisk/tpmstate/unused. */
export const driveParts = (drive: Drive, context: DriveContext): DriveParts | undefined => {
  const type = drive.media === 'cdrom' ? 'cd' : 'hd';
  const objects: string[] = [];
  let controller: DriveParts['controller'];
  let device: string;
  switch (drive.kind) {
    case 'ide': {
      // pc: two IDE buses of two units each; q35: the built-in AHCI, one unit per port.
      const bus = context.q35 ? `ide.${drive.index}` : `ide.${drive.index >> 1},unit=${drive.index & 1}`;
      device = `ide-${type},bus=${bus}`;
      break;
    }
    case 'sata':
      controller = { id: 'ahci0', device: 'ahci,id=ahci0,multifunction=on' };
      device = `ide-${type},bus=ahci0.${drive.index}`;
      break;
    case 'scsi': {
      const hw = SCSI_DEVICES[context.scsihw];
      if (!hw) return refuse('scsihw', `${context.scsihw} is not a SCSI controller`);
      const single = context.scsihw === 'virtio-scsi-single';
      const number = Math.floor(drive.index / hw.perController);
      const id = single ? `virtioscsi${drive.index}` : `scsihw${number}`;
      const iothread = single && drive.iothread ? `iothread-${id}` : undefined;
      controller = {
        id,
        device: [hw.device, `id=${id}`, ...(iothread ? [`iothread=${iothread}`] : [])].join(','),
        ...(iothread && { iothread: `iothread,id=${iothread}` }),
      };
      const virtio = hw.device === 'virtio-scsi-pci';
      const address = virtio ? `channel=0,scsi-id=0,lun=${drive.index}` : `scsi-id=${drive.index % hw.perController}`;
      device = `scsi-${type},bus=${id}.0,${address}`;
      break;
    }
    case 'virtio': {
      if (drive.media === 'cdrom') return refuse(drive.key, 'a CD drive cannot be on virtio');
      const iothread = drive.iothread ? `iothread-${drive.key}` : undefined;
      if (iothread) objects.push(`iothread,id=${iothread}`);
      device = ['virtio-blk-pci', ...(iothread ? [`iothread=${iothread}`] : [])].join(',');
      break;
    }
    case 'efidisk':
    case 'tpmstate':
    case 'unused':
      return undefined;
  }
  return {
    ...(controller && { controller }),
    objects,
    drive: driveArg(drive, context),
    device: [device, ...guestProperties(drive, context)].join(','),
  };
};

/** -object/-device/-drive arguments for every drive, controllers first (each controller once). */
export const compileDrives = (drives: readonly Drive[], context: DriveContext): string[] => {
  const controllers: string[] = [];
  const devices: string[] = [];
  const made = new Set<string>();
  for (const drive of drives) {
    const parts = driveParts(drive, context);
    if (!parts) continue;
    const { controller } = parts;
    if (controller && !made.has(controller.id)) {
      made.add(controller.id);
      if (controller.iothread !== undefined) controllers.push('-object', controller.iothread);
      controllers.push('-device', controller.device);
    }
    for (const object of parts.objects) devices.push('-object', object);
    devices.push('-drive', parts.drive, '-device', parts.device);
  }
  return [...controllers, ...devices];
};

/** Sizes of Debian's OVMF_VARS_4M.fd and OVMF_VARS.fd (what a new efidisk0 is copied from). */
export const OVMF_VARS_4M_BYTES = 540672;
export const OVMF_VARS_2M_BYTES = 131072;

/** OVMF: the firmware code read-only and efidisk0 as its variable store. */
export const compileOvmf = (efidisk: Drive | undefined, context: DriveContext, firmwareDir: string): string[] => {
  if (!efidisk) return refuse('bios', 'ovmf needs an EFI vars disk (efidisk0)');
  const volume = context.volumes[efidisk.key];
  if (!volume)
    throw new AppError('invalid-params', `efidisk0: volume ${efidisk.file} was not resolved to a path`, {
      key: 'efidisk0',
    });
  const secure = efidisk.options['pre-enrolled-keys'] === '1';
  const fourMeg = efidisk.options.efitype === '4m';
  const code = `${firmwareDir}/${fourMeg ? 'OVMF_CODE_4M' : 'OVMF_CODE'}${secure && fourMeg ? '.secboot' : ''}.fd`;
  const vars = [
    `if=pflash`,
    'unit=1',
    `id=drive-efidisk0`,
    `format=${volume.format}`,
    `file=${qemuValue(volume.path)}`,
  ];
  // The volume may be larger than the vars store (an LV is at least 4 MiB): expose exactly OVMF's vars size, as PVE does.
  if (volume.format === 'raw') vars.push(`size=${fourMeg ? OVMF_VARS_4M_BYTES : OVMF_VARS_2M_BYTES}`);
  return ['-drive', `if=pflash,unit=0,format=raw,readonly=on,file=${qemuValue(code)}`, '-drive', vars.join(',')];
};
