// `npm run bench` (full) and `tsx test/bench/run.ts --quick` (the end of `npm test`): brings up a one-node lab,
// runs each benchmark, prints its figures beside the reference's, writes them all to test-results/bench.json,
// and always takes the lab down. Figures are reported, never judged: the exit code says only whether it ran.
// `--only rpc,inventory` runs some of them (ids in benchmarks.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../node-agent/src/api/errors';
import { run } from '../../node-agent/src/exec/run';
import { repoRoot } from '../lab/lab-layout';
import { benchLabUp, type BenchLab } from './bench-lab';
import type { Benchmark, BenchContext, BenchResult } from './bench-types';
import { benchmarks } from './benchmarks';
import { formatResult } from './table';

interface Outcome {
  id: string;
  name: string;
  ok: boolean;
  durationMs: number;
  result?: BenchResult;
  error?: string;
}

const log = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`);
};

const machine = async () => ({
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  kernel: release(),
  node: process.version,
  openssh: (await run('ssh', ['-V'], { timeoutMs: 5_000 }).catch(() => undefined))?.stderr.trim() ?? 'unknown',
});

const select = (only: string | undefined): readonly Benchmark[] => {
  if (only === undefined) return benchmarks;
  const ids = only.split(',').map((id) => id.trim());
  const unknown = ids.filter((id) => !benchmarks.some((b) => b.id === id));
  if (unknown.length > 0)
    throw new AppError(
      'invalid-params',
      `no benchmark ${unknown.join(', ')} — there are ${benchmarks.map((b) => b.id).join(', ')}`,
    );
  return benchmarks.filter((b) => ids.includes(b.id));
};

const runAll = async (
  selected: readonly Benchmark[],
  quick: boolean,
  lab: BenchLab | undefined,
): Promise<Outcome[]> => {
  const context: BenchContext = {
    quick,
    log,
    get lab(): BenchLab {
      if (!lab) throw new AppError('internal-error', 'this benchmark needs the lab but declared needsLab: false');
      return lab;
    },
  };
  const outcomes: Outcome[] = [];
  for (const benchmark of selected) {
    const started = Date.now();
    log(`── ${benchmark.name}`);
    try {
      const result = await benchmark.run(context);
      outcomes.push({ id: benchmark.id, name: benchmark.name, ok: true, durationMs: Date.now() - started, result });
      console.log(`\n${formatResult(benchmark.name, result)}\n`);
    } catch (error) {
      const message = AppError.from(error).message;
      outcomes.push({
        id: benchmark.id,
        name: benchmark.name,
        ok: false,
        durationMs: Date.now() - started,
        error: message,
      });
      console.log(`\n── ${benchmark.name}\nCOULD NOT RUN: ${message}\n`);
    }
  }
  return outcomes;
};

const main = async (): Promise<number> => {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const quick = values.quick;
  const selected = select(values.only);
  const startedAt = new Date();
  console.log(
    `benchmarks (${quick ? 'quick' : 'full'}): ${selected.map((b) => b.id).join(', ')} — figures, not pass/fail`,
  );

  let lab: BenchLab | undefined;
  const bringingUp = new AbortController();
  let stopping = false;
  // Ctrl-C while the lab comes up cancels it (labUp removes what it made); once up, the lab is taken down.
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    bringingUp.abort();
    if (!lab) return log(`${signal}: cancelling the lab`);
    log(`${signal}: taking the lab down`);
    void lab.down().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let outcomes: Outcome[] = [];
  let labError: string | undefined;
  try {
    if (selected.some((b) => b.needsLab)) {
      log('bringing up a one-node lab');
      lab = await benchLabUp((line) => log(`lab: ${line}`), bringingUp.signal);
    }
    outcomes = await runAll(selected, quick, lab);
  } catch (error) {
    labError = AppError.from(error).message;
    console.log(`\nthe benchmarks could not run: ${labError}`);
  } finally {
    if (lab) {
      log('taking the lab down');
      await lab.down().catch((error: unknown) => {
        labError ??= `taking the lab down failed: ${AppError.from(error).message}`;
        console.log(`\n${labError}`);
      });
    }
  }

  const file = join(repoRoot(), 'test-results', 'bench.json');
  await mkdir(join(repoRoot(), 'test-results'), { recursive: true });
  const report = {
    mode: quick ? 'quick' : 'full',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: await machine(),
    ...(labError ? { error: labError } : {}),
    benchmarks: outcomes,
  };
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`figures written to ${file}`);
  return labError === undefined && outcomes.every((o) => o.ok) ? 0 : 1;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench: ${AppError.from(error).message}`);
    process.exit(1);
  },
);
