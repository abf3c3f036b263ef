// A virtual machine's page (PVE's qemu guest): header with state and accelerator, the power toolbar, and tabs.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Typography from '@mui/material/Typography';
import { useGuest } from '../../store/selectors';
import { useAppStore } from '../../store/store';
import { useT } from '../../i18n/use-t';
import { GuestIcon } from '../../components/guest-state';
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
const stateColor = { running: 'success', paused: 'warning', suspended: 'warning', stopped: 'default', unknown: 'default' } as const;

export function VmPage({ guestKey }: { guestKey: string }) {
  const t = useT();
  const guest = useGuest(guestKey);
  const nodeName = useAppStore((s) => (guest ? (s.nodes[guest.nodeKey]?.name ?? guest.nodeKey) : ''));
  const tab = useVmUi((s) => s.tab);
  const data = useVmData(guestKey);
  if (!guest) {
    return (
      <Typography color="text.secondary" sx={{ p: 3 }}>
        {t('guest.notFound', { guest: guestKey })}
      </Typography>
    );
  }
  const template = guest.template === true;
  const stateWord = template ? t('guest.template') : t(`guestState.${guest.status}`);
  const accel = data.status?.accel;
  const props = { guestKey, nodeKey: guest.nodeKey, vmid: guest.vmid, data };
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 }} data-testid="vm-page">
      <Box sx={{ px: 2.5, pt: 1.5, bgcolor: 'background.paper', borderBottom: 1, borderColor: 'divider' }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}>
          <GuestIcon type="qemu" state={guest.status} template={template} label={stateWord} size={24} />
          <Typography variant="h6">{t('guest.title.qemu', { vmid: guest.vmid, name: guest.name })}</Typography>
          <Typography variant="body2" color="text.secondary">
            {t('guest.onNode', { node: nodeName })}
          </Typography>
          <Chip size="small" label={stateWord} color={template ? 'default' : stateColor[guest.status]} data-testid="vm-state" data-state={guest.status} />
          {accel !== undefined && (
            <Chip size="small" variant="outlined" color={accel === 'tcg' ? 'warning' : 'default'} label={t(`vm.accel.${accel}`)} data-testid="vm-accel" />
          )}
          {data.status?.pending === true && <Chip size="small" variant="outlined" color="info" label={t('vm.pendingChanges')} />}
          {guest.lock !== undefined && <Chip size="small" variant="outlined" label={t('guest.lockedBy', { lock: guest.lock })} />}
        </Box>
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
