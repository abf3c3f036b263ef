// The container commands for the one command registry (app/commands.ts spreads them in): power actions, console,
// snapshot and destroy on the target container (the tree's 'ct-menu'); create on the target node.
import type { SvgIconComponent } from '@mui/icons-material';
import PlayArrowRounded from '@mui/icons-material/PlayArrowRounded';
import PowerSettingsNewRounded from '@mui/icons-material/PowerSettingsNewRounded';
import StopRounded from '@mui/icons-material/StopRounded';
import RestartAltRounded from '@mui/icons-material/RestartAltRounded';
import TerminalRounded from '@mui/icons-material/TerminalRounded';
import CameraAltOutlined from '@mui/icons-material/CameraAltOutlined';
import DeleteForeverOutlined from '@mui/icons-material/DeleteForeverOutlined';
import InventoryRounded from '@mui/icons-material/Inventory2Outlined';
import type { Command, CommandContext } from '../../app/commands';
import type { MessageKey } from '../../i18n/translate';
import { appStore } from '../../store/store';
import { targetGuest } from '../vms/vm-commands';
import { runCtPowerAction } from './actions';
import { ctActionEnabled, ctActions, type CtAction } from './ct-power';
import { ctUiStore } from './ct-ui-store';

/** The node ct.create acts on: the target node, else the selected node or the selected guest's node. */
function ctNode(ctx: CommandContext): string | undefined {
  if (ctx.target !== undefined) return ctx.state.nodes[ctx.target] !== undefined ? ctx.target : undefined;
  const { selection } = ctx.state;
  if (selection.kind === 'node') return selection.key;
  if (selection.kind === 'guest') return ctx.state.guests.get(selection.key)?.nodeKey;
  return undefined;
}

export function ctCommandEnabled(action: CtAction, ctx: CommandContext): boolean {
  const key = targetGuest(ctx);
  const guest = key === undefined ? undefined : ctx.state.guests.get(key);
  if (guest === undefined) return false;
  return ctActionEnabled(action, guest, ctx.state.nodes[guest.nodeKey]?.state === 'online');
}

/** What running a CT action means: a dialog for the ones that ask or need input, the task for start. */
export function runCtAction(action: CtAction, guestKey: string): void {
  const guest = appStore.getState().guests.get(guestKey);
  if (guest === undefined) return;
  const ui = ctUiStore.getState();
  switch (action) {
    case 'console':
      appStore.getState().select({ kind: 'guest', key: guestKey });
      ui.setTab('console');
      return;
    case 'snapshot':
      ui.open({ kind: 'snapshot', guestKey });
      return;
    case 'shutdown':
    case 'reboot':
    case 'stop':
    case 'destroy':
      // These end the container's processes or delete it: ask first.
      ui.open({ kind: 'confirm', action, guestKey });
      return;
    case 'start':
      void runCtPowerAction(guest.nodeKey, guest.vmid, 'start');
      return;
  }
}

const icons: Record<CtAction, SvgIconComponent> = {
  start: PlayArrowRounded,
  shutdown: PowerSettingsNewRounded,
  stop: StopRounded,
  reboot: RestartAltRounded,
  console: TerminalRounded,
  snapshot: CameraAltOutlined,
  destroy: DeleteForeverOutlined,
};

const guestCommand = (action: CtAction): Command => ({
  id: `ct.${action}`,
  label: `cmd.ct.${action}` as MessageKey,
  icon: icons[action],
  places: ['toolbar', 'ct-menu', 'palette'],
  enabled: (ctx) => ctCommandEnabled(action, ctx),
  run: (ctx) => {
    const key = targetGuest(ctx);
    if (key !== undefined) runCtAction(action, key);
  },
});

export const ctCommands: readonly Command[] = [
  {
    id: 'ct.create',
    label: 'cmd.ct.create',
    icon: InventoryRounded,
    places: ['node-menu', 'palette'],
    enabled: (ctx) => {
      const key = ctNode(ctx);
      return key !== undefined && ctx.state.nodes[key]?.state === 'online';
    },
    run: (ctx) => {
      const nodeKey = ctNode(ctx);
      if (nodeKey !== undefined) ctUiStore.getState().open({ kind: 'create', nodeKey });
    },
  },
  ...ctActions.map(guestCommand),
];
