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
import type { Command, CommandContext } from '../../app/commands';
import type { MessageKey } from '../../i18n/translate';
import { appStore } from '../../store/store';
import { runPowerAction } from './actions';
import { vmUiStore } from './vm-ui-store';
import { vmActionEnabled, type VmAction } from './vm-power';

/** The guest a VM command acts on: the context menu's target when it is a guest, else the selected guest. */
export function targetGuest(ctx: CommandContext): string | undefined {
  if (ctx.target !== undefined) return ctx.state.guests.has(ctx.target) ? ctx.target : undefined;
  return ctx.state.selection.kind === 'guest' ? ctx.state.selection.key : undefined;
}

/** The node a node-level VM command acts on: the target node, else the selected node or the selected guest's node. */
function vmNode(ctx: CommandContext): string | undefined {
  if (ctx.target !== undefined) return ctx.state.nodes[ctx.target] !== undefined ? ctx.target : undefined;
  const { selection } = ctx.state;
  if (selection.kind === 'node') return selection.key;
  if (selection.kind === 'guest') return ctx.state.guests.get(selection.key)?.nodeKey;
  return undefined;
}

export function vmCommandEnabled(action: VmAction, ctx: CommandContext): boolean {
  const key = targetGuest(ctx);
  const guest = key === undefined ? undefined : ctx.state.guests.get(key);
  if (guest === undefined) return false;
  return vmActionEnabled(action, guest, ctx.state.nodes[guest.nodeKey]?.state === 'online');
}

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

const guestCommand = (action: VmAction): Command => ({
  id: `vm.${action}`,
  label: `cmd.vm.${action}` as MessageKey,
  icon: icons[action],
  places: ['toolbar', 'guest-menu', 'palette'],
  enabled: (ctx) => vmCommandEnabled(action, ctx),
  run: (ctx) => {
    const key = targetGuest(ctx);
    if (key !== undefined) runVmAction(action, key);
  },
});

const nodeOnline = (ctx: CommandContext) => {
  const key = vmNode(ctx);
  return key !== undefined && ctx.state.nodes[key]?.state === 'online';
};
const bulk = (action: 'start' | 'shutdown' | 'stop', icon: SvgIconComponent): Command => ({
  id: `vm.bulk.${action}`,
  label: `cmd.vm.bulk.${action}`,
  icon,
  places: ['node-menu', 'palette'],
  enabled: nodeOnline,
  run: (ctx) => {
    const nodeKey = vmNode(ctx);
    if (nodeKey !== undefined) vmUiStore.getState().open({ kind: 'bulk', nodeKey, action });
  },
});

export const vmCommands: readonly Command[] = [
  {
    id: 'vm.create',
    label: 'cmd.vm.create',
    icon: AddToQueueRounded,
    places: ['toolbar', 'node-menu', 'palette'],
    enabled: nodeOnline,
    run: (ctx) => {
      const nodeKey = vmNode(ctx);
      if (nodeKey !== undefined) vmUiStore.getState().open({ kind: 'create', nodeKey });
    },
  },
  ...(['start', 'shutdown', 'stop', 'reboot', 'reset', 'suspend', 'resume', 'console', 'snapshot', 'clone', 'template', 'destroy'] as const).map(guestCommand),
  bulk('start', PlaylistPlayRounded),
  bulk('shutdown', PowerSettingsNewRounded),
  bulk('stop', PlaylistRemoveRounded),
];
