// Datacenter and cluster pages: counts by state, guests running of total, running tasks, and every node in one virtualized list.
import { useState } from 'react';
import Box from '@mui/material/Box';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Card from '@mui/material/Card';
import Typography from '@mui/material/Typography';
import Button from '@mui/material/Button';
import ApartmentRounded from '@mui/icons-material/ApartmentRounded';
import HubOutlined from '@mui/icons-material/HubOutlined';
import AddCircleOutlineRounded from '@mui/icons-material/AddCircleOutlineRounded';
import { useAppStore, appStore } from '../../store/store';
import { useGuestTotals, useRunningTaskCount, useStateCounts, useCluster } from '../../store/selectors';
import { useT } from '../../i18n/use-t';
import { PageHeader } from '../../components/page-header';
import { NodeList } from './node-list';
import { DatacenterStorage } from '../storage/datacenter-storage';

function Stat({
  label,
  value,
  color,
  testId,
  of,
}: {
  label: string;
  value: number;
  color?: string | undefined;
  testId?: string;
  /** A total the value is part of, shown small after it: `12 / 16`. */
  of?: number;
}) {
  return (
    <Card sx={{ px: 2, py: 1.25, minWidth: of === undefined ? 140 : 190, flex: of === undefined ? '1 1 140px' : '1 1 190px' }}>
      <Typography variant="caption" color="text.secondary" sx={{ textTransform: 'uppercase', letterSpacing: 0.5 }}>
        {label}
      </Typography>
      <Typography
        data-testid={testId}
        sx={{
          fontSize: 24,
          fontWeight: 600,
          lineHeight: 1.3,
          color: color ?? 'text.primary',
          fontVariantNumeric: 'tabular-nums',
          whiteSpace: 'nowrap',
        }}
      >
        {value}
        {of !== undefined && (
          <Typography component="span" sx={{ fontSize: 15, fontWeight: 500, color: 'text.secondary' }}>
            {` / ${of}`}
          </Typography>
        )}
      </Typography>
    </Card>
  );
}

export function DatacenterSummary({ clusterId }: { clusterId?: string }) {
  const t = useT();
  const counts = useStateCounts(clusterId);
  const running = useRunningTaskCount();
  const guests = useGuestTotals(clusterId);
  const clusterCount = useAppStore((s) => Object.keys(s.clusters).length);
  const loaded = useAppStore((s) => s.loaded);
  const cluster = useCluster(clusterId ?? '');
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const attention = counts['host-key-changed'] + counts['auth-failed'] + counts['agent-error'];
  const title = clusterId === undefined ? t('dc.title') : t('cluster.title', { cluster: cluster?.name ?? clusterId });
  const [tab, setTab] = useState<'summary' | 'storage'>('summary');
  const welcome = loaded && total === 0 && clusterId === undefined;

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%' }}>
      <PageHeader>
        {clusterId === undefined ? <ApartmentRounded color="action" /> : <HubOutlined color="action" />}
        <Typography variant="h6">{title}</Typography>
        {!welcome && (
          <Tabs
            value={tab}
            onChange={(_, value: 'summary' | 'storage') => setTab(value)}
            sx={{ flexBasis: '100%', mb: -1.5, minHeight: 40, '& .MuiTab-root': { minHeight: 40 } }}
          >
            <Tab value="summary" label={t('dcStorage.tab.summary')} data-testid="datacenter-summary" />
            <Tab value="storage" label={t('dcStorage.tab.storage')} data-testid="datacenter-storage" />
          </Tabs>
        )}
      </PageHeader>
      <Box sx={{ p: 2, display: 'flex', flexDirection: 'column', gap: 1.5, flex: 1, minHeight: 0 }}>
        {welcome ? (
          <Welcome />
        ) : tab === 'storage' ? (
          <DatacenterStorage clusterId={clusterId} />
        ) : (
          <>
            <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap' }}>
              <Stat label={t('dc.nodes')} value={total} testId="stat-nodes" />
              <Stat label={t('dc.online')} value={counts.online} color="success.main" testId="stat-online" />
              <Stat label={t('state.offline')} value={counts.offline + counts.connecting} testId="stat-offline" />
              <Stat
                label={t('dc.attention')}
                value={attention}
                color={attention > 0 ? 'error.main' : undefined}
                testId="stat-attention"
              />
              {clusterId === undefined && <Stat label={t('dc.clusters')} value={clusterCount} />}
              <Stat
                label={t('dc.guests')}
                value={guests.running}
                of={guests.total}
                color={guests.running > 0 ? 'success.main' : undefined}
                testId="stat-guests"
              />
              <Stat label={t('dc.runningTasks')} value={running} color={running > 0 ? 'primary.main' : undefined} />
            </Box>
            <NodeList clusterId={clusterId} />
          </>
        )}
      </Box>
    </Box>
  );
}

function Welcome() {
  const t = useT();
  return (
    <Card sx={{ p: 4, maxWidth: 560, mx: 'auto', mt: 6, textAlign: 'center' }}>
      <Typography variant="h6" sx={{ mb: 1 }}>
        {t('dc.welcome')}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 3 }}>
        {t('dc.welcomeBody')}
      </Typography>
      <Button
        variant="contained"
        startIcon={<AddCircleOutlineRounded />}
        onClick={() => appStore.getState().setAddNodeOpen(true)}
      >
        {t('cmd.addNode')}
      </Button>
    </Card>
  );
}
