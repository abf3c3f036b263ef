// What the renderer benchmark installs in the page before the app loads: requestAnimationFrame deltas, long tasks
// (PerformanceObserver 'longtask'), and the inventory patches arriving on the host's WebSocket, counted while recording.
// Plain JavaScript text: a transpiled function could carry helpers (esbuild's __name) that do not exist in the page.

export interface ProbeResult {
  /** Frame-to-frame times in ms. */
  frames: number[];
  /** Durations of long tasks (over 50 ms) that started in the window. */
  longTasks: number[];
  patches: number;
  /** JSON characters of those patches. */
  patchChars: number;
  /** performance.memory.usedJSHeapSize at the end, in MB (Chromium only). */
  heapMB: number | undefined;
}

export interface ProbeWindow {
  __probe: {
    start(): void;
    stop(): Promise<ProbeResult>;
    /** Time `count` inventory.snapshot invokes through window.hyperdesk, one after another, in ms. */
    timeSnapshots(count: number): Promise<number[]>;
  };
}

export const installProbe = `(() => {
  const probe = { recording: false, startedAt: 0, frames: [], tasks: [], patches: 0, patchChars: 0 };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (event) => {
        if (!probe.recording || typeof event.data !== 'string') return;
        if (!event.data.startsWith('{"event":"inventory.patch"')) return;
        probe.patches++;
        probe.patchChars += event.data.length;
      });
    }
  };
  let last = 0;
  const frame = (now) => {
    if (probe.recording && last > 0) probe.frames.push(now - last);
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.tasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask' });
  window.__probe = {
    start() {
      Object.assign(probe, { recording: true, startedAt: performance.now(), frames: [], tasks: [], patches: 0, patchChars: 0 });
    },
    async stop() {
      const stoppedAt = performance.now();
      probe.recording = false;
      // Long-task entries are delivered after the task: give the observer a moment.
      await new Promise((done) => setTimeout(done, 200));
      const longTasks = probe.tasks.filter((t) => t.start >= probe.startedAt && t.start <= stoppedAt).map((t) => t.duration);
      const heap = performance.memory ? performance.memory.usedJSHeapSize / 1e6 : undefined;
      return { frames: probe.frames, longTasks, patches: probe.patches, patchChars: probe.patchChars, heapMB: heap };
    },
    async timeSnapshots(count) {
      const times = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const envelope = await window.hyperdesk.invoke('inventory.snapshot', {});
        if (!envelope.ok) throw new Error(envelope.error.message);
        times.push(performance.now() - t0);
      }
      return times;
    },
  };
})();`;
