// Finding guests by their config files across every node's qemu-server and lxc folders, as PVE's /etc/pve holds them.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDirForTest } from '../fs/temp-dir';
import { findGuest, guestConfigDir, guestConfigPath, listGuests, type GuestKind } from './guest-configs';

let configDir: string;

const place = async (node: string, kind: GuestKind, name: string): Promise<void> => {
  const dir = guestConfigDir(configDir, node, kind);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), 'name: x\n');
};

beforeEach(async () => {
  configDir = await tempDirForTest('hd-guest-configs-');
});

describe('guest config paths', () => {
  it('are PVE’s: nodes/<node>/qemu-server/<vmid>.conf and nodes/<node>/lxc/<vmid>.conf', () => {
    expect(guestConfigPath('/etc/hyperdesk', 'n1', 'qemu', 100)).toBe('/etc/hyperdesk/nodes/n1/qemu-server/100.conf');
    expect(guestConfigPath('/etc/hyperdesk', 'n2', 'lxc', 205)).toBe('/etc/hyperdesk/nodes/n2/lxc/205.conf');
  });
});

describe('listGuests', () => {
  it('is empty when there is no nodes folder yet', async () => {
    expect(await listGuests(configDir)).toEqual([]);
    expect(await findGuest(configDir, 100)).toBeUndefined();
  });

  it('lists VMs and containers of every node, sorted by VMID', async () => {
    await place('n2', 'qemu', '300.conf');
    await place('n1', 'qemu', '101.conf');
    await place('n1', 'lxc', '100.conf');
    await place('n2', 'lxc', '102.conf');
    await place('n1', 'qemu', '999999999.conf');
    expect(await listGuests(configDir)).toEqual([
      { vmid: 100, kind: 'lxc', node: 'n1' },
      { vmid: 101, kind: 'qemu', node: 'n1' },
      { vmid: 102, kind: 'lxc', node: 'n2' },
      { vmid: 300, kind: 'qemu', node: 'n2' },
      { vmid: 999999999, kind: 'qemu', node: 'n1' },
    ]);
  });

  it('ignores names that are not <vmid>.conf and VMIDs PVE would not hand out', async () => {
    for (const name of [
      'lock-100.conf',
      '100.conf.tmp',
      '100.conf~',
      'README',
      '99.conf',
      '099.conf',
      '0100.conf',
      '1000000000.conf',
      'abc.conf',
      '.100.conf',
    ])
      await place('n1', 'qemu', name);
    await place('n1', 'qemu', '150.conf');
    expect(await listGuests(configDir)).toEqual([{ vmid: 150, kind: 'qemu', node: 'n1' }]);
  });

  it('skips a stray file where a node folder would be', async () => {
    await place('n1', 'lxc', '120.conf');
    await writeFile(join(configDir, 'nodes', 'notes.txt'), 'not a node\n');
    expect(await listGuests(configDir)).toEqual([{ vmid: 120, kind: 'lxc', node: 'n1' }]);
  });
});

describe('findGuest', () => {
  it('finds a VMID on whichever node and kind holds it', async () => {
    await place('n1', 'qemu', '100.conf');
    await place('n3', 'lxc', '200.conf');
    expect(await findGuest(configDir, 200)).toEqual({ vmid: 200, kind: 'lxc', node: 'n3' });
    expect(await findGuest(configDir, 100)).toEqual({ vmid: 100, kind: 'qemu', node: 'n1' });
    expect(await findGuest(configDir, 101)).toBeUndefined();
  });
});
