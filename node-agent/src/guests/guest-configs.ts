// Where guest configs live, as in PVE's /etc/pve: <config>/nodes/<node>/qemu-server/<vmid>.conf for VMs and
// <config>/nodes/<node>/lxc/<vmid>.conf for containers. A VMID names one guest across all nodes, so finding
// a guest looks in every node's folders.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export type GuestKind = 'qemu' | 'lxc';

export interface GuestRef {
  vmid: number;
  kind: GuestKind;
  node: string;
}

const FOLDER: Record<GuestKind, string> = { qemu: 'qemu-server', lxc: 'lxc' };
const CONFIG_NAME = /^([1-9][0-9]{2,8})\.conf$/;

/** What a person calls each kind, for messages. */
export const guestNoun: Record<GuestKind, string> = { qemu: 'VM', lxc: 'container' };

export const guestConfigDir = (configDir: string, node: string, kind: GuestKind): string =>
  join(configDir, 'nodes', node, FOLDER[kind]);

export const guestConfigPath = (configDir: string, node: string, kind: GuestKind, vmid: number): string =>
  join(guestConfigDir(configDir, node, kind), `${vmid}.conf`);

const namesIn = (dir: string): Promise<string[]> =>
  readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });

/** Every guest of every node, by VMID. */
export const listGuests = async (configDir: string): Promise<GuestRef[]> => {
  const guests: GuestRef[] = [];
  for (const node of (await namesIn(join(configDir, 'nodes'))).sort()) {
    for (const kind of ['qemu', 'lxc'] as const) {
      for (const name of await namesIn(guestConfigDir(configDir, node, kind))) {
        const match = CONFIG_NAME.exec(name);
        if (match) guests.push({ vmid: Number(match[1]), kind, node });
      }
    }
  }
  return guests.sort((a, b) => a.vmid - b.vmid);
};

export const findGuest = async (configDir: string, vmid: number): Promise<GuestRef | undefined> =>
  (await listGuests(configDir)).find((guest) => guest.vmid === vmid);
