// A container's page (PVE's lxc guest): header with state, the power toolbar (the registry's ct.* commands, the
// same bar as the VM page's), and tabs.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import { useT } from '../../i18n/use-t';
import { useGuest } from '../../store/selectors';
import { GuestNotFound, GuestTitleRow } from '../guests/guest-page-header';
import { OfflineBanner } from '../nodes/offline-banner';
import { VmTasks } from '../vms/vm-tasks';
import { GuestCommandBar } from '../vms/vm-toolbar';
import { ContainerConsole } from './ct-console';
import { CtNetwork } from './ct-network';
import { CtDns, CtOptions } from './ct-options';
import { CtResources } from './ct-resources';
import { CtSnapshots } from './ct-snapshots';
import { CtSummary } from './ct-summary';
import { ctTabs, ctUiStore, useCtUi, type CtTab } from './ct-ui-store';
import { useCtData } from './use-ct-data';

export function CtPage({ guestKey }: { guestKey: string }) {
  const t = useT();
  const guest = useGuest(guestKey);
  const tab = useCtUi((s) => s.tab);
  const data = useCtData(guestKey);
  if (!guest) return <GuestNotFound guestKey={guestKey} />;
  const props = { guestKey, nodeKey: guest.nodeKey, vmid: guest.vmid, data };
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 }} data-testid="ct-page">
      <Box sx={{ px: 2.5, pt: 1.5, bgcolor: 'background.paper', borderBottom: 1, borderColor: 'divider' }}>
        <GuestTitleRow guest={guest} prefix="ct" pending={data.status?.pending === true} pendingTestId="ct-pending">
          {data.status?.unprivileged === false && (
            <Chip
              size="small"
              variant="outlined"
              color="warning"
              label={t('ct.privileged')}
              data-testid="ct-privileged"
            />
          )}
        </GuestTitleRow>
        <Box sx={{ mt: 1 }}>
          <GuestCommandBar guestKey={guestKey} menu="ct-menu" prefix="ct" />
        </Box>
        <Tabs
          value={tab}
          onChange={(_, value: CtTab) => ctUiStore.getState().setTab(value)}
          variant="scrollable"
          sx={{ mt: 0.5 }}
        >
          {ctTabs.map((value) => (
            <Tab key={value} value={value} label={t(`ct.tab.${value}`)} data-testid={`ct-tab-${value}`} />
          ))}
        </Tabs>
      </Box>
      {/* Children keep their height and the tab scrolls; only the console stretches to fill it. */}
      <Box
        sx={{
          p: 2,
          display: 'flex',
          flexDirection: 'column',
          gap: 1.5,
          flex: 1,
          minHeight: 0,
          overflow: 'auto',
          '& > *': { flexShrink: 0 },
        }}
      >
        <OfflineBanner nodeKey={guest.nodeKey} />
        {data.error && tab !== 'console' && (
          <Alert severity="warning" data-testid="ct-load-error">
            {t('common.labelValue', { label: t(`error.${data.error.code}`), value: data.error.message })}
          </Alert>
        )}
        {tab === 'summary' && <CtSummary {...props} />}
        {tab === 'resources' && <CtResources {...props} />}
        {tab === 'network' && <CtNetwork {...props} />}
        {tab === 'dns' && <CtDns {...props} />}
        {tab === 'options' && <CtOptions {...props} />}
        {tab === 'snapshots' && <CtSnapshots {...props} />}
        {tab === 'console' &&
          (guest.status === 'running' ? (
            <ContainerConsole key={guestKey} nodeKey={guest.nodeKey} vmid={guest.vmid} />
          ) : (
            <Alert severity="info" data-testid="ct-console-stopped">
              {t('ct.console.notRunning')}
            </Alert>
          ))}
        {tab === 'tasks' && (
          <VmTasks nodeKey={guest.nodeKey} vmid={guest.vmid} testId="ct-tasks" empty="ct.tasks.none" />
        )}
      </Box>
    </Box>
  );
}
