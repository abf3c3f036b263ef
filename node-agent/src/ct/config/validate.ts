// Checks a whole container config (or a section of one) against the key schema and across keys, collecting every
// problem so the caller sees them all at once: AppError invalid-params with details.errors {key: message}.
import {
  asText,
  keyErrors,
  throwConfigErrors,
  type ConfigSection,
  type ConfigValues,
} from '../../vm/config/config-errors';
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
  readonly section?: ConfigSection;
  /** Raw lxc.* lines that repeat a key (the values record holds one value per key). */
  readonly lxc?: readonly LxcEntry[];
}

/** Every problem, key → message (the message starts with the key). Empty when the config is fine. */
export const ctConfigErrors = (values: ConfigValues, options: CtValidateOptions = {}): Record<string, string> => {
  const forCreate = options.forCreate ?? false;
  const section = options.section ?? 'current';
  const entries: (readonly [string, string])[] = [
    ...Object.entries(values).map(([key, value]) => [key, asText(value)] as const),
    ...(options.lxc ?? []),
  ];
  const { errors, add } = keyErrors(entries, ctKeyDef, { forCreate, section });
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
  throwConfigErrors(ctConfigErrors(values, options));
};

/** Keys whose values go to LXC unchecked (raw lxc.*; PVE lets only root set them); the UI shows them as a warning. */
export const unsafeCtKeys = (values: ConfigValues, lxc: readonly LxcEntry[] = []): string[] => [
  ...new Set([...Object.keys(values), ...lxc.map(([key]) => key)].filter((key) => ctKeyDef(key)?.unsafe === true)),
];
