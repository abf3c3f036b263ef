// Checks a whole VM config (or a section of one) against the key schema and across keys, collecting every problem
// so the caller sees them all at once: AppError invalid-params with details.errors {key: message}.
import { asText, keyErrors, throwConfigErrors, type ConfigSection, type ConfigValues } from './config-errors';
import { driveKeyOf } from './drive';
import { keyDef } from './keys';
import { netIndexOf } from './net';

export type { ConfigValues };

export interface ValidateOptions {
  /** create/set input: STORAGE:SIZE disks and MAC-less NICs allowed, internal keys (lock, parent…) refused. */
  readonly forCreate?: boolean;
  /** Which section the values are: snapshot keys (snaptime…) only in a snapshot, `delete` only in pending. */
  readonly section?: ConfigSection;
}

/** Every problem, key → message (the message starts with the key). Empty when the config is fine. */
export const vmConfigErrors = (values: ConfigValues, options: ValidateOptions = {}): Record<string, string> => {
  const forCreate = options.forCreate ?? false;
  const section = options.section ?? 'current';
  const { errors, add } = keyErrors(
    Object.entries(values).map(([key, value]) => [key, asText(value)] as const),
    keyDef,
    { forCreate, section },
  );
  if (section === 'pending') return errors;
  const num = (key: string, fallback: number): number => {
    const value = values[key];
    return value === undefined ? fallback : Number(asText(value).replace(/^current=/, ''));
  };
  const cores = num('cores', 1);
  const sockets = num('sockets', 1);
  if (values.vcpus !== undefined && num('vcpus', 1) > cores * sockets)
    add('vcpus', `must be at most sockets × cores (${sockets * cores})`);
  const memory = num('memory', 512);
  if (values.balloon !== undefined && num('balloon', 0) > memory)
    add('balloon', `must be at most memory (${memory} MiB)`);
  const vga = values.vga === undefined ? undefined : /^(?:type=)?(serial[0-3])/.exec(asText(values.vga));
  if (vga?.[1] && values[vga[1]] === undefined) add('vga', `${vga[1]} is used as the display but is not configured`);
  const boot = values.boot === undefined ? undefined : /(?:^|,)order=([^,]*)/.exec(asText(values.boot));
  for (const device of boot?.[1]?.split(';').filter((d) => d !== '') ?? [])
    if ((driveKeyOf(device) || netIndexOf(device) !== undefined) && values[device] === undefined)
      add('boot', `boot device ${device} does not exist`);
  if (values.efidisk0 !== undefined && values.bios !== 'ovmf' && section === 'current' && forCreate)
    add('efidisk0', 'needs bios: ovmf');
  return errors;
};

/** Throws one AppError invalid-params listing every problem (details.errors); returns when the config is fine. */
export const validateVmConfig = (values: ConfigValues, options: ValidateOptions = {}): void => {
  throwConfigErrors(vmConfigErrors(values, options));
};

/** Keys whose values go to QEMU unchecked (PVE lets only root set them); the UI shows them as a warning. */
export const unsafeKeys = (values: ConfigValues): string[] =>
  Object.keys(values).filter((key) => keyDef(key)?.unsafe === true);
