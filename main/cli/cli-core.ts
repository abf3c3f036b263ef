// The core as hdctl uses it: opened on first use, connecting only the nodes the command needs, with
// prompts answered on the terminal. A node that is not online turns into the error that says why.
import { AppError, type MethodName } from '../../node-agent/src/api';
import type { NodeKey } from '../core/config-schema';
import type { HyperdeskCoreHandle } from '../core/core-api';
import type { NodeEntry } from '../core/inventory-schema';
import { waitForNodes } from './inventory-wait';
import { answerPrompts, type PromptResponder, type Terminal } from './tty-prompt';

/** Opens a core that connects only the saved nodes `connect` accepts. */
export type CoreOpener = (connect: (key: NodeKey) => boolean) => Promise<HyperdeskCoreHandle>;

/** How long `node list` waits for every node to leave 'connecting'. */
export const LIST_WAIT_MS = 10_000;
/** How long a command waits for its node to come online (a first connect may deploy the agent). */
export const CALL_WAIT_MS = 60_000;

const settled = (entry: NodeEntry) => entry.state !== 'connecting';
/** For a listing: online nodes also have their first status (it follows the handshake by a moment). */
const listed = (entry: NodeEntry) => settled(entry) && (entry.state !== 'online' || entry.status !== undefined);

export class CliCore {
  private opened: { core: HyperdeskCoreHandle; prompts: PromptResponder; keys: Set<string> } | undefined;

  constructor(
    private readonly open: CoreOpener,
    private readonly terminal: Terminal,
  ) {}

  /** The core with at least `keys` connected; reopened with more nodes when a later command needs them. */
  async core(keys: readonly NodeKey[]): Promise<{ core: HyperdeskCoreHandle; prompts: PromptResponder }> {
    if (this.opened && keys.every((key) => this.opened?.keys.has(key))) return this.opened;
    const wanted = new Set<string>([...(this.opened?.keys ?? []), ...keys]);
    await this.dispose();
    const core = await this.open((key) => wanted.has(key));
    this.opened = { core, prompts: answerPrompts(core, this.terminal), keys: wanted };
    return this.opened;
  }

  /** Every node's entry once all have left 'connecting' (and online ones have their status), or at the deadline. */
  async list(keys: readonly NodeKey[]): Promise<NodeEntry[]> {
    const { core, prompts } = await this.core(keys);
    return waitForNodes(core, keys, listed, { deadlineMs: LIST_WAIT_MS, paused: () => prompts.busy() });
  }

  /** Call one agent method on one node, once the node is online. */
  async call(key: NodeKey, method: MethodName, params: unknown): Promise<unknown> {
    const core = await this.online(key);
    return core.handle('agent.call', { node: key, method, params });
  }

  /** The core once `key` is online (for app methods that need the node, like storage.upload). */
  async online(key: NodeKey): Promise<HyperdeskCoreHandle> {
    const { core, prompts } = await this.core([key]);
    const [entry] = await waitForNodes(core, [key], settled, { deadlineMs: CALL_WAIT_MS, paused: () => prompts.busy() });
    if (!entry) throw new AppError('not-found', `node ${key} is not in the inventory`);
    if (entry.state !== 'online') throw this.whyNotOnline(entry, prompts);
    return core;
  }

  async dispose(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (!opened) return;
    opened.prompts.dispose();
    await opened.core.dispose();
  }

  private whyNotOnline(entry: NodeEntry, prompts: PromptResponder): AppError {
    if (prompts.refused.has(entry.key)) {
      return new AppError('access-denied', `node ${entry.key} asks for a password or keyboard-interactive answers, and hdctl has no terminal to ask on — run it in a terminal or use key authentication`);
    }
    if (entry.state === 'connecting') return new AppError('timeout', `node ${entry.key} (${entry.host}) is still connecting after ${CALL_WAIT_MS / 1000} s`);
    if (entry.error) return AppError.fromWire(entry.error);
    return new AppError('unreachable', `node ${entry.key} (${entry.host}) is ${entry.state}`);
  }
}
