// A guest's page, read-only for now: what its node last reported (PVE's /cluster/resources fields), with the node's
// state when those values are only last-known. Actions (start, stop, console) come with the qemu/lxc areas.
import type { ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import Chip from '@mui/material/Chip';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import { useGuest } from '../../store/selectors';
import { useAppStore } from '../../store/store';
import { useLanguage, useT } from '../../i18n/use-t';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../../i18n/format';
import { GuestIcon, guestStateVisual } from '../../components/guest-state';

function Fact({
  label,
  value,
  fraction,
  testId,
}: {
  label: string;
  value: ReactNode;
  fraction?: number;
  testId?: string;
}) {
  return (
    <Box sx={{ py: 0.75 }}>
      <Box sx={{ display: 'flex', gap: 1, alignItems: 'baseline' }}>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
        <Typography
          variant="body2"
          data-testid={testId}
          sx={{ flex: 1, textAlign: 'right', fontWeight: 500, fontVariantNumeric: 'tabular-nums' }}
        >
          {value}
        </Typography>
      </Box>
      {fraction !== undefined && (
        <LinearProgress
          variant="determinate"
          value={Math.min(100, fraction * 100)}
          sx={{ mt: 0.5, height: 4, borderRadius: 2 }}
        />
      )}
    </Box>
  );
}

export function GuestSummary({ guestKey }: { guestKey: string }) {
  const t = useT();
  const language = useLanguage();
  const guest = useGuest(guestKey);
  const nodeName = useAppStore((s) => (guest ? (s.nodes[guest.nodeKey]?.name ?? guest.nodeKey) : ''));
  const nodeOnline = useAppStore((s) => (guest ? s.nodes[guest.nodeKey]?.state === 'online' : false));
  if (!guest) {
    return (
      <Typography color="text.secondary" sx={{ p: 3 }}>
        {t('guest.notFound', { guest: guestKey })}
      </Typography>
    );
  }
  const template = guest.template === true;
  const stateWord = template ? t('guest.template') : t(`guestState.${guest.status}`);
  const memFraction = guest.maxmem > 0 ? guest.mem / guest.maxmem : 0;
  const pair = (a: string, b: string) => `${a} / ${b}`;

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', minHeight: '100%' }} data-testid="guest-summary">
      <Box
        sx={{
          px: 2.5,
          py: 1.5,
          display: 'flex',
          alignItems: 'center',
          gap: 1.5,
          flexWrap: 'wrap',
          bgcolor: 'background.paper',
          borderBottom: 1,
          borderColor: 'divider',
        }}
      >
        <GuestIcon type={guest.type} state={guest.status} template={template} label={stateWord} size={24} />
        <Typography variant="h6">{t(`guest.title.${guest.type}`, { vmid: guest.vmid, name: guest.name })}</Typography>
        <Typography variant="body2" color="text.secondary">
          {t('guest.onNode', { node: nodeName })}
        </Typography>
        <Chip
          size="small"
          label={stateWord}
          color={template ? 'default' : guestStateVisual[guest.status].tone === 'success' ? 'success' : 'default'}
          data-testid="guest-state"
        />
        {guest.lock !== undefined && (
          <Chip size="small" variant="outlined" label={t('guest.lockedBy', { lock: guest.lock })} />
        )}
      </Box>
      <Box sx={{ p: 2, display: 'flex', flexDirection: 'column', gap: 1.5 }}>
        {!nodeOnline && <Alert severity="info">{t('guest.lastKnown', { node: nodeName })}</Alert>}
        <Card sx={{ p: 1.5, px: 2, display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, columnGap: 4 }}>
          <Box>
            <Fact label={t('guest.state')} value={stateWord} />
            <Fact
              label={t('status.cpu')}
              testId="guest-cpu"
              value={t('status.cpuOf', { percent: formatPercent(guest.cpu, language), cpus: guest.maxcpu })}
              fraction={guest.cpu}
            />
            <Fact
              label={t('status.memory')}
              value={`${formatPercent(memFraction, language)} (${t('status.usedOfTotal', { used: formatBytes(guest.mem, language), total: formatBytes(guest.maxmem, language) })})`}
              fraction={memFraction}
            />
            <Fact label={t('guest.bootdisk')} value={formatBytes(guest.maxdisk, language)} />
          </Box>
          <Box>
            <Fact label={t('status.uptime')} value={formatDuration(guest.uptime, language)} />
            <Fact
              label={t('guest.network')}
              value={pair(formatRate(guest.netin, language), formatRate(guest.netout, language))}
            />
            <Fact
              label={t('guest.diskio')}
              value={pair(formatRate(guest.diskread, language), formatRate(guest.diskwrite, language))}
            />
            <Fact label={t('guest.tags')} value={guest.tags?.join(', ') || '—'} />
          </Box>
        </Card>
      </Box>
    </Box>
  );
}
