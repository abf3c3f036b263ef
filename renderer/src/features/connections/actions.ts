// Connections: probe a host key, add and remove nodes, and answer keyboard-interactive prompts.
import type { AddNodeInput, HostKeyInfo } from '../../../../main/core/app-api';
import { invoke, listen } from '../../api';
import { UiError } from '../../app-error';
import { appStore } from '../../store/store';

/** Ask main for the host key the node presents now (never trusted until the person confirms it). */
export const probeHostKey = (host: string, port: number): Promise<HostKeyInfo> =>
  invoke('connections.probeHostKey', { host, port });

/** Add the node with the fingerprint the person confirmed; on success select it. Throws UiError. */
export async function addNode(input: AddNodeInput): Promise<string> {
  const { node } = await invoke('connections.addNode', input);
  const state = appStore.getState();
  state.select({ kind: 'node', key: node });
  state.pushNotice({
    severity: 'success',
    key: 'addNode.added',
    params: { node: state.nodes[node]?.name ?? node.slice(node.indexOf('/') + 1) },
  });
  return node;
}

/** The host key a saved node presents now, at its saved address and port. */
export async function probeSavedHostKey(key: string): Promise<HostKeyInfo> {
  const [clusterId, name] = key.split('/');
  const clusters = await invoke('connections.list', {});
  const saved = clusters.find((c) => c.id === clusterId)?.nodes.find((n) => n.name === name);
  if (!saved) throw new UiError('not-found', `node ${key} is not in the saved connections`);
  return probeHostKey(saved.host, saved.port);
}

/** Replace a reinstalled node's host key with the one the person confirmed; main reconnects. Throws UiError. */
export async function trustHostKey(key: string, fingerprint: string): Promise<void> {
  await invoke('connections.trustHostKey', { node: key, acceptedFingerprint: fingerprint });
  const state = appStore.getState();
  state.pushNotice({ severity: 'success', key: 'trustKey.trusted', params: { node: state.nodes[key]?.name ?? key } });
}

export async function removeNode(key: string): Promise<void> {
  const name = appStore.getState().nodes[key]?.name ?? key;
  try {
    await invoke('connections.removeNode', { node: key });
    const state = appStore.getState();
    const { selection } = state;
    // The node's page, or one of its storages' pages, would show a node that is gone.
    if (
      (selection.kind === 'node' && selection.key === key) ||
      (selection.kind === 'storage' && selection.key.startsWith(`${key}/`))
    )
      state.select({ kind: 'datacenter' });
    state.pushNotice({ severity: 'success', key: 'notice.removed', params: { node: name } });
  } catch (error) {
    const e = UiError.from(error);
    appStore.getState().pushNotice({
      severity: 'error',
      key: 'notice.removeFailed',
      params: { node: name },
      error: { code: e.code, message: e.message },
    });
  }
}

/** Queue auth.prompt events for the prompt dialog; returns the function that stops listening. */
export const listenAuthPrompts = (): (() => void) =>
  listen('auth.prompt', (prompt) => appStore.getState().pushAuthPrompt(prompt));

/** Answer a prompt (answers in prompt order) or cancel it (null). The prompt leaves the queue either way. */
export async function respondAuthPrompt(promptId: string, answers: string[] | null): Promise<void> {
  appStore.getState().removeAuthPrompt(promptId);
  try {
    await invoke('auth.respond', { promptId, answers });
  } catch (error) {
    const e = UiError.from(error);
    appStore
      .getState()
      .pushNotice({ severity: 'error', key: 'notice.authFailed', error: { code: e.code, message: e.message } });
  }
}
