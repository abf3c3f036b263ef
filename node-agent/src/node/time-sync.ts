// The time-sync check: cluster membership (etcd leases, HA fencing) and task timestamps need synchronised clocks.
import { access } from 'node:fs/promises';
import type { TaskContext } from '../tasks/task-context';
import { firstLine, outputTail, probe, type Verdict } from './probe';

export interface ChronyTracking {
  referenceId: string;
  referenceName: string;
  stratum: number;
  leapStatus: string;
}

/** `chronyc tracking` output: `Key     : value` lines. */
export const parseChronyTracking = (text: string): ChronyTracking => {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const reference = /^([0-9A-Fa-f]{8})\s*\((.*)\)$/.exec(fields.get('Reference ID') ?? '');
  return {
    referenceId: reference?.[1]?.toUpperCase() ?? '',
    referenceName: reference?.[2] ?? '',
    stratum: Number(fields.get('Stratum') ?? Number.NaN),
    leapStatus: fields.get('Leap status') ?? '',
  };
};

/** chrony's reference id for its own clock (`local stratum N`): serving time, not synchronised to anything. */
const LOCAL_CLOCK = '7F7F0101';

export const chronyVerdict = (tracking: ChronyTracking): Verdict => {
  if (tracking.leapStatus !== 'Normal' || tracking.referenceId === '' || tracking.referenceId === '00000000') {
    return {
      status: 'warning',
      message: `chrony is running but not synchronised (leap status: ${tracking.leapStatus || 'unknown'}) — check its time sources`,
    };
  }
  if (tracking.referenceId === LOCAL_CLOCK) {
    return {
      status: 'warning',
      message: 'chrony follows only the local clock (local stratum), not a time source — add an NTP server',
    };
  }
  const source = tracking.referenceName !== '' ? tracking.referenceName : tracking.referenceId;
  return { status: 'ok', message: `chrony is synchronised to ${source} (stratum ${tracking.stratum})` };
};

/** systemd's own test (sd_booted): timedatectl only answers when systemd is PID 1. */
const systemdRuns = (): Promise<boolean> =>
  access('/run/systemd/system').then(
    () => true,
    () => false,
  );

/** timedatectl when systemd runs, else chronyc; unknown sync is a warning, never a failure. */
export const checkTimeSync = async (ctx: TaskContext): Promise<Verdict> => {
  let timedatectl = '';
  if (await systemdRuns()) {
    const outcome = await probe(ctx, 'timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], 'systemd');
    if (outcome.ran && outcome.result.code === 0) {
      const value = firstLine(outcome.result.stdout);
      if (value === 'yes')
        return { status: 'ok', message: 'the clock is synchronised (timedatectl: NTPSynchronized=yes)' };
      timedatectl = `timedatectl: NTPSynchronized=${value || 'unknown'}`;
    } else if (outcome.ran) {
      timedatectl = `timedatectl: ${firstLine(outcome.result.stderr) || `exit code ${outcome.result.code}`}`;
    }
  }
  // timedatectl said no or could not tell: chrony (if installed) knows more, e.g. that it is still converging.
  const chrony = await probe(ctx, 'chronyc', ['tracking'], 'chrony');
  const why = timedatectl !== '' ? ` (${timedatectl})` : '';
  if (!chrony.ran) {
    if (chrony.missing && timedatectl !== '') {
      return {
        status: 'warning',
        message: `the clock is not synchronised${why} — check systemd-timesyncd or install the Debian package chrony`,
      };
    }
    return chrony.missing
      ? { status: 'warning', message: 'no time synchronisation found — install the Debian package chrony' }
      : { status: 'warning', message: `time synchronisation is unknown${why}: ${chrony.verdict.message}` };
  }
  if (chrony.result.code !== 0) {
    return {
      status: 'warning',
      message: `no time synchronisation found${why}: chronyd is not running (chronyc: ${outputTail(chrony.result)}) — start chrony`,
    };
  }
  return chronyVerdict(parseChronyTracking(chrony.result.stdout));
};
