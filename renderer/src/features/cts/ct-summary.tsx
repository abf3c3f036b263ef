// The container's Summary tab: facts from the inventory and ct.status, and the CPU, memory, network and disk I/O
// history from ct.metrics (the charts the VM summary shows).
import Box from '@mui/material/Box';
import { FactRow, FactsCard, UsageRow } from '../../components/facts';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../../i18n/format';
import { useLanguage, useT } from '../../i18n/use-t';
import { useGuest } from '../../store/selectors';
import { useAppStore } from '../../store/store';
import { GuestCharts } from '../guests/guest-charts';
import { ctMetrics } from './actions';
import type { CtTabProps } from './use-ct-data';

export function CtSummary({ guestKey, nodeKey, vmid, data }: CtTabProps) {
  const t = useT();
  const language = useLanguage();
  const guest = useGuest(guestKey);
  const online = useAppStore((s) => s.nodes[nodeKey]?.state === 'online');
  if (!guest) return null;
  const pair = (a: string, b: string) => `${a} / ${b}`;
  const status = data.status;
  return (
    <>
      <FactsCard dimmed={!online}>
        <Box data-testid="ct-summary">
          <FactRow label={t('guest.state')} value={t(`guestState.${guest.status}`)} testId="ct-fact-state" />
          <FactRow
            label={t('ct.unprivileged')}
            value={status === undefined ? '—' : t(status.unprivileged ? 'storage.yes' : 'storage.no')}
            testId="ct-fact-unprivileged"
          />
          <FactRow
            label={t('status.cpu')}
            value={t('status.cpuOf', { percent: formatPercent(guest.cpu, language), cpus: guest.maxcpu })}
            fraction={guest.cpu}
          />
          <UsageRow label={t('status.memory')} usage={{ used: guest.mem, total: guest.maxmem }} />
          <UsageRow label={t('ct.rootfs')} usage={{ used: guest.disk, total: guest.maxdisk }} />
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
          <FactRow
            label={t('ct.pid')}
            value={status?.pid === undefined ? '—' : String(status.pid)}
            testId="ct-fact-pid"
          />
          <FactRow label={t('ct.snapshotParent')} value={status?.parent ?? '—'} />
          <FactRow label={t('guest.bootdisk')} value={formatBytes(guest.maxdisk, language)} />
        </Box>
      </FactsCard>
      <GuestCharts
        guestKey={guestKey}
        nodeKey={nodeKey}
        vmid={vmid}
        prefix="ct"
        loadMetrics={ctMetrics}
        dimmed={!online}
      />
    </>
  );
}
