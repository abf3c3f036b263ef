// The find field of a terminal: Enter finds the next match, Shift+Enter the previous one, Escape closes.
import { useState } from 'react';
import Box from '@mui/material/Box';
import Checkbox from '@mui/material/Checkbox';
import IconButton from '@mui/material/IconButton';
import InputBase from '@mui/material/InputBase';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import KeyboardArrowDownRounded from '@mui/icons-material/KeyboardArrowDownRounded';
import KeyboardArrowUpRounded from '@mui/icons-material/KeyboardArrowUpRounded';
import { useT } from '../../i18n/use-t';
import type { TerminalSession } from './terminal-session';

export function TerminalSearch({ session, onClose }: { session: TerminalSession; onClose: () => void }) {
  const t = useT();
  const [query, setQuery] = useState('');
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [missed, setMissed] = useState(false);
  const find = (backwards: boolean) =>
    setMissed(query !== '' && session.find(query, { backwards, caseSensitive }) === undefined);
  return (
    <Box
      sx={{
        display: 'flex',
        alignItems: 'center',
        height: 32,
        boxSizing: 'border-box',
        gap: 0.5,
        border: 1,
        borderColor: 'divider',
        borderRadius: 1,
        px: 1,
      }}
    >
      <InputBase
        autoFocus
        size="small"
        value={query}
        placeholder={t('terminal.searchField')}
        inputProps={{ 'aria-label': t('terminal.searchField'), 'data-testid': 'terminal-search' }}
        onChange={(event) => {
          setQuery(event.target.value);
          setMissed(false);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter') find(event.shiftKey);
          if (event.key === 'Escape') {
            onClose();
            session.focus();
          }
        }}
      />
      {missed && (
        <Typography variant="caption" color="warning.main">
          {t('terminal.searchNone')}
        </Typography>
      )}
      <Tooltip title={t('terminal.matchCase')}>
        <Checkbox
          size="small"
          sx={{ p: 0.25 }}
          checked={caseSensitive}
          onChange={(_, checked) => setCaseSensitive(checked)}
          slotProps={{ input: { 'aria-label': t('terminal.matchCase') } }}
        />
      </Tooltip>
      <Tooltip title={t('terminal.searchPrevious')}>
        <IconButton size="small" aria-label={t('terminal.searchPrevious')} onClick={() => find(true)}>
          <KeyboardArrowUpRounded fontSize="small" />
        </IconButton>
      </Tooltip>
      <Tooltip title={t('terminal.searchNext')}>
        <IconButton size="small" aria-label={t('terminal.searchNext')} onClick={() => find(false)}>
          <KeyboardArrowDownRounded fontSize="small" />
        </IconButton>
      </Tooltip>
    </Box>
  );
}
