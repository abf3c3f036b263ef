// Benchmark: creating and starting a container. Ours: ct.create with start through the core (SSH, agent, task:
// storage, tar, id shift, distribution setup, LXC config, lxc-start) until the task ends OK and the container answers
// ct.exec `true`. Reference, same run, same template file: the template started by hand with plain LXC tools
// (lxc-reference.ts). For the busybox template (privileged and unprivileged) and the Debian 12 one (privileged), which
// is built here first (debootstrap, cached): when it cannot be built its row says why and the rest still runs.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AppError } from '../../node-agent/src/api/errors';
import type { CtTemplateKind } from '../ct-templates/ct-templates';
import { until } from '../integration/lab-calls';
import type { BenchLab } from './bench-lab';
import {
  benchCtCalls,
  createStartedCt,
  installTemplate,
  removeCt,
  type BenchCtCalls,
  type BenchTemplate,
} from './bench-ct';
import type { Benchmark, BenchResult, BenchRow } from './bench-types';
import { startByHand, type ReferenceTimes } from './lxc-reference';
import { summarize } from './stats';

interface Variant {
  label: string;
  kind: CtTemplateKind;
  unprivileged: boolean;
  /** The first of this variant's vmids (one per run, all within 240–259). */
  firstVmid: number;
  runs: (quick: boolean) => number;
}

const VARIANTS: readonly Variant[] = [
  { label: 'busybox', kind: 'busybox', unprivileged: false, firstVmid: 240, runs: (quick) => (quick ? 3 : 5) },
  {
    label: 'busybox unprivileged',
    kind: 'busybox',
    unprivileged: true,
    firstVmid: 245,
    runs: (quick) => (quick ? 3 : 5),
  },
  { label: 'Debian 12', kind: 'debian', unprivileged: false, firstVmid: 250, runs: (quick) => (quick ? 1 : 3) },
];

interface OursTimes {
  /** Seconds from the ct.create call to its task read as ended OK, and to the first ct.exec `true` that exited 0. */
  taskOk: number;
  answered: number;
  upid: string;
}

/** ct.create + start through the core until its task ended OK, then ct.exec `true` until it answers. */
const timeCreate = async (
  calls: BenchCtCalls,
  vmid: number,
  template: BenchTemplate,
  unprivileged: boolean,
): Promise<OursTimes> => {
  const started = performance.now();
  const upid = await createStartedCt(calls, { vmid, template, unprivileged });
  const taskOk = performance.now();
  let last = '';
  await until(
    `CT ${vmid} answering ct.exec true`,
    async () => {
      const result = await calls.call('ct.exec', { vmid, command: ['true'] }).catch((error: unknown) => {
        last = AppError.from(error).message;
        return undefined;
      });
      if (result !== undefined && result.exitCode !== 0) last = `exit code ${result.exitCode}: ${result.stderr.trim()}`;
      return result?.exitCode === 0 || undefined;
    },
    60_000,
    20,
  ).catch((error: unknown) => {
    throw new AppError('timeout', `${AppError.from(error).message}${last ? ` (last: ${last})` : ''}`);
  });
  const answered = performance.now();
  return { taskOk: (taskOk - started) / 1000, answered: (answered - started) / 1000, upid };
};

/** timeCreate, then the container removed (not timed). */
const createOurs = async (
  calls: BenchCtCalls,
  vmid: number,
  template: BenchTemplate,
  unprivileged: boolean,
  log: (line: string) => void,
): Promise<OursTimes> => {
  let times: OursTimes;
  try {
    times = await timeCreate(calls, vmid, template, unprivileged);
  } catch (error) {
    // The failure is what to report; a removal that fails too is only logged (the lab goes down after the run).
    await removeCt(calls, vmid).catch((cleanup: unknown) =>
      log(`ct-create: removing CT ${vmid} failed too: ${AppError.from(cleanup).message}`),
    );
    throw error;
  }
  await removeCt(calls, vmid);
  return times;
};

interface VariantResult {
  variant: Variant;
  ours: OursTimes[];
  reference: ReferenceTimes[];
  /** Why the variant did not run (its template could not be built). */
  notBuilt?: string;
  /** What the first create's task log says about the root disk (which volume, formatted how). */
  rootfs?: string[];
}

/** The task log's lines about the root disk: the volume and the commands that made it. */
const rootfsLines = async (calls: BenchCtCalls, upid: string): Promise<string[]> => {
  const { lines } = await calls.call('task.log', { upid, start: 0, limit: 500 });
  return [
    ...new Set(lines.map((line) => line.t).filter((t) => /^rootfs|^# (mkfs|truncate|qemu-img|losetup|mount)/.test(t))),
  ];
};

const runVariant = async (
  lab: BenchLab,
  calls: BenchCtCalls,
  variant: Variant,
  template: BenchTemplate,
  quick: boolean,
  log: (line: string) => void,
): Promise<VariantResult> => {
  const result: VariantResult = { variant, ours: [], reference: [] };
  const refDir = join(lab.node.root, 'var/lib/hd-bench-ref');
  for (let i = 0; i < variant.runs(quick); i++) {
    // Alternate who goes first, so neither always finds the template in the warmer page cache.
    const order = i % 2 === 0 ? (['ours', 'reference'] as const) : (['reference', 'ours'] as const);
    for (const who of order) {
      if (who === 'ours') {
        const times = await createOurs(calls, variant.firstVmid + i, template, variant.unprivileged, log);
        result.ours.push(times);
        result.rootfs ??= await rootfsLines(calls, times.upid);
        log(`ct-create: ${variant.label}: ours ${times.answered.toFixed(2)} s (task OK ${times.taskOk.toFixed(2)} s)`);
      } else {
        const times = await startByHand(template.path, refDir, variant.unprivileged);
        result.reference.push(times);
        log(
          `ct-create: ${variant.label}: plain LXC ${times.answered.toFixed(2)} s (unpacked ${times.unpacked.toFixed(2)} s)`,
        );
      }
    }
  }
  return result;
};

const median = (values: readonly number[]): number | undefined =>
  values.length === 0 ? undefined : summarize(values).p50;

const rowsOf = ({ variant, ours, reference, notBuilt }: VariantResult): BenchRow[] => {
  if (notBuilt !== undefined)
    return [{ metric: `${variant.label}: not built: ${notBuilt}`, unit: 's', ours: undefined, reference: undefined }];
  const n = { oursSamples: ours.length, referenceSamples: reference.length };
  const answered = median(ours.map((t) => t.answered));
  const byHand = median(reference.map((t) => t.answered));
  return [
    {
      metric: `${variant.label}: create + start → answers \`true\``,
      unit: 's',
      ours: answered,
      reference: byHand,
      ...n,
    },
    {
      metric: `${variant.label}: … until the task ended OK / unpacked`,
      unit: 's',
      ours: median(ours.map((t) => t.taskOk)),
      reference: median(reference.map((t) => t.unpacked)),
      ...n,
    },
    {
      metric: `${variant.label}: create + start, × plain LXC`,
      unit: '×',
      ours: answered !== undefined && byHand !== undefined ? answered / byHand : undefined,
      reference: 1,
    },
  ];
};

/** A one-line reason from a failed template build (build.sh's last words). */
const reasonOf = (error: unknown): string => {
  const lines = AppError.from(error).message.trim().split('\n').filter(Boolean);
  return (lines.at(-1) ?? 'unknown').slice(0, 160);
};

export const ctCreate: Benchmark = {
  id: 'ct-create',
  name: 'Container create + start: ct.create through the core vs plain LXC by hand',
  needsLab: true,
  async run({ quick, lab, log }): Promise<BenchResult> {
    const calls = await benchCtCalls(lab);
    const templates = new Map<CtTemplateKind, BenchTemplate | string>();
    for (const kind of new Set(VARIANTS.map((v) => v.kind))) {
      if (kind === 'debian')
        log('ct-create: building the Debian 12 template (debootstrap: minutes the first time, cached after)');
      templates.set(
        kind,
        await installTemplate(lab, kind).catch((error: unknown) => {
          // Only Debian's build depends on something outside this machine (Debian's mirror).
          if (kind !== 'debian') throw error;
          log(`ct-create: the Debian 12 template could not be built: ${AppError.from(error).message}`);
          return reasonOf(error);
        }),
      );
    }
    const results: VariantResult[] = [];
    for (const variant of VARIANTS) {
      const template = templates.get(variant.kind);
      if (template === undefined || typeof template === 'string') {
        results.push({ variant, ours: [], reference: [], notBuilt: template ?? 'no template' });
        continue;
      }
      results.push(await runVariant(lab, calls, variant, template, quick, log));
    }
    const runs = VARIANTS.map((v) => `${v.label} ${v.runs(quick)}`).join(', ');
    return {
      ours: "ct.create {rootfs: 'local:2', start: true} through the core (SSH → agent → task), waited for (task.status every 50 ms), then ct.exec ['true'] until it exits 0",
      reference:
        'the same template file by hand: tar -xpf into a folder (lxc-usernsexec -m b:0:100000:65536 for unprivileged), a minimal config (common.conf, userns.conf + idmap, lxc.net.0.type = empty), lxc-start -d, lxc-wait -s RUNNING, lxc-attach -- true',
      rows: results.flatMap(rowsOf),
      notes: [
        `median of ${runs} run(s) each, alternating who goes first; every container is destroyed after its run (not timed).`,
        "ours does what PVE's create does on top: validation, the root disk volume on `local` (see its task log lines below), tar with xattrs, the id shift for unprivileged (the reference unpacks through the user namespace), the distribution's setup (hostname, hosts, network files), the PVE config, the compiled LXC config with cgroup limits and seccomp, and its task log; each agent call is an RPC over the node's SSH session.",
        'the lab node is this machine: no network latency; the reference runs in the host namespaces, lxc-* called directly.',
        ...results.flatMap((r) =>
          r.rootfs?.length ? [`${r.variant.label}, ours' root disk (task log): ${r.rootfs.join(' | ')}`] : [],
        ),
      ],
      extra: {
        results: results.map(({ variant, ours, reference, notBuilt, rootfs }) => ({
          variant: variant.label,
          ours,
          reference,
          notBuilt,
          rootfs,
        })),
      },
    };
  },
};
