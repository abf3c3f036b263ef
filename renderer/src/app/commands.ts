// Every user command, registered once: the toolbar, the tree's context menu, the command palette and
// keyboard shortcuts all read this list.
import type { SvgIconComponent } from '@mui/icons-material';
import AddCircleOutlineRounded from '@mui/icons-material/AddCircleOutlineRounded';
import DeleteOutlineRounded from '@mui/icons-material/DeleteOutlineRounded';
import FactCheckOutlined from '@mui/icons-material/FactCheckOutlined';
import ViewAgendaOutlined from '@mui/icons-material/ViewAgendaOutlined';
import ContrastRounded from '@mui/icons-material/ContrastRounded';
import TranslateRounded from '@mui/icons-material/TranslateRounded';
import SearchRounded from '@mui/icons-material/SearchRounded';
import StorageRounded from '@mui/icons-material/StorageRounded';
import type { MessageKey } from '../i18n/translate';
import type { AppState } from '../store/store';
import { runNodeCheck } from '../features/nodes/actions';
import { refreshNodeStorages } from '../features/storage/actions';
import { splitStorageKey } from '../features/storage/storage-format';
import { cycleTheme, toggleLanguage } from '../features/preferences/actions';
import { appStore } from '../store/store';
import { vmCommands } from '../features/vms/vm-commands'; // vm feature
import TerminalRounded from '@mui/icons-material/TerminalRounded'; // terminal feature
import { showNodeShell } from '../features/terminal/actions'; // terminal feature
import { ctCommands } from '../features/cts/ct-commands'; // ct feature

export interface CommandContext {
  state: AppState;
  /** The node a context menu was opened on; otherwise the selected node applies. */
  target?: string;
}

export interface Shortcut {
  /** KeyboardEvent.key, lower case. */
  key: string;
  /** Ctrl on Linux and Windows, Cmd on macOS. */
  mod: boolean;
  shift: boolean;
}

// 'guest-menu': the tree's context menu on a guest (vm feature); 'ct-menu': on a container (ct feature).
export type CommandPlace = 'toolbar' | 'node-menu' | 'guest-menu' | 'ct-menu' | 'palette';

export interface Command {
  id: string;
  label: MessageKey;
  icon: SvgIconComponent;
  shortcut?: Shortcut;
  places: readonly CommandPlace[];
  enabled: (ctx: CommandContext) => boolean;
  run: (ctx: CommandContext) => void;
}

/** The node a command acts on: the context menu's target, else the selected node. */
export function targetNode(ctx: CommandContext): string | undefined {
  if (ctx.target !== undefined) return ctx.target;
  return ctx.state.selection.kind === 'node' ? ctx.state.selection.key : undefined;
}

/** The node whose storages a command acts on: the target node, or the node of the selected storage. */
const storageNode = (ctx: CommandContext): string | undefined => {
  const { selection } = ctx.state;
  return selection.kind === 'storage' && ctx.target === undefined
    ? splitStorageKey(selection.key).nodeKey
    : targetNode(ctx);
};

const always = () => true;
const hasNode = (ctx: CommandContext) => {
  const key = targetNode(ctx);
  return key !== undefined && ctx.state.nodes[key] !== undefined;
};

export const commands: readonly Command[] = [
  {
    id: 'node.add',
    label: 'cmd.addNode',
    icon: AddCircleOutlineRounded,
    shortcut: { key: 'n', mod: true, shift: true },
    places: ['toolbar', 'palette'],
    enabled: always,
    run: () => appStore.getState().setAddNodeOpen(true),
  },
  {
    id: 'node.check',
    label: 'cmd.runCheck',
    icon: FactCheckOutlined,
    places: ['node-menu', 'palette'],
    enabled: (ctx) => {
      const key = targetNode(ctx);
      return key !== undefined && ctx.state.nodes[key]?.state === 'online';
    },
    run: (ctx) => {
      const key = targetNode(ctx);
      if (key !== undefined) void runNodeCheck(key);
    },
  },
  {
    id: 'storage.refresh',
    label: 'cmd.refreshStorage',
    icon: StorageRounded,
    places: ['node-menu', 'palette'],
    enabled: (ctx) => {
      const key = storageNode(ctx);
      return key !== undefined && ctx.state.nodes[key]?.state === 'online';
    },
    run: (ctx) => {
      const key = storageNode(ctx);
      // A failure leaves the last-known list; the storage pages show their own errors.
      if (key !== undefined) void refreshNodeStorages(key).catch(() => undefined);
      appStore.getState().bumpStorageEpoch();
    },
  },
  // terminal feature: a root shell on the node, in the node page's Shell tab.
  {
    id: 'node.shell',
    label: 'cmd.nodeShell',
    icon: TerminalRounded,
    places: ['node-menu', 'palette'],
    enabled: (ctx) => {
      const key = targetNode(ctx);
      return key !== undefined && ctx.state.nodes[key]?.state === 'online';
    },
    run: (ctx) => {
      const key = targetNode(ctx);
      if (key !== undefined) showNodeShell(key);
    },
  },
  {
    id: 'node.remove',
    label: 'cmd.removeNode',
    icon: DeleteOutlineRounded,
    places: ['node-menu', 'palette'],
    enabled: hasNode,
    run: (ctx) => {
      const key = targetNode(ctx);
      if (key !== undefined) appStore.getState().setRemoveNodeKey(key);
    },
  },
  {
    id: 'tasks.toggle',
    label: 'cmd.toggleTasks',
    icon: ViewAgendaOutlined,
    shortcut: { key: 'j', mod: true, shift: false },
    places: ['palette'],
    enabled: always,
    run: (ctx) => appStore.getState().setTaskPanel({ open: !ctx.state.taskPanel.open }),
  },
  {
    id: 'theme.cycle',
    label: 'cmd.cycleTheme',
    icon: ContrastRounded,
    places: ['palette'],
    enabled: always,
    run: () => cycleTheme(),
  },
  {
    id: 'language.toggle',
    label: 'cmd.toggleLanguage',
    icon: TranslateRounded,
    places: ['palette'],
    enabled: always,
    run: () => toggleLanguage(),
  },
  {
    id: 'palette.open',
    label: 'cmd.palette',
    icon: SearchRounded,
    shortcut: { key: 'k', mod: true, shift: false },
    places: [],
    enabled: always,
    run: () => appStore.getState().setPaletteOpen(true),
  },
  // vm feature: create, power actions, console, snapshot, clone, template, destroy, bulk actions.
  ...vmCommands,
  // ct feature: create on a node; power actions, console, snapshot, destroy on a container.
  ...ctCommands,
];

export const commandById = (id: string): Command | undefined => commands.find((c) => c.id === id);

const isMac = typeof navigator !== 'undefined' && /Mac/i.test(navigator.platform);

export function matchesShortcut(
  shortcut: Shortcut,
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
): boolean {
  const mod = isMac ? event.metaKey : event.ctrlKey;
  return (
    !event.altKey &&
    mod === shortcut.mod &&
    event.shiftKey === shortcut.shift &&
    event.key.toLowerCase() === shortcut.key
  );
}

export const shortcutLabel = (shortcut: Shortcut): string =>
  [shortcut.mod ? (isMac ? '⌘' : 'Ctrl') : '', shortcut.shift ? 'Shift' : '', shortcut.key.toUpperCase()]
    .filter(Boolean)
    .join('+');

/** Run a command if it is enabled in the current state; returns whether it ran. */
export function runCommand(command: Command, target?: string): boolean {
  const ctx: CommandContext =
    target === undefined ? { state: appStore.getState() } : { state: appStore.getState(), target };
  if (!command.enabled(ctx)) return false;
  command.run(ctx);
  return true;
}
