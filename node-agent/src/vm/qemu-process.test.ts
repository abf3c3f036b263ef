import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempDirForTest } from '../fs/temp-dir';
import { cleanupRunFiles, isProcessAlive, killQemu, launchQemu, runningPid } from './qemu-process';
import { vmRunPaths, type VmRunPaths } from './run-paths';

const T = 30_000;
const VMID = 4242;

/** Every QEMU a test started, stopped afterwards whatever happened. */
const started: number[] = [];
afterEach(async () => {
  for (const pid of started.splice(0)) await killQemu(pid, { graceMs: 2000 });
});

/** A daemonized QEMU with no machine, as the VM start compiles it: -daemonize, -pidfile, QMP on runPaths. */
const argvFor = (runPaths: VmRunPaths, extra: string[] = []): string[] => [
  'qemu-system-x86_64',
  '-machine',
  'none',
  '-nodefaults',
  '-display',
  'none',
  '-S',
  '-daemonize',
  '-pidfile',
  runPaths.pid,
  '-qmp',
  `unix:${runPaths.qmp},server=on,wait=off`,
  ...extra,
];

const runPathsForTest = async (): Promise<VmRunPaths> => vmRunPaths({ run: await tempDirForTest('hd-qemu-') }, VMID);

const launch = async (runPaths: VmRunPaths, argv = argvFor(runPaths)): Promise<number> => {
  const { pid } = await launchQemu(argv, { vmid: VMID, runPaths, timeoutMs: 20_000 });
  started.push(pid);
  return pid;
};

describe('launchQemu', () => {
  it(
    'starts a daemonized QEMU: run folder 0700, pid file and QMP socket in place, pid found again',
    async () => {
      const runPaths = await runPathsForTest();
      const pid = await launch(runPaths);
      expect((await stat(runPaths.dir)).mode & 0o777).toBe(0o700);
      expect(Number((await readFile(runPaths.pid, 'utf8')).trim())).toBe(pid);
      expect((await stat(runPaths.qmp)).isSocket()).toBe(true);
      expect(await runningPid(runPaths)).toBe(pid);
      // Another VM's pid file naming this live QEMU (a stale file, the pid reused) does not count for that VM.
      const other = vmRunPaths({ run: dirname(runPaths.dir) }, VMID + 1);
      await writeFile(other.pid, `${pid}\n`);
      expect(await runningPid(other)).toBeUndefined();
    },
    T,
  );

  it(
    "reports QEMU's error naming the VM when it cannot start",
    async () => {
      const runPaths = await runPathsForTest();
      const error = await launchQemu(argvFor(runPaths, ['-no-such-option']), {
        vmid: VMID,
        runPaths,
        timeoutMs: 20_000,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'command-failed', details: { vmid: VMID } });
      expect((error as Error).message).toMatch(new RegExp(`^VM ${VMID}: QEMU failed to start .*-no-such-option`));
      expect(await runningPid(runPaths)).toBeUndefined();
    },
    T,
  );

  it(
    'refuses a command line without -daemonize or with another pid file',
    async () => {
      const runPaths = await runPathsForTest();
      const argv = argvFor(runPaths).filter((arg) => arg !== '-daemonize');
      await expect(launchQemu(argv, { vmid: VMID, runPaths })).rejects.toMatchObject({ code: 'invalid-params' });
      const otherPid = argvFor(runPaths).map((arg) => (arg === runPaths.pid ? `${runPaths.pid}.x` : arg));
      await expect(launchQemu(otherPid, { vmid: VMID, runPaths })).rejects.toMatchObject({ code: 'invalid-params' });
    },
    T,
  );

  it(
    'refuses to start a VM that already runs',
    async () => {
      const runPaths = await runPathsForTest();
      await launch(runPaths);
      await expect(launchQemu(argvFor(runPaths), { vmid: VMID, runPaths })).rejects.toMatchObject({
        code: 'already-exists',
      });
    },
    T,
  );

  it(
    'starts over stale files a killed QEMU left behind',
    async () => {
      const runPaths = await runPathsForTest();
      const first = await launch(runPaths);
      process.kill(first, 'SIGKILL');
      const gone = Date.now() + 5000;
      while ((await isProcessAlive(first)) && Date.now() < gone)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await runningPid(runPaths)).toBeUndefined();
      const second = await launch(runPaths);
      expect(second).not.toBe(first);
      expect(await runningPid(runPaths)).toBe(second);
    },
    T,
  );
});

describe('runningPid', () => {
  it(
    'does not count a pid file whose process is some other program (a recycled pid)',
    async () => {
      const runPaths = await runPathsForTest();
      await mkdir(runPaths.dir, { recursive: true });
      await writeFile(runPaths.pid, `${process.pid}\n`); // alive, but not a QEMU with this -pidfile
      expect(await runningPid(runPaths)).toBeUndefined();
      await writeFile(runPaths.pid, 'garbage\n');
      expect(await runningPid(runPaths)).toBeUndefined();
    },
    T,
  );

  it(
    'is undefined without a pid file',
    async () => {
      expect(await runningPid(await runPathsForTest())).toBeUndefined();
    },
    T,
  );
});

describe('killQemu', () => {
  it(
    'stops a running QEMU and resolves once it is gone; false when it was gone already',
    async () => {
      const runPaths = await runPathsForTest();
      const pid = await launch(runPaths);
      expect(await killQemu(pid, { graceMs: 2000 })).toBe(true);
      expect(await isProcessAlive(pid)).toBe(false);
      expect(await runningPid(runPaths)).toBeUndefined();
      expect(await killQemu(pid)).toBe(false);
    },
    T,
  );
});

describe('cleanupRunFiles', () => {
  it(
    'removes sockets and the pid file but keeps the serial log',
    async () => {
      const runPaths = await runPathsForTest();
      await mkdir(runPaths.dir, { recursive: true });
      const files = [
        runPaths.qmp,
        runPaths.vnc,
        runPaths.pid,
        runPaths.serial(0),
        runPaths.serial(3),
        runPaths.serialLog(0),
      ];
      await Promise.all(files.map((file) => writeFile(file, 'x')));
      await cleanupRunFiles(runPaths);
      const exists = await Promise.all(
        files.map((file) =>
          stat(file).then(
            () => true,
            () => false,
          ),
        ),
      );
      expect(exists).toEqual([false, false, false, false, false, true]);
    },
    T,
  );
});
