// Every benchmark, in the order they run; a new one (the renderer's) is one more entry here.
import { agentFootprint } from './agent-footprint';
import type { Benchmark } from './bench-types';
import { changeToInventory } from './change-to-inventory';
import { ctCreate } from './ct-create';
import { rendererScale } from './renderer-scale';
import { rpcRoundTrip } from './rpc-round-trip';
import { storageUpload } from './storage-upload';
import { terminalEcho } from './terminal-echo';
import { terminalThroughput } from './terminal-throughput';
import { vmBoot } from './vm-boot';
import { vncLatency } from './vnc-latency';

export const benchmarks: readonly Benchmark[] = [rpcRoundTrip, changeToInventory, agentFootprint, rendererScale, storageUpload, vmBoot, vncLatency, ctCreate, terminalThroughput, terminalEcho];
