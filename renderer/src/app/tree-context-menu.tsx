// The right-click menu on a node: the registry's node commands, enabled as they are right now.
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import { appStore } from '../store/store';
import { useT } from '../i18n/use-t';
import { commands, runCommand } from './commands';

export interface TreeMenuAnchor {
  x: number;
  y: number;
  nodeKey: string;
  /** vm feature: set when the menu was opened on a guest; its commands then act on the guest. */
  guestKey?: string;
}

export function TreeContextMenu({ anchor, onClose }: { anchor: TreeMenuAnchor | null; onClose: () => void }) {
  const t = useT();
  // ct feature: a container's menu holds the ct.* commands, a VM's the vm.* ones.
  const guestType = anchor?.guestKey === undefined ? undefined : appStore.getState().guests.get(anchor.guestKey)?.type;
  const place = anchor?.guestKey === undefined ? 'node-menu' : guestType === 'lxc' ? 'ct-menu' : 'guest-menu';
  const menuCommands = commands.filter((c) => c.places.includes(place));
  const target = anchor?.guestKey ?? anchor?.nodeKey;
  return (
    <Menu
      open={anchor !== null}
      onClose={onClose}
      anchorReference="anchorPosition"
      anchorPosition={anchor ? { top: anchor.y, left: anchor.x } : { top: 0, left: 0 }}
      slotProps={{ list: { dense: true } }}
    >
      {target !== undefined &&
        menuCommands.map((command) => {
          const Icon = command.icon;
          const enabled = command.enabled({ state: appStore.getState(), target });
          return (
            <MenuItem
              key={command.id}
              disabled={!enabled}
              data-testid={`tree-menu-${command.id}`}
              onClick={() => {
                onClose();
                runCommand(command, target);
              }}
            >
              <ListItemIcon>
                <Icon fontSize="small" />
              </ListItemIcon>
              <ListItemText>{t(command.label)}</ListItemText>
            </MenuItem>
          );
        })}
    </Menu>
  );
}
