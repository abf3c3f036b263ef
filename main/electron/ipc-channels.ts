// The two IPC channels between preload/electron.ts and main. preload repeats these literals (it may import
// only electron and types); ipc-channels.test.ts checks the two stay equal.
import type { AppEventName } from '../core/app-api';

export const INVOKE_CHANNEL = 'hyperdesk:invoke';
export const EVENT_CHANNEL = 'hyperdesk:event';

/** What main sends on EVENT_CHANNEL; the preload dispatches on `event`. */
export interface EventMessage {
  event: AppEventName;
  data: unknown;
}
