import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ProcReader } from './proc-reader';
import { FIXTURES_DIR as fixtures } from './__fixtures__/captured';
import { tempDirForTest } from '../fs/temp-dir';

let dir: string;
let proc: string;
let sysBlock: string;

/** A /proc-shaped folder of captured files, so the reader's file handling runs for real. */
beforeEach(async () => {
  dir = await tempDirForTest('hd-proc-');
  proc = join(dir, 'proc');
  sysBlock = join(dir, 'sys-block');
  await mkdir(join(proc, 'net'), { recursive: true });
  for (const name of ['stat', 'meminfo', 'loadavg', 'uptime', 'cpuinfo', 'diskstats'])
    await copyFile(join(fixtures, `${name}.txt`), join(proc, name));
  await copyFile(join(fixtures, 'net-dev.pve.txt'), join(proc, 'net', 'dev'));
  for (const disk of (await readFile(join(fixtures, 'sys-block.txt'), 'utf8')).split('\n').filter(Boolean))
    await mkdir(join(sysBlock, disk), { recursive: true });
});

describe('ProcReader', () => {
  it('reads every source into one reading', async () => {
    const reader = new ProcReader({
      root: dir,
      procDir: proc,
      sysBlockDir: sysBlock,
      now: () => 42,
      log: () => undefined,
    });
    const reading = await reader.read();
    expect(reading).toMatchObject({
      time: 42,
      cpu: { total: 74296, idle: 59403 },
      memory: { memTotal: 24684092 * 1024 },
      loadavg: [0.37, 0.46, 0.23],
      uptime: 373.04,
      net: { rx: 516, tx: 2890 },
      disk: { read: 1963738 * 512, write: 4426752 * 512 },
    });
    expect(reading.rootfs.total).toBeGreaterThan(0);
    expect(reading.rootfs.used + reading.rootfs.avail).toBeLessThanOrEqual(reading.rootfs.total);
    expect(await reader.cpuInfo()).toEqual({ model: 'Intel(R) Xeon(R) Processor', count: 2 });
  });

  it('keeps the previous value of a source that disappears, logs once, and says when it is back', async () => {
    const logs: string[] = [];
    const reader = new ProcReader({ root: dir, procDir: proc, sysBlockDir: sysBlock, log: (line) => logs.push(line) });
    const first = await reader.read();
    await rm(join(proc, 'diskstats'));
    await copyFile(join(fixtures, 'stat.later.txt'), join(proc, 'stat'));
    const second = await reader.read(first);
    expect(second.disk).toEqual(first.disk);
    expect(second.cpu).toEqual({ total: 74813, idle: 59718 });
    const third = await reader.read(second);
    expect(third.disk).toEqual(first.disk);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/cannot read disk .*keeping the previous value/);
    await copyFile(join(fixtures, 'diskstats.later.txt'), join(proc, 'diskstats'));
    expect((await reader.read(third)).disk).toEqual({ read: 2095002 * 512, write: 4557952 * 512 });
    expect(logs[1]).toMatch(/disk is readable again/);
  });

  it('never rejects: a container with no /proc at all reads zeros', async () => {
    const logs: string[] = [];
    const reader = new ProcReader({
      root: join(dir, 'missing'),
      procDir: join(dir, 'nothing'),
      sysBlockDir: join(dir, 'nothing'),
      log: (line) => logs.push(line),
    });
    const reading = await reader.read();
    expect(reading).toMatchObject({
      cpu: { total: 0, idle: 0 },
      net: { rx: 0, tx: 0 },
      rootfs: { total: 0, used: 0, avail: 0 },
    });
    expect(logs).toHaveLength(7);
    expect((await reader.cpuInfo()).count).toBeGreaterThan(0);
  });
});
