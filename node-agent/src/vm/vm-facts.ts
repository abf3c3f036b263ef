// Facts read off a VM's current values that several operations need: vCPUs, memory, NICs and their taps.
import { netIndexOf, parseNet, type Net } from './config/net';
import { tapName } from './run-paths';

type Values = Readonly<Record<string, string>>;

const int = (value: string | undefined, fallback: number): number => {
  const parsed = Number((value ?? '').replace(/^current=/, '').split(',')[0]);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
};

/** vcpus when set, else sockets × cores (PVE's defaults: 1 and 1). */
export const vcpusOf = (values: Values): number => int(values.vcpus, int(values.sockets, 1) * int(values.cores, 1));

/** `memory` in MiB (PVE's default 512; `current=` form accepted). */
export const memoryMiB = (values: Values): number => int(values.memory, 512);

/** The NICs that parse, in index order (validation reports the others). */
export const netsOf = (values: Values): Net[] =>
  Object.entries(values)
    .filter(([key]) => netIndexOf(key) !== undefined)
    .flatMap(([key, value]) => {
      try {
        return [parseNet(key, value)];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.index - b.index);

/** The tap device of every NIC. */
export const netTaps = (vmid: number, values: Values): string[] => netsOf(values).map((net) => tapName(vmid, net.index));
