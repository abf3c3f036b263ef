import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '../api/errors';
import { CheckId, CheckResult } from '../api/node';
import { agentPaths } from '../daemon/paths';
import { run } from '../exec/run';
import type { TaskContext } from '../tasks/task-context';
import { freeSpaceVerdict, runNodeCheck, summarizeChecks } from './check';

const GiB = 1024 ** 3;

/** A real TaskContext over exec/run: logs each command and its output, as the daemon's task runner does. */
const makeContext = (env?: NodeJS.ProcessEnv) => {
  const controller = new AbortController();
  const lines: string[] = [];
  const warnings: string[] = [];
  const progress: number[] = [];
  const ctx: TaskContext = {
    upid: 'UPID:n1:00001234:00005678:6745A1B2:node.check::root@pam:',
    signal: controller.signal,
    log: (line) => lines.push(line),
    warn: (line) => warnings.push(line),
    progress: (fraction) => progress.push(fraction),
    run: async (command, args, options = {}) => {
      lines.push(`# ${[command, ...args].join(' ')}`);
      const result = await run(command, args, {
        ...options,
        ...(env === undefined ? {} : { env }),
        signal: controller.signal,
      });
      for (const line of `${result.stdout}${result.stderr}`.split('\n')) if (line.trim() !== '') lines.push(line);
      return result;
    },
  };
  return { ctx, controller, lines, warnings, progress };
};

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hd-check-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('runNodeCheck on this machine', () => {
  it('runs the seven checks in order, logs each, and reaches full progress', async () => {
    const { ctx, lines, warnings, progress } = makeContext();
    const results = await runNodeCheck(ctx, agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' }));
    expect(results.map((r) => r.id)).toEqual(CheckId.options);
    for (const result of results) expect(CheckResult.parse(result)).toEqual(result);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => i / 7));

    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    // Installed here (see the preamble): qemu, lxc, nftables (run as root), btrfs-progs.
    expect(byId.qemu?.status).toBe('ok');
    expect(byId.qemu?.message).toMatch(/^QEMU emulator version \d+\.\d+/);
    expect(byId.lxc?.status).toBe('ok');
    expect(byId.lxc?.message).toMatch(/^LXC \d+\.\d+/);
    expect(byId.nftables?.status).toBe('ok');
    expect(byId.nftables?.message).toMatch(/^nftables v\d/);
    expect(byId['btrfs-progs']?.status).toBe('ok');
    expect(byId['btrfs-progs']?.message).toMatch(/^btrfs-progs v\d/);
    expect(byId.kvm?.status === 'ok' || byId.kvm?.message.includes('TCG emulation')).toBe(true);
    expect(byId['free-space']?.message).toContain(`on ${root}`);
    // Unknown or unsynchronised time is a warning, never a failure.
    expect(byId['time-sync']?.status).not.toBe('failed');

    // Every command is logged, and each verdict is one line; warnings go through warn().
    expect(lines).toContain('# qemu-system-x86_64 --version');
    expect(lines).toContain('# nft list tables');
    for (const result of results) {
      const line = `${result.id}: ${result.status} — ${result.message}`;
      expect(result.status === 'warning' ? warnings : lines).toContain(line);
    }
  });

  it('fails each missing command with the Debian package to install', async () => {
    const empty = join(root, 'empty-bin');
    const { ctx } = makeContext({ PATH: empty });
    const results = await runNodeCheck(ctx, agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' }));
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId.qemu).toEqual({
      id: 'qemu',
      status: 'failed',
      message: 'qemu-system-x86_64 is not installed — install the Debian package qemu-system-x86',
    });
    expect(byId.lxc).toEqual({
      id: 'lxc',
      status: 'failed',
      message: 'lxc-info is not installed — install the Debian package lxc',
    });
    expect(byId.nftables).toEqual({
      id: 'nftables',
      status: 'failed',
      message: 'nft is not installed — install the Debian package nftables',
    });
    expect(byId['btrfs-progs']).toEqual({
      id: 'btrfs-progs',
      status: 'failed',
      message: 'btrfs is not installed — install the Debian package btrfs-progs',
    });
    expect(byId['time-sync']?.status).toBe('warning');
    expect(byId['time-sync']?.message).toMatch(/chrony/);
    expect(summarizeChecks(results)).toMatchObject({
      failed: 4,
      failedIds: ['qemu', 'lxc', 'nftables', 'btrfs-progs'],
    });
  });

  it('stops between checks when cancelled', async () => {
    const { ctx, controller, progress } = makeContext();
    ctx.progress = (fraction) => {
      progress.push(fraction);
      controller.abort();
    };
    const error = await runNodeCheck(ctx, agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAppError(error, 'cancelled')).toBe(true);
    expect((error as AppError).message).toBe('node check of n1 was cancelled after 1 of 7 checks');
    expect(progress).toEqual([1 / 7]);
  });
});

describe('freeSpaceVerdict', () => {
  it('fails below 1 GiB, warns below 10%, and is ok otherwise', () => {
    expect(freeSpaceVerdict({ total: 4 * GiB, used: 3.5 * GiB, avail: 0.5 * GiB }, '/')).toEqual({
      status: 'failed',
      message: 'only 0.5 GiB free of 4.0 GiB (13%) on / — free some space',
    });
    expect(freeSpaceVerdict({ total: 100 * GiB, used: 95 * GiB, avail: 5 * GiB }, '/')).toEqual({
      status: 'warning',
      message: '5.0 GiB free of 100.0 GiB (5%) on / — less than 10% left',
    });
    expect(freeSpaceVerdict({ total: 100 * GiB, used: 50 * GiB, avail: 50 * GiB }, '/srv')).toEqual({
      status: 'ok',
      message: '50.0 GiB free of 100.0 GiB (50%) on /srv',
    });
  });
});

describe('summarizeChecks', () => {
  it('counts verdicts and names the failed checks', () => {
    const summary = summarizeChecks([
      { id: 'qemu', status: 'ok', message: '' },
      { id: 'kvm', status: 'warning', message: '' },
      { id: 'lxc', status: 'failed', message: '' },
    ]);
    expect(summary).toEqual({
      ok: 1,
      warnings: 1,
      failed: 1,
      failedIds: ['lxc'],
      text: '3 checks: 1 ok, 1 warning, 1 failed (lxc)',
    });
    expect(summarizeChecks([]).text).toBe('0 checks: 0 ok, 0 warnings, 0 failed');
  });
});
