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
}

export function TreeContextMenu({ anchor, onClose }: { anchor: TreeMenuAnchor | null; onClose: () => void }) {
  const t = useT();
  const nodeCommands = commands.filter((c) => c.places.includes('node-menu'));
  return (
    <Menu
      open={anchor !== null}
      onClose={onClose}
      anchorReference="anchorPosition"
      anchorPosition={anchor ? { top: anchor.y, left: anchor.x } : { top: 0, left: 0 }}
      slotProps={{ list: { dense: true } }}
    >
      {anchor &&
        nodeCommands.map((command) => {
          const Icon = command.icon;
          const enabled = command.enabled({ state: appStore.getState(), target: anchor.nodeKey });
          return (
            <MenuItem
              key={command.id}
              disabled={!enabled}
              data-testid={`tree-menu-${command.id}`}
              onClick={() => {
                onClose();
                runCommand(command, anchor.nodeKey);
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
