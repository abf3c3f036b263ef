// Benchmark: booting the test guest. Ours: vm.start through the core (SSH, agent, task, QEMU with the app's
// command line) to the first byte and to the guest's banner in the VM's serial log, split at the task's OK
// (QEMU launched, monitor attached). Reference, same run: plain qemu-system-x86_64 (TCG, 256 MiB) booting the
// same ISO on this machine, its serial in a file, timed to the same first byte and banner.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AppError } from '../../node-agent/src/api/errors';
import { run, type RunResult } from '../../node-agent/src/exec/run';
import { GUEST_BANNER } from '../guest-image/guest-image';
import type { BenchLab } from './bench-lab';
import { createBenchVm, pollFor, readIfThere, type BenchVm } from './bench-vm';
import type { Benchmark, BenchResult } from './bench-types';
import { summarize } from './stats';

const BOOT_TIMEOUT_MS = 180_000;
/** How often the serial log is read: the figures are this coarse, for ours and the reference alike. */
const POLL_MS = 10;

interface SerialMarks {
  /** Seconds from the start to the first byte in the serial log, and to the banner. */
  firstByte: number;
  banner: number;
}

interface BootTimes extends SerialMarks {
  /** Seconds from vm.start to its task ending OK (QEMU launched and attached); undefined for the reference. */
  launched?: number;
}

/** Read the serial log every POLL_MS until the banner shows, noting when its first byte appeared. */
const watchSerial = async (path: string, started: number, signal: AbortSignal): Promise<SerialMarks> => {
  let firstByte: number | undefined;
  const banner = await pollFor(
    `the banner "${GUEST_BANNER}" in ${path}`,
    async () => {
      if (signal.aborted) throw AppError.from(signal.reason);
      const text = await readIfThere(path);
      const now = performance.now();
      if (text.length > 0) firstByte ??= now;
      return text.includes(GUEST_BANNER) ? now : undefined;
    },
    BOOT_TIMEOUT_MS,
    POLL_MS,
  );
  return { firstByte: ((firstByte ?? banner) - started) / 1000, banner: (banner - started) / 1000 };
};

/** vm.start through the core, the serial log watched from the call; then vm.stop. */
const bootOurs = async (vm: BenchVm): Promise<BootTimes> => {
  const logPath = vm.runPaths.serialLog(0);
  // QEMU truncates the log only when it opens it: the last run's banner would be read before that.
  await rm(logPath, { force: true });
  const failed = new AbortController();
  const started = performance.now();
  try {
    const ref = await vm.call('vm.start', { vmid: vm.vmid });
    const launched = vm.finished(ref).then(
      () => performance.now(),
      (error: unknown) => {
        failed.abort(error);
        throw error;
      },
    );
    const [ok, marks] = await Promise.all([launched, watchSerial(logPath, started, failed.signal)]);
    return { ...marks, launched: (ok - started) / 1000 };
  } finally {
    await vm.finished(await vm.call('vm.stop', { vmid: vm.vmid }));
  }
};

/** The brief's plain QEMU on this machine, same ISO; killed once the banner shows. */
const bootReference = async (lab: BenchLab, iso: string): Promise<BootTimes> => {
  const dir = await mkdtemp(join(lab.workDir, 'boot-ref-'));
  const serialLog = join(dir, 'serial.log');
  const args = [
    ...['-accel', 'tcg', '-m', '256', '-nodefaults', '-display', 'none'],
    ...['-serial', `file:${serialLog}`, '-cdrom', iso, '-boot', 'd'],
  ];
  const stop = new AbortController();
  const watching = new AbortController();
  const started = performance.now();
  const exited = run('qemu-system-x86_64', args, { timeoutMs: BOOT_TIMEOUT_MS, signal: stop.signal }).then(
    (result: RunResult) => {
      const why = new AppError(
        'command-failed',
        `the reference QEMU exited (code ${result.code}) before the banner: ${result.stderr.trim().slice(-500)}`,
      );
      watching.abort(why);
      return why;
    },
    (error: unknown) => AppError.from(error),
  );
  try {
    return await watchSerial(serialLog, started, watching.signal);
  } finally {
    stop.abort();
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
};

const median = (values: readonly number[]): number | undefined =>
  values.length === 0 ? undefined : summarize(values).p50;

export const vmBoot: Benchmark = {
  id: 'vm-boot',
  name: 'VM boot: vm.start to the guest banner on serial vs plain QEMU',
  needsLab: true,
  async run({ quick, lab, log }): Promise<BenchResult> {
    const runs = quick ? 1 : 3;
    const vm = await createBenchVm(lab, 'bench-boot', log);
    const ours: BootTimes[] = [];
    const reference: BootTimes[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        // Alternate who goes first, so neither always boots on the warmer page cache.
        const order = i % 2 === 0 ? (['ours', 'reference'] as const) : (['reference', 'ours'] as const);
        for (const who of order) {
          if (who === 'ours') {
            const times = await bootOurs(vm);
            ours.push(times);
            log(
              `vm-boot: ours banner ${times.banner.toFixed(2)} s (task OK ${times.launched?.toFixed(2)} s, first byte ${times.firstByte.toFixed(2)} s)`,
            );
          } else {
            const times = await bootReference(lab, vm.iso);
            reference.push(times);
            log(`vm-boot: plain QEMU banner ${times.banner.toFixed(2)} s (first byte ${times.firstByte.toFixed(2)} s)`);
          }
        }
      }
    } finally {
      await vm.remove();
    }
    const oursBanner = median(ours.map((t) => t.banner));
    const referenceBanner = median(reference.map((t) => t.banner));
    const launched = median(ours.flatMap((t) => (t.launched === undefined ? [] : [t.launched])));
    const afterLaunch = median(ours.flatMap((t) => (t.launched === undefined ? [] : [t.banner - t.launched])));
    const n = { oursSamples: ours.length, referenceSamples: reference.length };
    return {
      ours: `vm.start through the core (SSH → agent → task → QEMU -daemonize with the app's command line, TCG in the lab), the VM's serial0 log read every ${POLL_MS} ms from the call`,
      reference: `qemu-system-x86_64 -accel tcg -m 256 -nodefaults -display none -serial file:… -cdrom <same ISO> -boot d, on this machine, its serial file read every ${POLL_MS} ms from the spawn`,
      rows: [
        {
          metric: 'start → first serial byte',
          unit: 's',
          ours: median(ours.map((t) => t.firstByte)),
          reference: median(reference.map((t) => t.firstByte)),
          ...n,
        },
        { metric: 'start → banner', unit: 's', ours: oursBanner, reference: referenceBanner, ...n },
        {
          // The guest's own boot (boot loader, kernel, init), without what comes before its first byte.
          metric: 'first serial byte → banner',
          unit: 's',
          ours: median(ours.map((t) => t.banner - t.firstByte)),
          reference: median(reference.map((t) => t.banner - t.firstByte)),
          ...n,
        },
        {
          metric: 'start → task OK (QEMU launched)',
          unit: 's',
          ours: launched,
          reference: undefined,
          oursSamples: ours.length,
        },
        { metric: 'task OK → banner', unit: 's', ours: afterLaunch, reference: undefined, oursSamples: ours.length },
        {
          metric: 'start → banner, % of plain QEMU',
          unit: '%',
          ours:
            oursBanner !== undefined && referenceBanner !== undefined
              ? (oursBanner / referenceBanner) * 100
              : undefined,
          reference: 100,
        },
      ],
      notes: [
        `median of ${runs} boot(s) each, alternating who goes first; both run TCG on the same 2-core machine, one at a time.`,
        "the first serial byte is the boot loader's (SeaBIOS writes nothing to serial). The app's command line is PVE's: -boot menu=on makes SeaBIOS wait for ESC (2.5 s by default) before it boots, and the VM has a VGA display on a VNC socket, a USB tablet, a balloon and the QMP monitor; the reference has none of those (no display at all), so much of the gap in 'start →' rows is the guest's machine, not the app's path.",
        "ours includes the RPC over the node's SSH session, the task's config checks and QEMU's -daemonize start; 'task OK' is when the task's status read OK (polled every 20 ms).",
      ],
      extra: { runs, ours, reference },
    };
  },
};
