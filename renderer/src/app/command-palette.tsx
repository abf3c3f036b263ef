// Ctrl+K: find any command by its name (in either language) and run it.
import { useMemo, useState } from 'react';
import Dialog from '@mui/material/Dialog';
import InputBase from '@mui/material/InputBase';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import Box from '@mui/material/Box';
import Divider from '@mui/material/Divider';
import SearchRounded from '@mui/icons-material/SearchRounded';
import { useAppStore, appStore } from '../store/store';
import { useT } from '../i18n/use-t';
import { translate } from '../i18n/translate';
import { commands, runCommand, shortcutLabel, type Command } from './commands';

export function CommandPalette() {
  const open = useAppStore((s) => s.paletteOpen);
  const close = () => appStore.getState().setPaletteOpen(false);
  return (
    <Dialog
      open={open}
      onClose={close}
      maxWidth="sm"
      fullWidth
      slotProps={{ paper: { sx: { alignSelf: 'flex-start', mt: 12 } } }}
    >
      {open && <PaletteBody onDone={close} />}
    </Dialog>
  );
}

function PaletteBody({ onDone }: { onDone: () => void }) {
  const t = useT();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    const state = appStore.getState();
    return commands.filter(
      (c) =>
        c.places.includes('palette') &&
        c.enabled({ state }) &&
        (q === '' || [t(c.label), translate('en', c.label), c.id].some((text) => text.toLowerCase().includes(q))),
    );
  }, [query, t]);

  const run = (command: Command | undefined) => {
    if (!command) return;
    onDone();
    runCommand(command);
  };

  return (
    <Box
      onKeyDown={(e) => {
        if (e.key === 'ArrowDown') setActive((i) => Math.min(i + 1, matches.length - 1));
        else if (e.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
        else if (e.key === 'Enter') run(matches[active]);
        else return;
        e.preventDefault();
      }}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 2, py: 1.25 }}>
        <SearchRounded fontSize="small" color="action" />
        <InputBase
          autoFocus
          fullWidth
          placeholder={t('palette.placeholder')}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          slotProps={{ input: { 'aria-label': t('cmd.palette') } }}
        />
      </Box>
      <Divider />
      {matches.length === 0 ? (
        <Typography variant="body2" color="text.secondary" sx={{ px: 2, py: 2 }}>
          {t('palette.empty')}
        </Typography>
      ) : (
        <List dense sx={{ py: 0.5 }}>
          {matches.map((command, index) => {
            const Icon = command.icon;
            return (
              <ListItemButton
                key={command.id}
                selected={index === active}
                onMouseEnter={() => setActive(index)}
                onClick={() => run(command)}
              >
                <ListItemIcon sx={{ minWidth: 32 }}>
                  <Icon fontSize="small" />
                </ListItemIcon>
                <ListItemText primary={t(command.label)} />
                {command.shortcut && (
                  <Typography variant="caption" color="text.secondary" sx={{ fontFamily: 'monospace' }}>
                    {shortcutLabel(command.shortcut)}
                  </Typography>
                )}
              </ListItemButton>
            );
          })}
        </List>
      )}
    </Box>
  );
}
