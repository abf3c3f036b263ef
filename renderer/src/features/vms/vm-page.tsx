// A virtual machine's page (PVE's qemu guest): header with state and accelerator, the power toolbar, and tabs.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import { useGuest } from '../../store/selectors';
import { useT } from '../../i18n/use-t';
import { GuestNotFound, GuestTitleRow } from '../guests/guest-page-header';
import { OfflineBanner } from '../nodes/offline-banner';
import { useVmData } from './use-vm-data';
import { useVmUi, vmUiStore, type VmTab } from './vm-ui-store';
import { VmToolbar } from './vm-toolbar';
import { VmSummary } from './vm-summary';
import { VmHardware } from './vm-hardware';
import { VmOptions } from './vm-options';
import { VmCloudinit } from './vm-cloudinit';
import { VmSnapshots } from './vm-snapshots';
import { VmTasks } from './vm-tasks';
import { VmConsoleSlot } from './vm-console-slot';

const tabs: readonly VmTab[] = ['summary', 'hardware', 'options', 'cloudinit', 'snapshots', 'console', 'tasks'];

export function VmPage({ guestKey }: { guestKey: string }) {
  const t = useT();
  const guest = useGuest(guestKey);
  const tab = useVmUi((s) => s.tab);
  const data = useVmData(guestKey);
  if (!guest) return <GuestNotFound guestKey={guestKey} />;
  const accel = data.status?.accel;
  const props = { guestKey, nodeKey: guest.nodeKey, vmid: guest.vmid, data };
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 }} data-testid="vm-page">
      <Box sx={{ px: 2.5, pt: 1.5, bgcolor: 'background.paper', borderBottom: 1, borderColor: 'divider' }}>
        <GuestTitleRow guest={guest} prefix="vm" pending={data.status?.pending === true}>
          {accel !== undefined && (
            <Chip size="small" variant="outlined" color={accel === 'tcg' ? 'warning' : 'default'} label={t(`vm.accel.${accel}`)} data-testid="vm-accel" />
          )}
        </GuestTitleRow>
        <Box sx={{ mt: 1 }}>
          <VmToolbar guestKey={guestKey} />
        </Box>
        <Tabs value={tab} onChange={(_, value: VmTab) => vmUiStore.getState().setTab(value)} variant="scrollable" sx={{ mt: 0.5 }}>
          {tabs.map((value) => (
            <Tab key={value} value={value} label={t(`vm.tab.${value}`)} data-testid={`vm-tab-${value}`} />
          ))}
        </Tabs>
      </Box>
      {/* Children keep their height and the tab scrolls; only the console stretches to fill it. */}
      <Box sx={{ p: 2, display: 'flex', flexDirection: 'column', gap: 1.5, flex: 1, minHeight: 0, overflow: 'auto', '& > *': { flexShrink: 0 } }}>
        <OfflineBanner nodeKey={guest.nodeKey} />
        {data.error && tab !== 'console' && (
          <Alert severity="warning" data-testid="vm-load-error">
            {t('common.labelValue', { label: t(`error.${data.error.code}`), value: data.error.message })}
          </Alert>
        )}
        {tab === 'summary' && <VmSummary {...props} />}
        {tab === 'hardware' && <VmHardware {...props} />}
        {tab === 'options' && <VmOptions {...props} />}
        {tab === 'cloudinit' && <VmCloudinit {...props} />}
        {tab === 'snapshots' && <VmSnapshots {...props} />}
        {tab === 'console' && <VmConsoleSlot nodeKey={guest.nodeKey} vmid={guest.vmid} />}
        {tab === 'tasks' && <VmTasks nodeKey={guest.nodeKey} vmid={guest.vmid} />}
      </Box>
    </Box>
  );
}
