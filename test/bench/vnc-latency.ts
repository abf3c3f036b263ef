// Benchmark: VNC frame latency of a running VM. Ours: the app's console path (console.open vnc → one-shot
// WebSocket bridge → SSH exec channel → the agent's relay → QEMU's VNC socket). Reference, same run, same VM:
// a direct connection to that VNC unix socket on this machine. Both ask for the whole screen (Raw, 32 bpp) and
// time the request to the complete update; samples alternate between the two so drift hits both alike.
import { createConnection } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import WebSocket, { createWebSocketStream } from 'ws';
import { GUEST_BANNER } from '../guest-image/guest-image';
import { connectRfb, measureFrameLatency, type RfbSession } from '../support/rfb-client';
import { createBenchVm, pollFor, readIfThere, type BenchVm } from './bench-vm';
import type { Benchmark, BenchResult } from './bench-types';
import { summarizeOrNone, type Summary } from './stats';

const BOOT_TIMEOUT_MS = 180_000;

interface Viewer {
  rfb: RfbSession;
  /** Milliseconds from asking for the connection to the first complete frame. */
  firstFrameMs: number;
}

/** Handshake on an open stream, then one full frame (what a viewer shows first). */
const view = async (stream: Duplex, started: number): Promise<Viewer> => {
  const rfb = await connectRfb(stream);
  await rfb.requestFrame();
  return { rfb, firstFrameMs: performance.now() - started };
};

/** The app's path: a one-shot console URL from the core, its WebSocket as a byte stream. */
const viewThroughApp = async (vm: BenchVm, node: string): Promise<Viewer & { socket: WebSocket }> => {
  const started = performance.now();
  const { url } = await vm.core.handle('console.open', { node, vmid: vm.vmid, kind: 'vnc' });
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { ...(await view(createWebSocketStream(socket), started)), socket };
};

/** The reference: QEMU's VNC unix socket, straight (the lab node's files are this machine's). */
const viewDirect = async (path: string): Promise<Viewer> => {
  const started = performance.now();
  const stream = createConnection(path);
  await new Promise<void>((resolve, reject) => {
    stream.once('connect', () => resolve());
    stream.once('error', reject);
  });
  return view(stream, started);
};

const rowsOf = (ours: Summary | undefined, reference: Summary | undefined) =>
  (['p50', 'p95'] as const).map((p) => ({
    metric: `request → full frame, ${p}`,
    unit: 'ms',
    ours: ours?.[p],
    reference: reference?.[p],
    oursSamples: ours?.n ?? 0,
    referenceSamples: reference?.n ?? 0,
  }));

export const vncLatency: Benchmark = {
  id: 'vnc-latency',
  name: 'VNC frame latency: console bridge over SSH vs the VNC socket direct',
  needsLab: true,
  async run({ quick, lab, log }): Promise<BenchResult> {
    const samples = quick ? 10 : 50;
    const vm = await createBenchVm(lab, 'bench-vnc', log);
    const ours: number[] = [];
    const direct: number[] = [];
    let app: (Viewer & { socket: WebSocket }) | undefined;
    let local: Viewer | undefined;
    // Read before close (which zeroes them): the screen the samples were taken at.
    let screen = { width: 0, height: 0 };
    try {
      await vm.finished(await vm.call('vm.start', { vmid: vm.vmid }));
      // Measured once the guest is up: its console is in its final video mode, not SeaBIOS's.
      await pollFor(
        'the guest banner on serial',
        async () => ((await readIfThere(vm.runPaths.serialLog(0))).includes(GUEST_BANNER) ? true : undefined),
        BOOT_TIMEOUT_MS,
        100,
      );
      app = await viewThroughApp(vm, lab.nodeKey);
      local = await viewDirect(vm.runPaths.vnc);
      log(
        `vnc-latency: first frame ${app.firstFrameMs.toFixed(0)} ms via the app, ${local.firstFrameMs.toFixed(0)} ms direct`,
      );
      screen = { width: app.rfb.width, height: app.rfb.height };
      for (let i = 0; i < samples; i++) {
        // Alternate who goes first within each pair.
        const pair = i % 2 === 0 ? [app, local] : [local, app];
        for (const viewer of pair) {
          const [ms] = await measureFrameLatency(viewer.rfb, 1);
          (viewer === app ? ours : direct).push(ms ?? Number.NaN);
        }
      }
    } finally {
      app?.rfb.close();
      app?.socket.close();
      local?.rfb.close();
      await vm.remove();
    }
    const oursSummary = summarizeOrNone(ours);
    const directSummary = summarizeOrNone(direct);
    const { width, height } = screen;
    log(`vnc-latency: p50 ${oursSummary?.p50.toFixed(1)} ms via the app, ${directSummary?.p50.toFixed(1)} ms direct`);
    return {
      ours: "console.open vnc through the core → one-shot ws:// bridge → SSH exec channel → agent console relay → the VM's VNC unix socket",
      reference: 'net.createConnection to the same VNC unix socket on this machine (no SSH, no relay)',
      rows: [
        ...rowsOf(oursSummary, directSummary),
        {
          metric: 'connect → first full frame',
          unit: 'ms',
          ours: app?.firstFrameMs,
          reference: local?.firstFrameMs,
          oursSamples: 1,
          referenceSamples: 1,
        },
      ],
      notes: [
        `full-screen, non-incremental FramebufferUpdateRequest, Raw 32 bpp: about ${((width * height * 4) / 1e6).toFixed(2)} MB per frame at the guest's text console; both viewers connected at once (shared), samples alternating.`,
        "'connect' for ours includes console.open (an RPC on the node session and a new SSH exec channel); for the reference, the unix socket's connect.",
        "QEMU answers a non-incremental request at its next display refresh (a timer of 30 ms and up, longer while the screen is idle), so both columns include that wait; the difference between them is the app's path.",
        'the lab node is this machine: the SSH path carries no network latency, only its encryption, the relays and the copies.',
      ],
      extra: {
        samples,
        screen: { width, height },
        ours: oursSummary,
        direct: directSummary,
        oursMs: ours,
        directMs: direct,
      },
    };
  },
};
