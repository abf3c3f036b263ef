// The building blocks of the guest key tables (VM keys.ts, container ct-keys.ts): what a key definition holds and
// the small value checks and canonical forms both tables are written in.
import { BOOL, formatPropertyString, intProblem, parsePropertyString } from './property-string';

export interface CheckContext {
  /** create/set: STORAGE:SIZE new disks and NICs without a MAC are fine; internal keys are refused. */
  readonly forCreate: boolean;
}

/** One key of a guest config; `H` is the guest's hotplug classes (how a change reaches a running guest). */
export interface GuestKeyDef<H> {
  readonly hotplug: H;
  /** Why a value is wrong (without the key), or undefined. */
  readonly check: (value: string, context: CheckContext) => string | undefined;
  /** PVE's canonical text of a valid value. */
  readonly format?: (value: string, context: CheckContext) => string;
  /** Written by the system (snapshots, locks, creation metadata); a caller cannot set it. */
  readonly internal?: true;
  /** Only in snapshot sections. */
  readonly snapshotOnly?: true;
  /** Passed to QEMU or LXC unchecked: stored, but flagged (PVE restricts it to root). */
  readonly unsafe?: true;
}

/** The message of what `run` throws, or undefined when it returns. */
export const message = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

export const int = (min: number, max: number) => (value: string) => intProblem(value, min, max);
export const bool = (value: string) => (BOOL.test(value) ? undefined : 'must be 0 or 1');
export const oneOf = (values: readonly string[]) => (value: string) =>
  values.includes(value) ? undefined : `must be one of ${values.join(', ')}`;
export const pattern = (re: RegExp, what: string) => (value: string) =>
  re.test(value) ? undefined : `must be ${what}`;
export const text = (max: number) => (value: string) =>
  value.length <= max ? undefined : `must be at most ${max} characters`;
export const canonicalInt = (value: string) => String(Number(value));
export const canonicalBool = (value: string) => (/^(1|on|yes|true)$/.test(value) ? '1' : '0');

/** Checks a property string: allowed options, each with its own check; `defaultKey` may be given bare. */
export const props =
  (options: Record<string, (value: string) => string | undefined>, defaultKey?: string, required?: string) =>
  (value: string): string | undefined =>
    message(() => {
      const pairs = parsePropertyString(value, defaultKey);
      for (const [name, v] of pairs) {
        const check = options[name];
        if (!check) throw new Error(`unknown option "${name}"`);
        const problem = check(v);
        if (problem !== undefined) throw new Error(`"${name}" ${problem}`);
      }
      if (required !== undefined && !pairs.some(([name]) => name === required))
        throw new Error(`"${required}" is required`);
    });
export const canonicalProps = (defaultKey?: string) => (value: string) =>
  formatPropertyString(Object.fromEntries(parsePropertyString(value, defaultKey)), defaultKey);

/** pve-startup-order: `order=2,up=30,down=60` (order may be given bare). */
export const startupProblem = props({ order: int(0, 1_000_000), up: int(0, 86400), down: int(0, 86400) }, 'order');
