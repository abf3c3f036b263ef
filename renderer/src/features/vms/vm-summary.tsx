// The VM's Summary tab: facts from the inventory and vm.status, and CPU, memory, network and disk charts.
import Box from '@mui/material/Box';
import { FactRow, FactsCard, UsageRow } from '../../components/facts';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../../i18n/format';
import { useLanguage, useT } from '../../i18n/use-t';
import { useGuest } from '../../store/selectors';
import { useAppStore } from '../../store/store';
import { GuestCharts } from '../guests/guest-charts';
import { vmMetrics } from './actions';
import type { VmTabProps } from './vm-tab-props';

export function VmSummary({ guestKey, nodeKey, vmid, data }: VmTabProps) {
  const t = useT();
  const language = useLanguage();
  const guest = useGuest(guestKey);
  const online = useAppStore((s) => s.nodes[nodeKey]?.state === 'online');
  if (!guest) return null;
  const pair = (a: string, b: string) => `${a} / ${b}`;
  return (
    <>
      <FactsCard dimmed={!online}>
        <Box>
          <FactRow label={t('guest.state')} value={t(`guestState.${guest.status}`)} testId="vm-fact-state" />
          <FactRow label={t('vm.qmpstatus')} value={data.status?.qmpstatus ?? '—'} />
          <FactRow label={t('vm.accel')} value={data.status?.accel === undefined ? '—' : t(`vm.accel.${data.status.accel}`)} />
          <FactRow
            label={t('status.cpu')}
            value={t('status.cpuOf', { percent: formatPercent(guest.cpu, language), cpus: guest.maxcpu })}
            fraction={guest.cpu}
          />
          <UsageRow label={t('status.memory')} usage={{ used: guest.mem, total: guest.maxmem }} />
        </Box>
        <Box>
          <FactRow label={t('status.uptime')} value={formatDuration(guest.uptime, language)} />
          <FactRow label={t('guest.bootdisk')} value={formatBytes(guest.maxdisk, language)} />
          <FactRow label={t('guest.network')} value={pair(formatRate(guest.netin, language), formatRate(guest.netout, language))} />
          <FactRow label={t('guest.diskio')} value={pair(formatRate(guest.diskread, language), formatRate(guest.diskwrite, language))} />
          <FactRow label={t('vm.pid')} value={data.status?.pid === undefined ? '—' : String(data.status.pid)} />
        </Box>
      </FactsCard>
      <GuestCharts guestKey={guestKey} nodeKey={nodeKey} vmid={vmid} prefix="vm" loadMetrics={vmMetrics} dimmed={!online} />
    </>
  );
}

