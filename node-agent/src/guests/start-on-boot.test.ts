import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskInfo } from '../api/task';
import { bootSequence, parseStartup, startOnBoot } from './start-on-boot';
import type { GuestRef } from './guest-configs';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hd-onboot-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const conf = async (node: string, kind: 'qemu-server' | 'lxc', vmid: number, text: string) => {
  await mkdir(join(dir, 'etc/nodes', node, kind), { recursive: true });
  await writeFile(join(dir, 'etc/nodes', node, kind, `${vmid}.conf`), text);
};

const run = async (bootId: string, failing: number[] = []) => {
  await writeFile(join(dir, 'boot_id'), `${bootId}\n`);
  const asked: number[] = [];
  const started = await startOnBoot({
    configDir: join(dir, 'etc'),
    dataDir: join(dir, 'data'),
    node: 'n1',
    bootIdFile: join(dir, 'boot_id'),
    start: (ref: GuestRef) => {
      asked.push(ref.vmid);
      return Promise.resolve({ upid: String(ref.vmid) });
    },
    whenStopped: (upid) => Promise.resolve({ upid, exitstatus: failing.includes(Number(upid)) ? 'failed' : 'OK' } as TaskInfo),
    log: () => undefined,
    signal: new AbortController().signal,
  });
  return { asked, started: started.map((ref) => ref.vmid) };
};

describe('start on boot', () => {
  it('reads pve-startup-order in both spellings', () => {
    expect(parseStartup('order=2,up=30,down=60')).toEqual({ order: 2, up: 30, down: 60 });
    expect(parseStartup('3,up=5')).toEqual({ order: 3, up: 5 });
    expect(parseStartup(undefined)).toEqual({});
  });

  it('orders onboot guests by order, those without one last, then by VMID', () => {
    const g = (vmid: number, onboot: boolean, order?: number) => ({ ref: { vmid, kind: 'lxc' as const, node: 'n1' }, onboot, ...(order === undefined ? {} : { order }) });
    expect(bootSequence([g(300, true), g(200, true, 2), g(100, true), g(150, true, 1), g(120, false, 0)]).map((x) => x.ref.vmid)).toEqual([150, 200, 100, 300]);
  });

  it("starts this node's onboot guests once per boot, keeps going past a failure, skips templates and other nodes", async () => {
    await conf('n1', 'lxc', 200, 'onboot: 1\nstartup: order=2\n');
    await conf('n1', 'qemu-server', 100, 'onboot: 1\nstartup: order=1\n');
    await conf('n1', 'lxc', 201, 'onboot: 1\n');
    await conf('n1', 'lxc', 202, 'onboot: 0\n');
    await conf('n1', 'lxc', 203, 'onboot: 1\ntemplate: 1\n');
    await conf('n2', 'lxc', 204, 'onboot: 1\n');
    expect(await run('boot-a', [100])).toEqual({ asked: [100, 200, 201], started: [200, 201] });
    expect((await readFile(join(dir, 'data/boot-id'), 'utf8')).trim()).toBe('boot-a');
    expect(await run('boot-a')).toEqual({ asked: [], started: [] }); // the agent restarted, the node did not
    expect((await run('boot-b')).asked).toEqual([100, 200, 201]);
  });
});
