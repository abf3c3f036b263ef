// A guest's page, read-only for now: what its node last reported (PVE's /cluster/resources fields), with the node's
// state when those values are only last-known. Actions (start, stop, console) come with the qemu/lxc areas.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Typography from '@mui/material/Typography';
import { useGuest } from '../../store/selectors';
import { useAppStore } from '../../store/store';
import { useLanguage, useT } from '../../i18n/use-t';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../../i18n/format';
import { GuestIcon, guestStateVisual } from '../../components/guest-state';
import { FactRow, FactsCard, UsageRow } from '../../components/facts';
import { PageHeader } from '../../components/page-header';
import { GuestNotFound } from './guest-page-header';

export function GuestSummary({ guestKey }: { guestKey: string }) {
  const t = useT();
  const language = useLanguage();
  const guest = useGuest(guestKey);
  const nodeName = useAppStore((s) => (guest ? (s.nodes[guest.nodeKey]?.name ?? guest.nodeKey) : ''));
  const nodeOnline = useAppStore((s) => (guest ? s.nodes[guest.nodeKey]?.state === 'online' : false));
  if (!guest) return <GuestNotFound guestKey={guestKey} />;
  const template = guest.template === true;
  const stateWord = template ? t('guest.template') : t(`guestState.${guest.status}`);
  const pair = (a: string, b: string) => `${a} / ${b}`;

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', minHeight: '100%' }} data-testid="guest-summary">
      <PageHeader>
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
      </PageHeader>
      <Box sx={{ p: 2, display: 'flex', flexDirection: 'column', gap: 1.5 }}>
        {!nodeOnline && <Alert severity="info">{t('guest.lastKnown', { node: nodeName })}</Alert>}
        <FactsCard>
          <Box>
            <FactRow label={t('guest.state')} value={stateWord} />
            <FactRow
              label={t('status.cpu')}
              testId="guest-cpu"
              value={t('status.cpuOf', { percent: formatPercent(guest.cpu, language), cpus: guest.maxcpu })}
              fraction={guest.cpu}
            />
            <UsageRow label={t('status.memory')} usage={{ used: guest.mem, total: guest.maxmem }} />
            <FactRow label={t('guest.bootdisk')} value={formatBytes(guest.maxdisk, language)} />
          </Box>
          <Box>
            <FactRow label={t('status.uptime')} value={formatDuration(guest.uptime, language)} />
            <FactRow
              label={t('guest.network')}
              value={pair(formatRate(guest.netin, language), formatRate(guest.netout, language))}
            />
            <FactRow
              label={t('guest.diskio')}
              value={pair(formatRate(guest.diskread, language), formatRate(guest.diskwrite, language))}
            />
            <FactRow label={t('guest.tags')} value={guest.tags?.join(', ') || '—'} />
          </Box>
        </FactsCard>
      </Box>
    </Box>
  );
}
