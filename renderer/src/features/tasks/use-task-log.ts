// A task's log, paged in with task.log and followed every second while the task runs.
import { useEffect, useRef, useState } from 'react';
import type { TaskLogLine } from '../../../../node-agent/src/api';
import { UiError } from '../../app-error';
import { fetchTaskLog } from './actions';

const PAGE = 1000;
const POLL_MS = 1000;

export interface TaskLog {
  lines: readonly TaskLogLine[];
  error: UiError | undefined;
  loading: boolean;
}

export function useTaskLog(nodeKey: string, upid: string, running: boolean): TaskLog {
  const runningRef = useRef(running);
  const [lines, setLines] = useState<readonly TaskLogLine[]>([]);
  const [error, setError] = useState<UiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const wake = useRef<() => void>(() => undefined);

  useEffect(() => {
    runningRef.current = running;
    // The task just stopped: pull once more now for its last lines instead of waiting for the next tick.
    if (!running) wake.current();
  }, [running]);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Callers key the component by UPID, so each log starts from fresh state and nothing needs resetting here.
    let held: readonly TaskLogLine[] = [];

    // Page forward from the last line we hold until the agent has nothing more.
    const pull = async () => {
      for (;;) {
        const page = await fetchTaskLog(nodeKey, upid, held.length, PAGE);
        if (cancelled) return;
        const from = held.length;
        const fresh = page.lines.filter((line) => line.n > from);
        if (fresh.length > 0) {
          held = held.concat(fresh);
          setLines(held);
        }
        if (fresh.length === 0 || held.length >= page.total) return;
      }
    };

    let busy = false;
    const tick = async () => {
      if (busy || cancelled) return;
      busy = true;
      clearTimeout(timer);
      // Decide from the status seen *before* pulling: a pull that began after the task stopped has its last line.
      const wasRunning = runningRef.current;
      try {
        await pull();
        setError(undefined);
      } catch (e) {
        if (!cancelled) setError(UiError.from(e));
      }
      busy = false;
      if (cancelled) return;
      setLoading(false);
      if (wasRunning) timer = setTimeout(() => void tick(), POLL_MS);
    };
    wake.current = () => void tick();
    void tick();
    return () => {
      cancelled = true;
      clearTimeout(timer);
      wake.current = () => undefined;
    };
  }, [nodeKey, upid]);

  return { lines, error, loading };
}
