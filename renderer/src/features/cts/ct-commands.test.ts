import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeHyperdesk } from '../../dev/fake-hyperdesk';
import { appStore } from '../../store/store';
import { commandById, commands, runCommand } from '../../app/commands';
import { ctUiStore } from './ct-ui-store';
import { ctActionEnabled, ctActions } from './ct-power';

const initial = appStore.getState();
const enabledIds = (target: string) =>
  commands
    .filter((c) => c.places.includes('ct-menu') && c.enabled({ state: appStore.getState(), target }))
    .map((c) => c.id);
const setStatus = (
  key: string,
  status: 'running' | 'stopped' | 'paused',
  extra: { lock?: string; template?: boolean } = {},
) => {
  const guest = appStore.getState().guests.get(key)!;
  appStore
    .getState()
    .applyPatch({ revision: appStore.getState().revision + 1, guests: { [key]: { ...guest, status, ...extra } } });
};

beforeEach(() => {
  appStore.setState(initial, true);
  ctUiStore.setState({ dialog: null, tab: 'summary' });
  appStore.getState().applySnapshot(createFakeHyperdesk({ now: Date.UTC(2025, 10, 26, 12) }).inventory);
});

describe('CT commands in the one registry', () => {
  it('registers each CT command once: guest commands for the toolbar, the container menu and the palette; create for the node menu', () => {
    const ids = commands.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const ct = commands.filter((c) => c.places.includes('ct-menu')).map((c) => c.id);
    expect(ct).toEqual(
      ['start', 'shutdown', 'stop', 'reboot', 'console', 'snapshot', 'clone', 'template', 'destroy'].map(
        (a) => `ct.${a}`,
      ),
    );
    for (const id of ct) expect(commandById(id)?.places).toEqual(['toolbar', 'ct-menu', 'palette']);
    expect(commandById('ct.create')?.places).toEqual(['node-menu', 'palette']);
    // The VM menu keeps only VM commands.
    expect(commands.filter((c) => c.places.includes('guest-menu')).every((c) => c.id.startsWith('vm.'))).toBe(true);
  });

  it('enables actions by state: stopped, running, frozen, locked, template, a VM', () => {
    expect(enabledIds('lab/n1/110')).toEqual(['ct.start', 'ct.snapshot', 'ct.clone', 'ct.template', 'ct.destroy']); // stopped
    expect(enabledIds('lab/n1/102')).toEqual(['ct.stop', 'ct.snapshot']); // frozen (paused)
    // A template: only clone and destroy.
    setStatus('lab/n1/110', 'stopped', { template: true });
    expect(enabledIds('lab/n1/110')).toEqual(['ct.clone', 'ct.destroy']);
    const template = { type: 'lxc', status: 'stopped', template: true } as const;
    expect(ctActions.filter((a) => ctActionEnabled(a, template, true))).toEqual(['clone', 'destroy']);
    expect(ctActionEnabled('clone', template, false)).toBe(false);
    setStatus('lab/n1/110', 'running', { template: false });
    expect(enabledIds('lab/n1/110')).toEqual(['ct.shutdown', 'ct.stop', 'ct.reboot', 'ct.console', 'ct.snapshot']);
    setStatus('lab/n1/110', 'running', { lock: 'backup' });
    expect(enabledIds('lab/n1/110')).toEqual(['ct.console']);
    expect(enabledIds('lab/n1/100')).toEqual([]); // a VM
  });

  it('disables everything while the node is offline, and acts on the selected container without a target', () => {
    appStore.getState().select({ kind: 'guest', key: 'lab/n1/110' });
    expect(commandById('ct.start')?.enabled({ state: appStore.getState() })).toBe(true);
    expect(commandById('ct.start')?.enabled({ state: appStore.getState(), target: 'lab/n1' })).toBe(false);
    const n1 = appStore.getState().nodes['lab/n1']!;
    appStore.getState().applyPatch({ revision: 1000, nodes: { 'lab/n1': { ...n1, state: 'offline' } } });
    expect(enabledIds('lab/n1/110')).toEqual([]);
    expect(commandById('ct.create')?.enabled({ state: appStore.getState(), target: 'lab/n1' })).toBe(false);
  });

  it('asks before stop, shutdown, reboot, template and destroy; opens the snapshot and clone dialogs, the console tab and the wizard', () => {
    expect(runCommand(commandById('ct.template')!, 'lab/n1/110')).toBe(true);
    expect(ctUiStore.getState().dialog).toEqual({ kind: 'confirm', action: 'template', guestKey: 'lab/n1/110' });
    runCommand(commandById('ct.clone')!, 'lab/n1/110');
    expect(ctUiStore.getState().dialog).toEqual({ kind: 'clone', guestKey: 'lab/n1/110' });
    setStatus('lab/n1/110', 'running');
    expect(runCommand(commandById('ct.clone')!, 'lab/n1/110')).toBe(false);
    expect(runCommand(commandById('ct.stop')!, 'lab/n1/110')).toBe(true);
    expect(ctUiStore.getState().dialog).toEqual({ kind: 'confirm', action: 'stop', guestKey: 'lab/n1/110' });
    runCommand(commandById('ct.snapshot')!, 'lab/n1/110');
    expect(ctUiStore.getState().dialog).toEqual({ kind: 'snapshot', guestKey: 'lab/n1/110' });
    runCommand(commandById('ct.console')!, 'lab/n1/110');
    expect(ctUiStore.getState().tab).toBe('console');
    expect(appStore.getState().selection).toEqual({ kind: 'guest', key: 'lab/n1/110' });
    expect(runCommand(commandById('ct.start')!, 'lab/n1/110')).toBe(false);
    appStore.getState().select({ kind: 'node', key: 'prod/pve2' });
    runCommand(commandById('ct.create')!);
    expect(ctUiStore.getState().dialog).toEqual({ kind: 'create', nodeKey: 'prod/pve2' });
  });
});
