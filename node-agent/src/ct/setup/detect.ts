// Which distribution a container's root file system holds, as PVE::LXC::Setup decides it: from the files the
// distribution ships (os-release, debian_version, alpine-release). Only reads files; nothing in the rootfs is run.
import { isFileInRoot, readInRoot } from './rootfs-files';

/**
 * The distributions setup knows. `busybox` is a plain busybox rootfs (no os-release); in a CT config it is PVE's
 * `unmanaged` (see configOstype). `unmanaged`: anything else, left alone as PVE does.
 */
export type Ostype = 'debian' | 'ubuntu' | 'alpine' | 'busybox' | 'unmanaged';

export interface Distribution {
  ostype: Ostype;
  /** As the distribution writes it: `12.5` (debian_version), `22.04` (Ubuntu's VERSION_ID), `3.19.1`; '' when unknown. */
  version: string;
}

/** The `ostype` a PVE CT config takes for a detected distribution. */
export const configOstype = (ostype: Ostype): 'debian' | 'ubuntu' | 'alpine' | 'unmanaged' =>
  ostype === 'busybox' ? 'unmanaged' : ostype;

/** os-release's KEY=value lines, quotes removed (os-release(5)). */
export const parseOsRelease = (text: string): Record<string, string> => {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match?.[1]) continue;
    let value = match[2] ?? '';
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) value = value.slice(1, -1);
    fields[match[1]] = value.replace(/\\(["'$`\\])/g, '$1');
  }
  return fields;
};

// Debian's testing and sid write a codename instead of a number (PVE's Debian.pm maps them the same way).
const DEBIAN_CODENAMES: Record<string, string> = {
  'buster/sid': '10',
  'bullseye/sid': '11',
  'bookworm/sid': '12',
  'trixie/sid': '13',
  'forky/sid': '14',
};

const firstLine = (text: string | undefined): string | undefined => text?.split('\n')[0]?.trim() || undefined;

const debianVersion = (raw: string | undefined, fallback: string | undefined): string => {
  const line = firstLine(raw);
  if (line && DEBIAN_CODENAMES[line]) return DEBIAN_CODENAMES[line];
  if (line && /^\d+(\.\d+)*/.test(line)) return line;
  return fallback ?? '';
};

/** Detect the distribution in `rootfsDir` (a host path to the container's `/`). */
export const detectDistribution = async (rootfsDir: string): Promise<Distribution> => {
  const osRelease = (await readInRoot(rootfsDir, '/etc/os-release')) ?? (await readInRoot(rootfsDir, '/usr/lib/os-release'));
  const fields = osRelease ? parseOsRelease(osRelease) : {};
  const ids = [fields.ID, ...(fields.ID_LIKE ?? '').split(/\s+/)].filter(Boolean);
  const debianFile = await readInRoot(rootfsDir, '/etc/debian_version');
  const alpineFile = await readInRoot(rootfsDir, '/etc/alpine-release');

  if (fields.ID === 'ubuntu') return { ostype: 'ubuntu', version: fields.VERSION_ID ?? '' };
  if (fields.ID === 'alpine' || (ids.length === 0 && alpineFile !== undefined))
    return { ostype: 'alpine', version: firstLine(alpineFile) ?? fields.VERSION_ID ?? '' };
  if (fields.ID === 'debian' || (ids.length === 0 && debianFile !== undefined))
    return { ostype: 'debian', version: debianVersion(debianFile, fields.VERSION_ID) };
  if (ids.length === 0 && (await isFileInRoot(rootfsDir, '/bin/busybox')))
    return { ostype: 'busybox', version: '' };
  return { ostype: 'unmanaged', version: fields.VERSION_ID ?? '' };
};
