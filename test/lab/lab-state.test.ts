import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../node-agent/src/api/errors';
import { labLayout } from './lab-layout';
import { LabStateStore, readLabState, statePath, type LabState } from './lab-state';

describe('lab state file', () => {
  let dir: string;
  let initial: LabState;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hdlab-state-'));
    initial = {
      version: 1,
      createdAt: new Date(0).toISOString(),
      stateDir: dir,
      phase: 'starting',
      agent: true,
      nodes: labLayout(dir, 2),
      resources: [],
      pids: {},
      createdRunSshd: false,
    };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is absent until written', async () => {
    expect(await readLabState(dir)).toBeUndefined();
  });

  it('ends with the last change when many are made side by side', async () => {
    const store = new LabStateStore(initial);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.update((s) => ({ ...s, resources: [...s.resources, { kind: 'namespace', name: `ns${i}` }] })),
      ),
    );
    const read = await readLabState(dir);
    expect(read?.resources.map((r) => r.name)).toEqual(Array.from({ length: 20 }, (_, i) => `ns${i}`));
    expect(read?.nodes.map((n) => n.namespace)).toEqual(['hdlab-n1', 'hdlab-n2']);
  });

  it('calls a file that is not a lab state a protocol error', async () => {
    await writeFile(statePath(dir), '{"version": 1}');
    const error: unknown = await readLabState(dir).catch((e: unknown) => e);
    expect(isAppError(error, 'protocol-error')).toBe(true);
  });
});
