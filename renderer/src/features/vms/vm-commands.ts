// The VM commands for the one command registry (app/commands.ts spreads them in): power actions, console,
// snapshot, clone, template and destroy on the target guest; create and bulk actions on the target node.
import type { SvgIconComponent } from '@mui/icons-material';
import PlayArrowRounded from '@mui/icons-material/PlayArrowRounded';
import PowerSettingsNewRounded from '@mui/icons-material/PowerSettingsNewRounded';
import StopRounded from '@mui/icons-material/StopRounded';
import RestartAltRounded from '@mui/icons-material/RestartAltRounded';
import ReplayRounded from '@mui/icons-material/ReplayRounded';
import PauseRounded from '@mui/icons-material/PauseRounded';
import PlayCircleOutlineRounded from '@mui/icons-material/PlayCircleOutlineRounded';
import TerminalRounded from '@mui/icons-material/TerminalRounded';
import CameraAltOutlined from '@mui/icons-material/CameraAltOutlined';
import ContentCopyRounded from '@mui/icons-material/ContentCopyRounded';
import DescriptionOutlined from '@mui/icons-material/DescriptionOutlined';
import DeleteForeverOutlined from '@mui/icons-material/DeleteForeverOutlined';
import AddToQueueRounded from '@mui/icons-material/AddToQueueRounded';
import PlaylistPlayRounded from '@mui/icons-material/PlaylistPlayRounded';
import PlaylistRemoveRounded from '@mui/icons-material/PlaylistRemoveRounded';
import type { Command } from '../../app/commands';
import { appStore } from '../../store/store';
import { guestActionCommands, guestNode, guestNodeOnline } from '../guests/guest-commands';
import { runPowerAction } from './actions';
import { vmUiStore } from './vm-ui-store';
import { vmActionEnabled, vmActions, type VmAction } from './vm-power';

/** What running a VM action means: a dialog for the ones that ask or need input, the task for the rest. */
export function runVmAction(action: VmAction, guestKey: string): void {
  const guest = appStore.getState().guests.get(guestKey);
  if (guest === undefined) return;
  const ui = vmUiStore.getState();
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
    case 'reset':
    case 'template':
    case 'destroy':
      // These lose the guest's unsaved state or delete something: ask first.
      ui.open({ kind: 'confirm', action, guestKey });
      return;
    case 'start':
    case 'suspend':
    case 'resume':
      void runPowerAction(guest.nodeKey, guest.vmid, action);
      return;
  }
}

const icons: Record<VmAction, SvgIconComponent> = {
  start: PlayArrowRounded,
  shutdown: PowerSettingsNewRounded,
  stop: StopRounded,
  reboot: RestartAltRounded,
  reset: ReplayRounded,
  suspend: PauseRounded,
  resume: PlayCircleOutlineRounded,
  console: TerminalRounded,
  snapshot: CameraAltOutlined,
  clone: ContentCopyRounded,
  template: DescriptionOutlined,
  destroy: DeleteForeverOutlined,
};

const bulk = (action: 'start' | 'shutdown' | 'stop', icon: SvgIconComponent): Command => ({
  id: `vm.bulk.${action}`,
  label: `cmd.vm.bulk.${action}`,
  icon,
  places: ['node-menu', 'palette'],
  enabled: guestNodeOnline,
  run: (ctx) => {
    const nodeKey = guestNode(ctx);
    if (nodeKey !== undefined) vmUiStore.getState().open({ kind: 'bulk', nodeKey, action });
  },
});

export const vmCommands: readonly Command[] = [
  {
    id: 'vm.create',
    label: 'cmd.vm.create',
    icon: AddToQueueRounded,
    places: ['toolbar', 'node-menu', 'palette'],
    enabled: guestNodeOnline,
    run: (ctx) => {
      const nodeKey = guestNode(ctx);
      if (nodeKey !== undefined) vmUiStore.getState().open({ kind: 'create', nodeKey });
    },
  },
  ...guestActionCommands({
    kind: 'vm',
    actions: vmActions,
    icons,
    menu: 'guest-menu',
    enabled: vmActionEnabled,
    run: runVmAction,
  }),
  bulk('start', PlaylistPlayRounded),
  bulk('shutdown', PowerSettingsNewRounded),
  bulk('stop', PlaylistRemoveRounded),
];
