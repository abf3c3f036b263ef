// A node's page: header with its state and commands, then the Summary tab (banner, status, charts).
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Tabs from '@mui/material/Tabs';
import Tab from '@mui/material/Tab';
import Typography from '@mui/material/Typography';
import DnsOutlined from '@mui/icons-material/DnsOutlined';
import { useAppStore } from '../../store/store';
import { useT } from '../../i18n/use-t';
import { NodeStateBadge } from '../../components/node-state';
import { commandById, runCommand } from '../../app/commands';
import { OfflineBanner } from './offline-banner';
import { StatusCards } from './status-cards';
import { MetricsCharts } from './metrics-charts';
import { useNodePageTab } from '../terminal/node-page-tab'; // terminal feature
import { TerminalTabs } from '../terminal/terminal-tabs'; // terminal feature

export function NodePage({ nodeKey }: { nodeKey: string }) {
  const t = useT();
  const exists = useAppStore((s) => s.nodes[nodeKey] !== undefined);
  const name = useAppStore((s) => s.nodes[nodeKey]?.name ?? nodeKey);
  const host = useAppStore((s) => s.nodes[nodeKey]?.host ?? '');
  const state = useAppStore((s) => s.nodes[nodeKey]?.state ?? 'offline');
  // When the newest metrics sample was taken: tells a person (and the tests) the page is live.
  const sampled = useAppStore((s) => s.nodes[nodeKey]?.metrics?.t);
  const [tab, setTab] = useNodePageTab(nodeKey); // terminal feature: the Shell command turns the page to Shell
  if (!exists) {
    return (
      <Typography color="text.secondary" sx={{ p: 3 }}>
        {t('node.notFound', { node: nodeKey })}
      </Typography>
    );
  }
  const check = commandById('node.check');
  const remove = commandById('node.remove');
  const dimmed = state !== 'online';
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', minHeight: '100%' }}>
      <Box sx={{ px: 2.5, pt: 1.5, bgcolor: 'background.paper', borderBottom: 1, borderColor: 'divider' }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}>
          <DnsOutlined color="action" />
          <Typography variant="h6">{t('node.title', { node: name })}</Typography>
          <Typography variant="body2" color="text.secondary">
            {host}
          </Typography>
          <NodeStateBadge state={state} />
          <Box sx={{ flex: 1 }} />
          {check && (
            <Button
              variant="outlined"
              startIcon={<check.icon />}
              disabled={state !== 'online'}
              onClick={() => runCommand(check, nodeKey)}
              data-testid="run-node-check"
            >
              {t('node.runCheck')}
            </Button>
          )}
          {remove && (
            <Button
              color="error"
              startIcon={<remove.icon />}
              onClick={() => runCommand(remove, nodeKey)}
              data-testid="remove-node-button"
            >
              {t('cmd.removeNode')}
            </Button>
          )}
        </Box>
        <Tabs value={tab} onChange={(_, value: string) => setTab(value)} sx={{ mt: 0.5 }}>
          <Tab value="summary" label={t('node.tab.summary')} />
          <Tab value="shell" label={t('node.tab.shell')} data-testid="node-tab-shell" />
        </Tabs>
      </Box>
      {tab === 'summary' && (
        <Box
          sx={{ p: 2, display: 'flex', flexDirection: 'column', gap: 1.5 }}
          data-testid="node-summary"
          data-sampled={sampled}
          data-node={nodeKey}
        >
          <OfflineBanner nodeKey={nodeKey} />
          <StatusCards nodeKey={nodeKey} dimmed={dimmed} />
          <MetricsCharts key={nodeKey} nodeKey={nodeKey} dimmed={dimmed} />
        </Box>
      )}
      {/* terminal feature: the node's shells (they keep running while another tab or page is shown) */}
      {tab === 'shell' && (
        <Box sx={{ p: 1, flex: 1, minHeight: 480, display: 'flex', flexDirection: 'column' }} data-testid="node-shell">
          <TerminalTabs nodeKey={nodeKey} />
        </Box>
      )}
    </Box>
  );
}
