// The renderer's actions against the dev fake of window.hyperdesk: envelopes, patches, prompts, preferences.
import { describe, expect, it } from 'vitest';
import { setUpFakeApp } from '../dev/flow-testkit';
import { waitForState } from '../dev/wait-for';
import { appStore } from '../store/store';
import { invoke } from '../api';
import { UiError } from '../app-error';
import { startInventorySync } from './inventory/actions';
import { addNode, listenAuthPrompts, probeHostKey, respondAuthPrompt } from './connections/actions';
import { loadPreferences, toggleLanguage } from './preferences/actions';
import { runNodeCheck } from './nodes/actions';
import { fetchTaskLog } from './tasks/actions';

const app = setUpFakeApp();

describe('renderer actions over window.hyperdesk', () => {
  it('loads the snapshot and then follows patches', async () => {
    app.keep(startInventorySync());
    await waitForState(appStore, (s) => s.loaded);
    expect(appStore.getState().nodes['lab/n1']?.state).toBe('online');
    app.fake.patch({ nodes: { 'lab/n1': { ...app.fake.inventory.nodes['lab/n1']!, state: 'offline' } } });
    await waitForState(appStore, (s) => s.nodes['lab/n1']?.state === 'offline');
    expect(appStore.getState().revision).toBe(app.fake.inventory.revision);
  });

  it('turns an error envelope into a UiError with the wire code', async () => {
    const error = await invoke('connections.removeNode', { node: 'lab/nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UiError);
    expect((error as UiError).code).toBe('not-found');
    await expect(probeHostKey('198.18.0.251', 22)).rejects.toMatchObject({ code: 'unreachable' });
  });

  it('answers a keyboard-interactive prompt and adds the node with the confirmed fingerprint', async () => {
    app.keep(startInventorySync(), listenAuthPrompts());
    await waitForState(appStore, (s) => s.loaded);
    const key = await probeHostKey('198.18.0.99', 22);
    expect(key.match).toBe('new');
    const adding = addNode({
      cluster: 'lab',
      host: '198.18.0.99',
      port: 22,
      user: 'root',
      auth: 'keyboard-interactive',
      acceptedFingerprint: key.fingerprint,
    });
    const { authPrompts } = await waitForState(appStore, (s) => s.authPrompts.length === 1);
    expect(authPrompts[0]?.prompts.map((p) => p.echo)).toEqual([false, true]);
    await respondAuthPrompt(authPrompts[0]!.promptId, ['pw', '123456']);
    expect(await adding).toBe('lab/198-18-0-99');
    expect(appStore.getState().authPrompts).toEqual([]);
    expect(appStore.getState().selection).toEqual({ kind: 'node', key: 'lab/198-18-0-99' });
  });

  it('reports a cancelled prompt as the add failing with code cancelled', async () => {
    app.keep(listenAuthPrompts());
    const key = await probeHostKey('198.18.0.98', 22);
    const adding = addNode({
      cluster: 'lab',
      host: '198.18.0.98',
      user: 'root',
      auth: 'keyboard-interactive',
      acceptedFingerprint: key.fingerprint,
    });
    const { authPrompts } = await waitForState(appStore, (s) => s.authPrompts.length === 1);
    await respondAuthPrompt(authPrompts[0]!.promptId, null);
    await expect(adding).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('applies and saves the language preference', async () => {
    await loadPreferences();
    expect(appStore.getState().language).toBe('en');
    toggleLanguage();
    expect(appStore.getState().language).toBe('zh-CN');
    await expect(invoke('preferences.get', {})).resolves.toMatchObject({ language: 'zh-CN' });
  });

  it('runs a node check whose task and log arrive through the inventory and task.log', async () => {
    app.keep(startInventorySync());
    await waitForState(appStore, (s) => s.loaded);
    const before = appStore.getState().taskOrder.length;
    await runNodeCheck('lab/n1');
    const state = await waitForState(appStore, (s) => s.taskOrder.length === before + 1);
    const upid = state.taskOrder[0]!;
    expect(state.tasks[upid]).toMatchObject({ type: 'node.check', status: 'running', nodeKey: 'lab/n1' });
    const done = await waitForState(appStore, (s) => s.tasks[upid]?.status === 'stopped');
    expect(done.tasks[upid]?.exitstatus).toBe('WARNINGS: 1');
    const page = await fetchTaskLog('lab/n1', upid, 10, 2);
    expect(page.lines.map((l) => l.n)).toEqual([11, 12]);
    expect(page.total).toBe(13);
  });
});
