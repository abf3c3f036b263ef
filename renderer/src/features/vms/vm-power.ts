// Which VM actions make sense in which state (PVE's rules): pure, so the commands, the VM page's toolbar and the
// tests share one answer.
import { guestActionOpen, type GuestFacts } from '../guests/guest-action-gate';

export const vmActions = [
  'start',
  'shutdown',
  'stop',
  'reboot',
  'reset',
  'suspend',
  'resume',
  'console',
  'snapshot',
  'clone',
  'template',
  'destroy',
] as const;
export type VmAction = (typeof vmActions)[number];

/** The power actions that are plain tasks on the agent (vm.<action> {vmid}). */
export const powerActions = ['start', 'shutdown', 'stop', 'reboot', 'reset', 'suspend', 'resume'] as const;
export type PowerAction = (typeof powerActions)[number];

/** Whether `action` may run on this guest now; `nodeOnline` false disables everything but nothing is hidden. */
export function vmActionEnabled(action: VmAction, vm: GuestFacts, nodeOnline: boolean): boolean {
  if (!guestActionOpen('qemu', action, vm, nodeOnline)) return false;
  const template = vm.template === true;
  const { status } = vm;
  switch (action) {
    case 'start':
      return !template && status === 'stopped';
    case 'shutdown':
    case 'reboot':
      return !template && status === 'running';
    case 'stop':
      return !template && (status === 'running' || status === 'paused' || status === 'suspended');
    case 'reset':
    case 'suspend':
      return !template && status === 'running';
    case 'resume':
      return !template && (status === 'paused' || status === 'suspended');
    case 'console':
      return !template && status !== 'stopped' && status !== 'unknown';
    case 'snapshot':
      return !template && status !== 'unknown';
    case 'clone':
      return status !== 'unknown';
    case 'template':
      return !template && status === 'stopped';
    case 'destroy':
      return status === 'stopped';
  }
}
