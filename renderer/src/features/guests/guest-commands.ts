// What the VM and CT command sets share: which guest or node a command acts on, and the one command per guest
// action (enabled by the kind's state rules, run by the kind's dialog-or-task choice).
import type { SvgIconComponent } from '@mui/icons-material';
import type { Command, CommandContext, CommandPlace } from '../../app/commands';
import type { MessageKey } from '../../i18n/translate';
import type { GuestFacts } from './guest-action-gate';

/** The guest a guest command acts on: the context menu's target when it is a guest, else the selected guest. */
export function targetGuest(ctx: CommandContext): string | undefined {
  if (ctx.target !== undefined) return ctx.state.guests.has(ctx.target) ? ctx.target : undefined;
  return ctx.state.selection.kind === 'guest' ? ctx.state.selection.key : undefined;
}

/** The node a node-level guest command (create, bulk) acts on: the target node, else the selected node or the
 * selected guest's node. */
export function guestNode(ctx: CommandContext): string | undefined {
  if (ctx.target !== undefined) return ctx.state.nodes[ctx.target] !== undefined ? ctx.target : undefined;
  const { selection } = ctx.state;
  if (selection.kind === 'node') return selection.key;
  if (selection.kind === 'guest') return ctx.state.guests.get(selection.key)?.nodeKey;
  return undefined;
}

/** Whether guestNode names an online node. */
export function guestNodeOnline(ctx: CommandContext): boolean {
  const key = guestNode(ctx);
  return key !== undefined && ctx.state.nodes[key]?.state === 'online';
}

/** One kind's per-guest actions as commands `${kind}.${action}` labelled `cmd.${kind}.${action}`. */
export function guestActionCommands<A extends string>(spec: {
  kind: 'vm' | 'ct';
  actions: readonly A[];
  icons: Record<A, SvgIconComponent>;
  menu: CommandPlace;
  enabled: (action: A, guest: GuestFacts, nodeOnline: boolean) => boolean;
  run: (action: A, guestKey: string) => void;
}): Command[] {
  return spec.actions.map((action) => ({
    id: `${spec.kind}.${action}`,
    label: `cmd.${spec.kind}.${action}` as MessageKey,
    icon: spec.icons[action],
    places: ['toolbar', spec.menu, 'palette'],
    enabled: (ctx) => {
      const key = targetGuest(ctx);
      const guest = key === undefined ? undefined : ctx.state.guests.get(key);
      if (guest === undefined) return false;
      return spec.enabled(action, guest, ctx.state.nodes[guest.nodeKey]?.state === 'online');
    },
    run: (ctx) => {
      const key = targetGuest(ctx);
      if (key !== undefined) spec.run(action, key);
    },
  }));
}
