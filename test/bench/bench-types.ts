// What a benchmark is and what it hands back: rows of figures (ours beside a reference tool's, measured in
// the same run) that run.ts prints as a table and writes to test-results/bench.json.
import type { BenchLab } from './bench-lab';

/** One line of a benchmark's table. Figures are numbers in `unit`; undefined when there is nothing to compare. */
export interface BenchRow {
  metric: string;
  unit: string;
  ours: number | undefined;
  reference: number | undefined;
  /** The target for `ours`, as text (e.g. "< 5"); empty when the row has none. */
  target?: string;
  /** Sample counts behind the figures, so a p99 over 30 samples is read for what it is. */
  oursSamples?: number;
  referenceSamples?: number;
}

export interface BenchResult {
  /** What "ours" is, in a line. */
  ours: string;
  /** What the reference is, in a line. */
  reference: string;
  rows: BenchRow[];
  /** Caveats people must read with the figures (which path was measured, what is missing). */
  notes: string[];
  /** Anything else worth keeping in bench.json (raw sample summaries, settings). */
  extra?: Record<string, unknown>;
}

export interface BenchContext {
  quick: boolean;
  /** The one-node lab; run.ts brings it up only when a selected benchmark needs it. */
  lab: BenchLab;
  log: (line: string) => void;
}

export interface Benchmark {
  /** Short id for `--only` and bench.json: rpc, inventory, footprint, … */
  id: string;
  name: string;
  /** Whether the benchmark needs the lab (a future renderer benchmark may not). */
  needsLab: boolean;
  run(context: BenchContext): Promise<BenchResult>;
}
