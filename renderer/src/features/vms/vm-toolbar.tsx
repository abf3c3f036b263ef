// The VM page's power toolbar: the registry's guest commands (app/commands.ts), enabled by the VM's state.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { appStore } from '../../store/store';
import { useGuest } from '../../store/selectors';
import { useAppStore } from '../../store/store';
import { useT } from '../../i18n/use-t';
import { commands, runCommand } from '../../app/commands';

const guestCommands = commands.filter((c) => c.places.includes('toolbar') && c.places.includes('guest-menu'));

export function VmToolbar({ guestKey }: { guestKey: string }) {
  const t = useT();
  // Re-render on the guest's entry and its node's state: the enabled rules read both.
  useGuest(guestKey);
  useAppStore((s) => {
    const g = s.guests.get(guestKey);
    return g ? s.nodes[g.nodeKey]?.state : undefined;
  });
  const ctx = { state: appStore.getState(), target: guestKey };
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5 }} data-testid="vm-toolbar">
      {guestCommands.map((command) => {
        const Icon = command.icon;
        const danger = command.id === 'vm.destroy' || command.id === 'vm.stop';
        return (
          <Button
            key={command.id}
            size="small"
            color={danger ? 'error' : 'primary'}
            startIcon={<Icon fontSize="small" />}
            disabled={!command.enabled(ctx)}
            onClick={() => runCommand(command, guestKey)}
            data-testid={`vm-action-${command.id.slice('vm.'.length)}`}
          >
            {t(command.label)}
          </Button>
        );
      })}
    </Box>
  );
}
