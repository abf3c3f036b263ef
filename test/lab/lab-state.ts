// state.json: everything a lab made (namespaces, host link, processes, dirs), written before each thing is
// made, so `down` removes exactly that, even after an `up` that failed half-way.
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../node-agent/src/api/errors';
import { writeFileAtomic } from '../../node-agent/src/fs/atomic-file';
import { readJsonFile } from '../../node-agent/src/fs/json-file';

const Resource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('namespace'), name: z.string().min(1) }),
  z.object({ kind: z.literal('host-link'), name: z.string().min(1) }),
]);

const NodeRecord = z.object({
  name: z.string(),
  index: z.number().int(),
  namespace: z.string(),
  address: z.string(),
  dir: z.string(),
  root: z.string(),
  sshdConfig: z.string(),
  sshPidFile: z.string(),
  sshdLog: z.string(),
  hostKeyPath: z.string(),
  agentLog: z.string(),
  agentPidFile: z.string(),
});

export const LabState = z.object({
  version: z.literal(1),
  createdAt: z.string(),
  stateDir: z.string(),
  /** 'starting' until every node answers; a lab left 'starting' is what a failed or interrupted `up` left. */
  phase: z.enum(['starting', 'up']),
  agent: z.boolean(),
  configDir: z.string().optional(),
  nodes: z.array(NodeRecord),
  resources: z.array(Resource),
  /** Processes the lab started, `<node>/sshd` or `<node>/agent` → pid, as last seen (pid files may be gone). */
  pids: z.record(z.string(), z.number().int().positive()),
  /** /run/sshd (sshd's privilege-separation dir) was made by the lab, so `down` removes it if still empty. */
  createdRunSshd: z.boolean(),
});
export type LabState = z.infer<typeof LabState>;

export const statePath = (stateDir: string): string => join(stateDir, 'state.json');

/** The recorded lab, or undefined when none is up under this state dir. */
export const readLabState = (stateDir: string): Promise<LabState | undefined> => {
  const path = statePath(stateDir);
  const notLabState = () =>
    new AppError('protocol-error', `${path} is not a lab state file — remove the lab with \`npm run lab -- down --force\``);
  return readJsonFile(path, LabState, notLabState);
};

/**
 * Holds the state in memory and writes it through on every change (atomic write, fsync). Writes are queued,
 * so nodes set up side by side never let an older snapshot land last.
 */
export class LabStateStore {
  private writing: Promise<void> = Promise.resolve();

  constructor(private current: LabState) {}

  get state(): LabState {
    return this.current;
  }

  update(change: (state: LabState) => LabState): Promise<void> {
    this.current = change(this.current);
    const snapshot = `${JSON.stringify(this.current, null, 2)}\n`;
    const path = statePath(this.current.stateDir);
    const write = this.writing.then(() => writeFileAtomic(path, snapshot));
    this.writing = write.catch(() => undefined);
    return write;
  }
}
