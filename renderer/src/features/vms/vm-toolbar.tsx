// The VM page's power toolbar: the registry's guest commands (app/commands.ts), enabled by the VM's state. The
// container page uses the same bar over its own menu's commands (GuestCommandBar).
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { appStore } from '../../store/store';
import { useGuest } from '../../store/selectors';
import { useAppStore } from '../../store/store';
import { useT } from '../../i18n/use-t';
import { commands, runCommand, type CommandPlace } from '../../app/commands';

export function VmToolbar({ guestKey }: { guestKey: string }) {
  return <GuestCommandBar guestKey={guestKey} menu="guest-menu" prefix="vm" />;
}

/** The toolbar commands of one guest menu as buttons; test ids `${prefix}-toolbar`, `${prefix}-action-<action>`. */
export function GuestCommandBar({ guestKey, menu, prefix }: { guestKey: string; menu: CommandPlace; prefix: string }) {
  const guestCommands = commands.filter((c) => c.places.includes('toolbar') && c.places.includes(menu));
  const t = useT();
  // Re-render on the guest's entry and its node's state: the enabled rules read both.
  useGuest(guestKey);
  useAppStore((s) => {
    const g = s.guests.get(guestKey);
    return g ? s.nodes[g.nodeKey]?.state : undefined;
  });
  const ctx = { state: appStore.getState(), target: guestKey };
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5 }} data-testid={`${prefix}-toolbar`}>
      {guestCommands.map((command) => {
        const Icon = command.icon;
        const danger = command.id === `${prefix}.destroy` || command.id === `${prefix}.stop`;
        return (
          <Button
            key={command.id}
            size="small"
            color={danger ? 'error' : 'primary'}
            startIcon={<Icon fontSize="small" />}
            disabled={!command.enabled(ctx)}
            onClick={() => runCommand(command, guestKey)}
            data-testid={`${prefix}-action-${command.id.slice(prefix.length + 1)}`}
          >
            {t(command.label)}
          </Button>
        );
      })}
    </Box>
  );
}
