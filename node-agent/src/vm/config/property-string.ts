// PVE's property strings (`local:vm-100-disk-0,cache=none,size=32G`, `order=scsi0;net0`): comma-separated key=value
// pairs where the first bare word may stand for a default key. Canonical output is PVE's: the default key's value
// first, then the other keys sorted.

/** The pairs of a property string in written order; a bare word becomes `[defaultKey, word]`. Throws a message. */
export const parsePropertyString = (text: string, defaultKey?: string): [string, string][] => {
  if (text === '') throw new Error('is empty');
  const pairs: [string, string][] = [];
  const seen = new Set<string>();
  text.split(',').forEach((part, index) => {
    if (part === '') throw new Error(`has an empty item (position ${index + 1})`);
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    if (eq === -1) {
      if (defaultKey === undefined || index !== 0) throw new Error(`"${part}" is not key=value`);
      key = defaultKey;
      value = part;
    } else {
      key = part.slice(0, eq);
      value = part.slice(eq + 1);
    }
    if (!/^[a-z][a-z0-9_-]*$/.test(key)) throw new Error(`"${key}" is not an option name`);
    if (seen.has(key)) throw new Error(`sets "${key}" twice`);
    seen.add(key);
    pairs.push([key, value]);
  });
  return pairs;
};

/** PVE's canonical text: the default key's value alone first, then key=value sorted by key. */
export const formatPropertyString = (values: Readonly<Record<string, string>>, defaultKey?: string): string => {
  const parts: string[] = [];
  const head = defaultKey === undefined ? undefined : values[defaultKey];
  if (head !== undefined) parts.push(head);
  for (const key of Object.keys(values).sort()) {
    if (key === defaultKey) continue;
    const value = values[key];
    if (value !== undefined) parts.push(`${key}=${value}`);
  }
  return parts.join(',');
};

export const BOOL = /^(0|1|on|off|yes|no|true|false)$/;
export const isTrue = (value: string | undefined): boolean => value !== undefined && /^(1|on|yes|true)$/.test(value);

/** An integer in [min, max] written in plain decimal, or a message. */
export const intProblem = (value: string, min: number, max: number): string | undefined =>
  /^-?\d+$/.test(value) && Number(value) >= min && Number(value) <= max ? undefined : `must be ${min}..${max}`;

/** PVE's disk sizes: a number with an optional K/M/G/T suffix (bytes without one). */
export const SIZE = /^\d+(\.\d+)?[KMGT]?$/;

export const sizeBytes = (size: string): number => {
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(size);
  if (!match) throw new Error(`"${size}" is not a size`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[match[2] as '' | 'K' | 'M' | 'G' | 'T'];
  return Math.round(Number(match[1]) * unit);
};
