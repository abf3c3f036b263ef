// Which container actions make sense in which state (PVE's rules for pct): pure, so the commands, the CT page's
// toolbar and the tests share one answer.
import { guestActionOpen, type GuestFacts } from '../guests/guest-action-gate';

export const ctActions = [
  'start',
  'shutdown',
  'stop',
  'reboot',
  'console',
  'snapshot',
  'clone',
  'template',
  'destroy',
] as const;
export type CtAction = (typeof ctActions)[number];

/** The power actions that are plain tasks on the agent (ct.<action> {vmid}). */
export const ctPowerActions = ['start', 'shutdown', 'stop', 'reboot'] as const;
export type CtPowerAction = (typeof ctPowerActions)[number];

/** Whether `action` may run on this container now; `nodeOnline` false disables everything. */
export function ctActionEnabled(action: CtAction, ct: GuestFacts, nodeOnline: boolean): boolean {
  if (!guestActionOpen('lxc', action, ct, nodeOnline)) return false;
  const template = ct.template === true;
  const { status } = ct;
  // A frozen container (PVE shows it as paused) can only be stopped; a template can only be cloned or destroyed.
  switch (action) {
    case 'start':
      return !template && status === 'stopped';
    case 'shutdown':
    case 'reboot':
      return !template && status === 'running';
    case 'stop':
      return !template && (status === 'running' || status === 'paused');
    case 'console':
      return !template && status === 'running';
    case 'snapshot':
      return !template && status !== 'unknown';
    case 'clone':
      // As pct: a running container is cloned from a snapshot only, which the dialog does not offer.
      return status === 'stopped';
    case 'template':
      return !template && status === 'stopped';
    case 'destroy':
      return status === 'stopped';
  }
}
