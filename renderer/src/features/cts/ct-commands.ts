// The container commands for the one command registry (app/commands.ts spreads them in): power actions, console,
// snapshot, clone, convert to template and destroy on the target container (the tree's 'ct-menu'); create on the
// target node.
import type { SvgIconComponent } from '@mui/icons-material';
import PlayArrowRounded from '@mui/icons-material/PlayArrowRounded';
import PowerSettingsNewRounded from '@mui/icons-material/PowerSettingsNewRounded';
import StopRounded from '@mui/icons-material/StopRounded';
import RestartAltRounded from '@mui/icons-material/RestartAltRounded';
import TerminalRounded from '@mui/icons-material/TerminalRounded';
import CameraAltOutlined from '@mui/icons-material/CameraAltOutlined';
import ContentCopyRounded from '@mui/icons-material/ContentCopyRounded';
import DescriptionOutlined from '@mui/icons-material/DescriptionOutlined';
import DeleteForeverOutlined from '@mui/icons-material/DeleteForeverOutlined';
import InventoryRounded from '@mui/icons-material/Inventory2Outlined';
import type { Command } from '../../app/commands';
import { appStore } from '../../store/store';
import { guestActionCommands, guestNode, guestNodeOnline } from '../guests/guest-commands';
import { runCtPowerAction } from './actions';
import { ctActionEnabled, ctActions, type CtAction } from './ct-power';
import { ctUiStore } from './ct-ui-store';

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
    case 'clone':
      ui.open({ kind: 'clone', guestKey });
      return;
    case 'shutdown':
    case 'reboot':
    case 'stop':
    case 'template':
    case 'destroy':
      // These end the container's processes, cannot be undone or delete it: ask first.
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
  clone: ContentCopyRounded,
  template: DescriptionOutlined,
  destroy: DeleteForeverOutlined,
};

export const ctCommands: readonly Command[] = [
  {
    id: 'ct.create',
    label: 'cmd.ct.create',
    icon: InventoryRounded,
    places: ['node-menu', 'palette'],
    enabled: guestNodeOnline,
    run: (ctx) => {
      const nodeKey = guestNode(ctx);
      if (nodeKey !== undefined) ctUiStore.getState().open({ kind: 'create', nodeKey });
    },
  },
  ...guestActionCommands({
    kind: 'ct',
    actions: ctActions,
    icons,
    menu: 'ct-menu',
    enabled: ctActionEnabled,
    run: runCtAction,
  }),
];
