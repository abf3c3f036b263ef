// Benchmark: uploading an ISO image to a lab node with the app's uploader (storage.upload: sha256 here, SFTP on
// the node's own SSH connection, the node checks the sha256) beside OpenSSH's `scp` of the same file, same key,
// same known_hosts, in the same run. Figures in MB/s (10^6 bytes).
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import { AppError } from '../../node-agent/src/api/errors';
import { runChecked } from '../../node-agent/src/exec/run';
import type { UploadProgress } from '../../main/core/app-api';
import type { HyperdeskCore } from '../../main/core/core';
import { IN_FLIGHT } from '../../main/core/sftp-write-range';
import type { BenchLab } from './bench-lab';
import type { Benchmark, BenchResult } from './bench-types';

const MiB = 1024 * 1024;
const settings = (quick: boolean) => (quick ? { size: 64 * MiB, runs: 1 } : { size: 256 * MiB, runs: 5 });
const UPLOAD_TIMEOUT_MS = 10 * 60_000;

const writeRandomFile = async (path: string, size: number): Promise<void> => {
  const out = createWriteStream(path);
  for (let written = 0; written < size; written += MiB) {
    if (!out.write(randomBytes(Math.min(MiB, size - written)))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** One upload through the core: seconds end to end, and seconds from the first byte sent to the last. */
const timeOurs = async (core: HyperdeskCore, lab: BenchLab, file: string, filename: string): Promise<{ total: number; transfer: number }> => {
  const marks: Partial<Record<UploadProgress['state'], number>> = {};
  let uploadId: string | undefined;
  let settle: (last: UploadProgress) => void = () => undefined;
  const ended = new Promise<UploadProgress>((resolve) => (settle = resolve));
  const early: UploadProgress[] = [];
  const seen = (event: UploadProgress) => {
    marks[event.state] ??= performance.now();
    if (event.state === 'done' || event.state === 'failed' || event.state === 'cancelled') settle(event);
  };
  const stop = core.on('upload.progress', (event) => {
    if (uploadId === undefined) early.push(event);
    else if (event.uploadId === uploadId) seen(event);
  });
  try {
    const started = performance.now();
    ({ uploadId } = await core.handle('storage.upload', { node: lab.nodeKey, storage: 'local', content: 'iso', path: file, filename }));
    for (const event of early) if (event.uploadId === uploadId) seen(event);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const last = await Promise.race([
      ended,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new AppError('timeout', `uploading ${filename} took over ${UPLOAD_TIMEOUT_MS / 1000} s`)), UPLOAD_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
    if (last.state !== 'done') throw AppError.fromWire(last.error ?? { code: 'internal-error', message: `the upload of ${filename} ended ${last.state}` });
    const end = marks.done ?? performance.now();
    const sending = marks.uploading ?? started;
    const verifying = marks.verifying ?? end;
    // Not in a finally that swallows errors: a delete that fails is a bug to see, and a leftover to clean.
    await core.handle('agent.call', { node: lab.nodeKey, method: 'storage.content.delete', params: { volid: `local:iso/${filename}` } });
    return { total: (end - started) / 1000, transfer: (verifying - sending) / 1000 };
  } finally {
    stop();
  }
};

const timeScp = async (lab: BenchLab, file: string, remotePath: string): Promise<number> => {
  const started = performance.now();
  await runChecked('scp', ['-q', ...lab.sshOptions(), file, `${lab.sshTarget}:${remotePath}`], { timeoutMs: UPLOAD_TIMEOUT_MS });
  const seconds = (performance.now() - started) / 1000;
  await rm(remotePath, { force: true });
  return seconds;
};

export const storageUpload: Benchmark = {
  id: 'upload',
  name: 'ISO upload (SFTP, resumable, sha256-checked) vs scp',
  needsLab: true,
  async run({ quick, lab, log }): Promise<BenchResult> {
    const { size, runs } = settings(quick);
    const file = join(lab.workDir, 'bench-upload.iso');
    await writeRandomFile(file, size);
    // The lab node's file system is this machine's: scp writes beside where our upload lands.
    const isoDir = join(lab.node.root, 'var/lib/vz/template/iso');
    const core = await lab.openCore();
    const ours: { total: number; transfer: number }[] = [];
    const scp: number[] = [];
    try {
      await runChecked('mkdir', ['-p', isoDir]);
      for (let i = 0; i < runs; i++) {
        // Alternate who goes first, so neither always gets the warmer page cache.
        const order = i % 2 === 0 ? (['ours', 'scp'] as const) : (['scp', 'ours'] as const);
        for (const who of order) {
          // Write back what the last transfer left dirty, so neither pays for the other's disk writes.
          await runChecked('sync', []);
          if (who === 'ours') {
            ours.push(await timeOurs(core, lab, file, `bench-ours-${i}.iso`));
            log(`upload: ours ${(size / MiB).toFixed(0)} MiB in ${ours.at(-1)!.total.toFixed(2)} s (sending ${ours.at(-1)!.transfer.toFixed(2)} s)`);
          } else {
            scp.push(await timeScp(lab, file, join(isoDir, `bench-scp-${i}.iso`)));
            log(`upload: scp ${(size / MiB).toFixed(0)} MiB in ${scp.at(-1)!.toFixed(2)} s`);
          }
        }
      }
    } finally {
      await rm(file, { force: true });
    }
    const mbps = (seconds: number) => size / 1e6 / seconds;
    const oursTotal = mbps(median(ours.map((o) => o.total)));
    const oursTransfer = mbps(median(ours.map((o) => o.transfer)));
    const scpRate = mbps(median(scp));
    return {
      ours: `storage.upload through the core: fingerprint, SFTP writes (${IN_FLIGHT} × 255 KiB in flight, in file order) on the node session with the sha256 hashed beside them on a worker thread, sha256 checked on the node`,
      reference: `scp -q (OpenSSH, same key and known_hosts) of the same file to the same folder`,
      rows: [
        { metric: 'end to end (hash, send, verify)', unit: 'MB/s', ours: oursTotal, reference: scpRate, oursSamples: ours.length, referenceSamples: scp.length },
        { metric: 'sending only', unit: 'MB/s', ours: oursTransfer, reference: scpRate, oursSamples: ours.length, referenceSamples: scp.length },
        { metric: 'sending, % of scp', unit: '%', ours: (oursTransfer / scpRate) * 100, reference: 100, target: '≥ 90' },
        { metric: 'end to end, % of scp', unit: '%', ours: (oursTotal / scpRate) * 100, reference: 100 },
      ],
      notes: [
        `${(size / MiB).toFixed(0)} MiB of random data, median of ${runs} run(s) each, over the lab's veth link (no real network latency).`,
        'scp includes its own SSH login (ours reuses the node session that is already up); scp checks nothing, ours hashes the file while sending and the node reads it again to check the sha256, both included in "end to end". Every transfer starts after a sync.',
      ],
      extra: { size, ours, scp },
    };
  },
};
