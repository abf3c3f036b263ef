// Checks a whole container config (or a section of one) against the key schema and across keys, collecting every
// problem so the caller sees them all at once: AppError invalid-params with details.errors {key: message}.
import { AppError } from '../../api/errors';
import type { ConfigValues } from '../../vm/config/validate';
import { isTrue } from '../../vm/config/property-string';
import { ctKeyDef } from './ct-keys';
import { ctNetIndexOf, parseCtNet } from './ct-net';
import { isMountKey, parseMountPoint } from './mount-point';
import type { LxcEntry } from './raw-lxc';

export type { ConfigValues };

export interface CtValidateOptions {
  /** create/set input: STORAGE:SIZE volumes and NICs without hwaddr allowed, internal keys (lock, parent…) refused. */
  readonly forCreate?: boolean;
  /** Which section the values are: snaptime only in a snapshot, `delete` only in pending, rootfs required in current. */
  readonly section?: 'current' | 'pending' | 'snapshot';
  /** Raw lxc.* lines that repeat a key (the values record holds one value per key). */
  readonly lxc?: readonly LxcEntry[];
}

const asText = (value: string | number): string => (typeof value === 'number' ? String(value) : value);

/** Every problem, key → message (the message starts with the key). Empty when the config is fine. */
export const ctConfigErrors = (values: ConfigValues, options: CtValidateOptions = {}): Record<string, string> => {
  const forCreate = options.forCreate ?? false;
  const section = options.section ?? 'current';
  const errors: Record<string, string> = {};
  const add = (key: string, problem: string) => {
    if (!Object.hasOwn(errors, key))
      Object.defineProperty(errors, key, { value: `${key}: ${problem}`, enumerable: true, writable: true });
  };
  const entries: [string, string][] = [
    ...Object.entries(values).map(([key, value]): [string, string] => [key, asText(value)]),
    ...(options.lxc ?? []).map(([key, value]): [string, string] => [key, value]),
  ];
  for (const [key, value] of entries) {
    if (key === 'delete' && section === 'pending') continue;
    const def = ctKeyDef(key);
    if (!def) {
      add(key, 'unknown config key');
      continue;
    }
    if (def.snapshotOnly && section !== 'snapshot') add(key, 'is only valid in a snapshot');
    else if (def.internal && forCreate) add(key, 'is managed by the system and cannot be set');
    // description is the one multi-line value: it is written as `#` lines, not as `key: value`.
    else if (key !== 'description' && (value.trim() !== value || value === '' || /[\r\n]/.test(value)))
      add(key, 'must be one line of text without leading or trailing spaces');
    else {
      const problem = def.check(value, { forCreate });
      if (problem !== undefined) add(key, problem);
    }
  }
  if (section === 'pending') return errors;
  if (values.rootfs === undefined) add('rootfs', "is required (the container's root file system)");
  const text = (key: string) => (values[key] === undefined ? undefined : asText(values[key]));
  const unprivileged = isTrue(text('unprivileged'));
  const targets = new Map<string, string>();
  for (const key of Object.keys(values).filter(isMountKey).sort()) {
    if (Object.hasOwn(errors, key)) continue;
    const mount = parseMountPoint(key, text(key) ?? '', forCreate);
    const first = targets.get(mount.mp);
    if (first !== undefined) add(key, `mounts on ${mount.mp}, which ${first} already uses`);
    else targets.set(mount.mp, key);
    if (mount.quota && unprivileged) add(key, 'quota is not supported in unprivileged containers');
    if (mount.quota && mount.kind === 'bind') add(key, 'quota is only supported on storage volumes');
  }
  const names = new Map<string, string>();
  for (const key of Object.keys(values)
    .filter((k) => ctNetIndexOf(k) !== undefined)
    .sort()) {
    if (Object.hasOwn(errors, key)) continue;
    const { name } = parseCtNet(key, text(key) ?? '');
    const first = names.get(name);
    if (first !== undefined) add(key, `interface name ${name} is already used by ${first}`);
    else names.set(name, key);
  }
  const features = text('features') ?? '';
  if (/(^|,)mknod=(1|on|yes|true)/.test(features) && !unprivileged)
    add('features', 'mknod is for unprivileged containers only');
  return errors;
};

/** Throws one AppError invalid-params listing every problem (details.errors); returns when the config is fine. */
export const validateCtConfig = (values: ConfigValues, options: CtValidateOptions = {}): void => {
  const errors = ctConfigErrors(values, options);
  const messages = Object.values(errors);
  if (messages.length === 0) return;
  throw new AppError(
    'invalid-params',
    messages.length === 1 ? (messages[0] ?? '') : `${messages.length} problems: ${messages.join('; ')}`,
    { errors },
  );
};

/** Keys whose values go to LXC unchecked (raw lxc.*; PVE lets only root set them); the UI shows them as a warning. */
export const unsafeCtKeys = (values: ConfigValues, lxc: readonly LxcEntry[] = []): string[] => [
  ...new Set([...Object.keys(values), ...lxc.map(([key]) => key)].filter((key) => ctKeyDef(key)?.unsafe === true)),
];
