// The terminals of one node in tabs: several shells at once, a + for another, each closable and detachable into a
// window of its own (which starts its own shell: a one-shot console URL cannot move between windows).
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import AddRounded from '@mui/icons-material/AddRounded';
import CloseRounded from '@mui/icons-material/CloseRounded';
import { useShallow } from 'zustand/react/shallow';
import { useT } from '../../i18n/use-t';
import { openShellWindow } from '../console/detached-console';
import { openNodeShellTab } from './actions';
import { closeTerminal, sessionOf, setActiveTerminal, useTerminals } from './terminal-store';
import { TerminalView } from './terminal-view';

export interface TerminalTabsProps {
  nodeKey: string;
  /** False in a detached window: it is the window already. */
  detachable?: boolean;
}

export function TerminalTabs({ nodeKey, detachable = true }: TerminalTabsProps) {
  const t = useT();
  const tabs = useTerminals(useShallow((s) => s.tabs.filter((tab) => tab.nodeKey === nodeKey)));
  const active = useTerminals((s) => s.active[nodeKey]);
  const session = active === undefined ? undefined : sessionOf(active);
  const detach = (id: string) => {
    const fontSize = sessionOf(id)?.snapshot().fontSize;
    openShellWindow({ nodeKey, fontSize: fontSize ?? Number.NaN });
    closeTerminal(id);
  };

  return (
    <Box
      data-testid="terminal-tabs"
      data-node={nodeKey}
      sx={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', gap: 0.5 }}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', borderBottom: 1, borderColor: 'divider' }}>
        <Tabs
          value={active ?? false}
          onChange={(_, id: string) => setActiveTerminal(nodeKey, id)}
          variant="scrollable"
          aria-label={t('terminal.tabs')}
          sx={{ minHeight: 36 }}
        >
          {tabs.map((tab) => (
            <Tab
              key={tab.id}
              value={tab.id}
              sx={{ minHeight: 36, py: 0 }}
              label={
                <Box sx={{ display: 'flex', alignItems: 'center', gap: 0.5 }}>
                  {t('terminal.tab', { n: tab.n })}
                  <Tooltip title={t('terminal.close')}>
                    <IconButton
                      component="span"
                      size="small"
                      aria-label={t('terminal.close')}
                      onClick={(event) => {
                        event.stopPropagation();
                        closeTerminal(tab.id);
                      }}
                    >
                      <CloseRounded sx={{ fontSize: 14 }} />
                    </IconButton>
                  </Tooltip>
                </Box>
              }
            />
          ))}
        </Tabs>
        <Tooltip title={t('terminal.new')}>
          <IconButton
            size="small"
            aria-label={t('terminal.new')}
            onClick={() => openNodeShellTab(nodeKey)}
            data-testid="terminal-new"
          >
            <AddRounded fontSize="small" />
          </IconButton>
        </Tooltip>
      </Box>
      {session === undefined || active === undefined ? (
        <Box sx={{ p: 2, display: 'flex', alignItems: 'center', gap: 1 }}>
          <Typography color="text.secondary">{t('terminal.empty')}</Typography>
          <Button size="small" startIcon={<AddRounded />} onClick={() => openNodeShellTab(nodeKey)}>
            {t('terminal.new')}
          </Button>
        </Box>
      ) : (
        <TerminalView key={active} session={session} onDetach={detachable ? () => detach(active) : undefined} />
      )}
    </Box>
  );
}
