// The captured /proc and /sys files beside this module, for the metrics tests. Captured from a real machine's
// /proc (net-dev.pve*.txt: /proc/net/dev inside a throwaway network namespace wired like a PVE node: vmbr0 with
// port eno1, tap100i0, a firewall bridge fwbr101i0 and container veth101i0); *.later.txt a few seconds after.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES_DIR = import.meta.dirname;

/** One captured file's text. */
export const fixture = (name: string): string => readFileSync(join(FIXTURES_DIR, name), 'utf8');
