// PVE's unique process id for a task: UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:
// It names the task everywhere (API, log file, index), so it must be unique on the node for ever.
import { readFileSync } from 'node:fs';
import { AppError } from '../api/errors';

export interface UpidFields {
  node: string;
  pid: number;
  /** Process start time in clock ticks since boot (/proc/<pid>/stat field 22): guards against pid reuse. */
  pstart: number;
  /** Seconds since the epoch. */
  starttime: number;
  type: string;
  id: string;
  user: string;
}

const hex8 = (value: number): string => value.toString(16).toUpperCase().padStart(8, '0');

const TYPE = /^[a-z0-9.-]+$/;
// A UPID field can hold neither ':' (the separator) nor '/' (the UPID is a file name) nor whitespace/control characters.
const FIELD = /^[^:/\s\p{Cc}]*$/u;

/** Encode a UPID; a field that cannot live in one is a programming error caught as invalid-params. */
export const encodeUpid = (fields: UpidFields): string => {
  const { node, pid, pstart, starttime, type, id, user } = fields;
  if (node === '' || !FIELD.test(node))
    throw new AppError('invalid-params', `the node name ${JSON.stringify(node)} cannot be part of a UPID`);
  if (!TYPE.test(type))
    throw new AppError(
      'invalid-params',
      `the task type ${JSON.stringify(type)} must be lowercase letters, digits, '.' or '-'`,
    );
  if (!FIELD.test(id))
    throw new AppError('invalid-params', `the task id ${JSON.stringify(id)} cannot contain ':', '/' or whitespace`);
  if (user === '' || !FIELD.test(user))
    throw new AppError(
      'invalid-params',
      `the task user ${JSON.stringify(user)} cannot be empty or contain ':', '/' or whitespace`,
    );
  for (const [name, value] of [
    ['pid', pid],
    ['pstart', pstart],
    ['starttime', starttime],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new AppError('invalid-params', `the UPID ${name} ${value} is not a non-negative integer`);
  }
  if (pid > 0xffffffff || starttime > 0xffffffff)
    throw new AppError('invalid-params', 'the UPID pid or starttime does not fit 8 hex digits');
  return `UPID:${node}:${hex8(pid)}:${hex8(pstart)}:${hex8(starttime)}:${type}:${id}:${user}:`;
};

// The same pattern as the contract's Upid schema, with groups.
const PARSE = /^UPID:([^:]+):([0-9A-F]{8}):([0-9A-F]{8,}):([0-9A-F]{8}):([a-z0-9.-]+):([^:]*):([^:]+):$/;

/** Parse a UPID; anything else is invalid-params naming the text. */
export const parseUpid = (upid: string): UpidFields => {
  const match = PARSE.exec(upid);
  if (!match) throw new AppError('invalid-params', `${JSON.stringify(upid)} is not a UPID`);
  const [, node, pid, pstart, starttime, type, id, user] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    node,
    pid: parseInt(pid, 16),
    pstart: parseInt(pstart, 16),
    starttime: parseInt(starttime, 16),
    type,
    id,
    user,
  };
};

/** Field 22 of /proc/self/stat. The comm field (2) may hold spaces and ')', so count from the last ')'. */
export const parseProcessStart = (stat: string): number => {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field 22 is rest[19].
  const value = Number(rest[19]);
  if (!Number.isSafeInteger(value))
    throw new AppError('internal-error', 'cannot read the process start time from /proc/self/stat');
  return value;
};

let ownStart: number | undefined;
const processStart = (): number => {
  ownStart ??= parseProcessStart(readFileSync('/proc/self/stat', 'utf8'));
  return ownStart;
};

/**
 * Allocates UPIDs for tasks run by this process.
 *
 * PVE forks a worker per task, so pid (plus pstart against pid reuse) already makes its UPIDs unique.
 * We run tasks in-process: every task shares one pid and pstart. We keep both honest (they still
 * identify the daemon run that owned the task) and make starttime strictly increasing within the
 * process instead: a second task in the same second gets starttime + 1. The UPID stays in PVE's exact
 * format and sorts by start; the price is that a burst of n tasks in one second stamps the later ones
 * up to n - 1 seconds ahead of the wall clock, which catches up as soon as the burst ends.
 * Across daemon runs pid/pstart differ, so UPIDs never collide with an earlier run's.
 */
export class UpidAllocator {
  private lastStarttime = 0;

  constructor(
    private readonly node: string,
    private readonly now: () => number = Date.now,
    private readonly pid: number = process.pid,
    private readonly pstart: number = processStart(),
  ) {}

  next(type: string, id: string, user: string): { upid: string; starttime: number } {
    const starttime = Math.max(Math.floor(this.now() / 1000), this.lastStarttime + 1);
    const upid = encodeUpid({ node: this.node, pid: this.pid, pstart: this.pstart, starttime, type, id, user });
    this.lastStarttime = starttime;
    return { upid, starttime };
  }
}
