import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeHyperdesk } from '../../dev/fake-hyperdesk';
import { appStore } from '../../store/store';
import { commandById, commands, runCommand } from '../../app/commands';
import { vmUiStore } from './vm-ui-store';

const initial = appStore.getState();
const enabledIds = (target: string) =>
  commands
    .filter((c) => c.places.includes('guest-menu') && c.enabled({ state: appStore.getState(), target }))
    .map((c) => c.id);

beforeEach(() => {
  appStore.setState(initial, true);
  vmUiStore.setState({ dialog: null, tab: 'summary' });
  appStore.getState().applySnapshot(createFakeHyperdesk({ now: Date.UTC(2025, 10, 26, 12) }).inventory);
});

describe('VM commands in the one registry', () => {
  it('registers each VM command once, for the toolbar, the guest menu and the palette', () => {
    const ids = commands.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const guest = commands.filter((c) => c.places.includes('guest-menu')).map((c) => c.id);
    expect(guest).toEqual(
      ['start', 'shutdown', 'stop', 'reboot', 'reset', 'suspend', 'resume', 'console', 'snapshot', 'clone', 'template', 'destroy'].map((a) => `vm.${a}`),
    );
    for (const id of guest) expect(commandById(id)?.places).toEqual(['toolbar', 'guest-menu', 'palette']);
    expect(commandById('vm.bulk.start')?.places).toContain('node-menu');
  });

  it('enables actions by state: running, stopped, template, locked, container', () => {
    expect(enabledIds('lab/n1/100')).toEqual(['vm.shutdown', 'vm.stop', 'vm.reboot', 'vm.reset', 'vm.suspend', 'vm.console', 'vm.snapshot', 'vm.clone']);
    expect(enabledIds('lab/n1/9000')).toEqual(['vm.clone', 'vm.destroy']);
    expect(enabledIds('lab/n1/101')).toEqual(['vm.console']); // locked by a backup
    expect(enabledIds('lab/n1/102')).toEqual([]); // a container
    const web1 = appStore.getState().guests.get('lab/n1/100')!;
    appStore.getState().applyPatch({ revision: 1000, guests: { [web1.key]: { ...web1, status: 'paused' } } });
    expect(enabledIds('lab/n1/100')).toEqual(['vm.stop', 'vm.resume', 'vm.console', 'vm.snapshot', 'vm.clone']);
    appStore.getState().applyPatch({ revision: 1001, guests: { [web1.key]: { ...web1, status: 'stopped' } } });
    expect(enabledIds('lab/n1/100')).toEqual(['vm.start', 'vm.snapshot', 'vm.clone', 'vm.template', 'vm.destroy']);
  });

  it('disables everything while the node is offline, and acts on the selected guest without a target', () => {
    const n1 = appStore.getState().nodes['lab/n1']!;
    appStore.getState().select({ kind: 'guest', key: 'lab/n1/100' });
    expect(commandById('vm.shutdown')?.enabled({ state: appStore.getState() })).toBe(true);
    // A node key as target is not a guest: the guest commands do not apply.
    expect(commandById('vm.shutdown')?.enabled({ state: appStore.getState(), target: 'lab/n1' })).toBe(false);
    appStore.getState().applyPatch({ revision: 1000, nodes: { 'lab/n1': { ...n1, state: 'offline' } } });
    expect(enabledIds('lab/n1/100')).toEqual([]);
  });

  it('asks before destructive actions and opens dialogs for the ones that need input', () => {
    expect(runCommand(commandById('vm.stop')!, 'lab/n1/100')).toBe(true);
    expect(vmUiStore.getState().dialog).toEqual({ kind: 'confirm', action: 'stop', guestKey: 'lab/n1/100' });
    runCommand(commandById('vm.snapshot')!, 'lab/n1/100');
    expect(vmUiStore.getState().dialog).toEqual({ kind: 'snapshot', guestKey: 'lab/n1/100' });
    runCommand(commandById('vm.console')!, 'lab/n1/100');
    expect(vmUiStore.getState().tab).toBe('console');
    expect(appStore.getState().selection).toEqual({ kind: 'guest', key: 'lab/n1/100' });
    expect(runCommand(commandById('vm.start')!, 'lab/n1/100')).toBe(false);
    appStore.getState().select({ kind: 'node', key: 'prod/pve2' });
    runCommand(commandById('vm.create')!);
    expect(vmUiStore.getState().dialog).toEqual({ kind: 'create', nodeKey: 'prod/pve2' });
  });
});
