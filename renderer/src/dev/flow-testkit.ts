// Test only: the setup every flow test of the renderer shares — a fresh store and a fresh fake window.hyperdesk per
// test, and whatever the test started (syncs, listeners) stopped after it.
import { afterEach, beforeEach } from 'vitest';
import { appStore } from '../store/store';
import { createFakeHyperdesk, type FakeHyperdesk } from './fake-hyperdesk';

export interface FakeApp {
  /** The fake of the current test (a new one per test). */
  readonly fake: FakeHyperdesk;
  /** Stop these when the test ends. */
  keep(...stops: (() => void)[]): void;
}

/** Registers beforeEach/afterEach in the calling file; call once at its top level. */
export function setUpFakeApp(): FakeApp {
  let current: FakeHyperdesk | undefined;
  const stops: (() => void)[] = [];
  const initial = appStore.getState();
  beforeEach(() => {
    appStore.setState(initial, true);
    current = createFakeHyperdesk({ now: Date.UTC(2025, 10, 26, 12), taskStepMs: 5 });
    (globalThis as { hyperdesk?: unknown }).hyperdesk = current;
  });
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
    current?.dispose();
    current = undefined;
    delete (globalThis as { hyperdesk?: unknown }).hyperdesk;
  });
  return {
    get fake() {
      if (current === undefined) throw new Error('the fake app exists only while a test runs');
      return current;
    },
    keep: (...more) => {
      stops.push(...more);
    },
  };
}
