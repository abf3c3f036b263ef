import { afterEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDirForTest } from '../fs/temp-dir';
import { killQemu, launchQemu } from './qemu-process';
import { vmRunPaths, type VmRunPaths } from './run-paths';
import {
  parseProcPidStat,
  parseVmRss,
  queryStatus,
  queryVmStats,
  sumBlockstats,
  vmRunState,
  watchVm,
  type VmStateChange,
  type VmWatch,
} from './vm-watch';

const T = 60_000;
const VMID = 4343;

const pids: number[] = [];
const watches: VmWatch[] = [];
afterEach(async () => {
  for (const watch of watches.splice(0)) watch.dispose();
  for (const pid of pids.splice(0)) await killQemu(pid, { graceMs: 2000 });
});

/**
 * A 512-byte boot sector that powers the PC off at once (ACPI PM1a control at 0x604, SLP_EN with S5's type 0),
 * standing in for a guest OS that shuts down: mov dx,0x604; mov ax,0x2000; out dx,ax; hlt; jmp $-1.
 */
const poweroffBootSector = (): Buffer => {
  const code = Buffer.from([0xba, 0x04, 0x06, 0xb8, 0x00, 0x20, 0xef, 0xf4, 0xeb, 0xfd]);
  const sector = Buffer.alloc(512);
  code.copy(sector);
  sector.writeUInt16LE(0xaa55, 510);
  return sector;
};

const start = async (machine: string[]): Promise<{ runPaths: VmRunPaths; pid: number }> => {
  const runPaths = vmRunPaths({ run: await tempDirForTest('hd-watch-') }, VMID);
  const argv = ['qemu-system-x86_64', '-accel', 'tcg', ...machine, '-nodefaults', '-display', 'none', '-daemonize'];
  argv.push('-pidfile', runPaths.pid, '-qmp', `unix:${runPaths.qmp},server=on,wait=off`);
  const { pid } = await launchQemu(argv, { vmid: VMID, runPaths, timeoutMs: 20_000 });
  pids.push(pid);
  return { runPaths, pid };
};

const watch = async (runPaths: VmRunPaths) => {
  const changes: VmStateChange[] = [];
  const w = await watchVm(VMID, runPaths, { onState: (change) => changes.push(change) });
  watches.push(w);
  const states = () => changes.map((c) => c.state);
  const until = async (state: VmStateChange['state'], ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!states().includes(state)) {
      if (Date.now() > deadline) throw new Error(`VM never reported ${state}; saw ${states().join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { w, changes, states, until };
};

describe('watchVm against a real QEMU', () => {
  it(
    'reports prelaunch, then running and paused as the VM is continued and stopped, then shutdown and stopped on quit',
    async () => {
      const { runPaths } = await start(['-machine', 'none', '-S']);
      const { w, changes, states, until } = await watch(runPaths);
      expect(changes[0]).toEqual({ state: 'prelaunch', qmpstatus: 'prelaunch', cause: 'initial' });
      await expect(queryStatus(w.client)).resolves.toEqual({ status: 'prelaunch', running: false });
      await w.client.execute('cont');
      await until('running');
      await w.client.execute('stop');
      await until('paused');
      await w.client.execute('quit');
      await until('stopped');
      expect(states()).toEqual(['prelaunch', 'running', 'paused', 'shutdown', 'stopped']);
      expect(changes[3]).toMatchObject({ cause: 'SHUTDOWN', guest: false, reason: 'host-qmp-quit' });
    },
    T,
  );

  it(
    'reports stopped within a second when QEMU is killed',
    async () => {
      const { runPaths, pid } = await start(['-machine', 'none', '-S']);
      const { until } = await watch(runPaths);
      const killed = Date.now();
      process.kill(pid, 'SIGKILL');
      await until('stopped', 1000);
      expect(Date.now() - killed).toBeLessThan(1000);
    },
    T,
  );

  it(
    "reports the guest's power-off as shutdown (QEMU stays with -no-shutdown), with disk reads in the stats",
    async () => {
      const disk = join(await tempDirForTest('hd-watch-disk-'), 'boot.img');
      await writeFile(disk, poweroffBootSector());
      // -S so the watch is in place before the guest runs.
      const machine = ['-machine', 'pc', '-m', '32', '-S', '-no-shutdown', '-drive', `file=${disk},format=raw,if=ide`];
      const { runPaths, pid } = await start(machine);
      const { w, changes, states, until } = await watch(runPaths);
      await w.client.execute('cont');
      await until('shutdown', 20_000);
      const shutdown = changes.find((c) => c.state === 'shutdown');
      expect(shutdown).toMatchObject({ cause: 'SHUTDOWN', guest: true, reason: 'guest-shutdown' });
      await expect(queryStatus(w.client)).resolves.toEqual({ status: 'shutdown', running: false });
      const stats = await queryVmStats(w.client, pid);
      expect(stats.diskread).toBeGreaterThanOrEqual(512); // the BIOS read the boot sector
      expect(stats.cpuTicks).toBeGreaterThanOrEqual(0);
      expect(stats.mem).toBeGreaterThan(1024 * 1024);
      // The caller quits QEMU on shutdown; the close is the last state.
      await w.client.execute('quit');
      await until('stopped');
      expect(states()).toEqual(['prelaunch', 'running', 'shutdown', 'stopped']);
    },
    T,
  );
});

describe('vmRunState', () => {
  it("maps QEMU's run states", () => {
    expect(
      ['running', 'prelaunch', 'inmigrate', 'shutdown', 'paused', 'internal-error', 'guest-panicked'].map(vmRunState),
    ).toEqual(['running', 'prelaunch', 'prelaunch', 'shutdown', 'paused', 'paused', 'paused']);
  });
});

describe('/proc parsers', () => {
  // Captured from a QEMU on this machine; the second has a name with a space and a ')' to show the split.
  const stat =
    '32613 (qemu-system-x86) S 1 32612 32612 0 -1 4194624 3514 0 0 0 37 12 0 0 20 0 5 0 2361745 1064718336 11093 18446744073709551615 1 1 0 0 0 0 0 4096 17987 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n';
  it('parseProcPidStat reads state, utime, stime and starttime', () => {
    expect(parseProcPidStat(stat)).toEqual({ state: 'S', utime: 37, stime: 12, starttime: 2361745 });
    expect(parseProcPidStat(stat.replace('(qemu-system-x86)', '(a b) c)'))).toMatchObject({ utime: 37, stime: 12 });
    expect(() => parseProcPidStat('garbage')).toThrow(/malformed/);
  });

  it('parseVmRss reads VmRSS in bytes, 0 when absent', () => {
    const status =
      'Name:\tqemu-system-x86\nState:\tS (sleeping)\nVmPeak:\t 1104348 kB\nVmRSS:\t   44372 kB\nRssAnon:\t   20000 kB\n';
    expect(parseVmRss(status)).toBe(44372 * 1024);
    expect(parseVmRss('Name:\tkthreadd\nState:\tS (sleeping)\n')).toBe(0);
  });

  it('sumBlockstats adds rd_bytes and wr_bytes over every device', () => {
    const answer = [
      { device: 'drive-scsi0', stats: { rd_bytes: 1000, wr_bytes: 10 } },
      { device: 'drive-ide2', stats: { rd_bytes: 24, wr_bytes: 0 } },
      { device: '', qdev: 'x' },
    ];
    expect(sumBlockstats(answer)).toEqual({ diskread: 1024, diskwrite: 10 });
  });
});
