// What the VM and CT pages (and the read-only guest summary) share at the top: the not-found line, and the
// title row with state icon, node, state chip, the kind's own chips, pending-changes and lock chips.
import type { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Typography from '@mui/material/Typography';
import type { GuestEntry } from '../../../../main/core/inventory-schema';
import { GuestIcon } from '../../components/guest-state';
import { useT } from '../../i18n/use-t';
import { useAppStore } from '../../store/store';

const stateColor = {
  running: 'success',
  paused: 'warning',
  suspended: 'warning',
  stopped: 'default',
  unknown: 'default',
} as const;

/** In place of a guest's page when the inventory no longer has it. */
export function GuestNotFound({ guestKey }: { guestKey: string }) {
  const t = useT();
  return (
    <Typography color="text.secondary" sx={{ p: 3 }}>
      {t('guest.notFound', { guest: guestKey })}
    </Typography>
  );
}

/** `prefix`: the state chip is `${prefix}-state`; `children`: the kind's chips between state and pending. */
export function GuestTitleRow(props: {
  guest: GuestEntry;
  prefix: 'vm' | 'ct';
  pending: boolean;
  pendingTestId?: string;
  children?: ReactNode;
}) {
  const t = useT();
  const { guest } = props;
  const nodeName = useAppStore((s) => s.nodes[guest.nodeKey]?.name ?? guest.nodeKey);
  const template = guest.template === true;
  const stateWord = template ? t('guest.template') : t(`guestState.${guest.status}`);
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}>
      <GuestIcon type={guest.type} state={guest.status} template={template} label={stateWord} size={24} />
      <Typography variant="h6">{t(`guest.title.${guest.type}`, { vmid: guest.vmid, name: guest.name })}</Typography>
      <Typography variant="body2" color="text.secondary">
        {t('guest.onNode', { node: nodeName })}
      </Typography>
      <Chip
        size="small"
        label={stateWord}
        color={template ? 'default' : stateColor[guest.status]}
        data-testid={`${props.prefix}-state`}
        data-state={guest.status}
      />
      {props.children}
      {props.pending && (
        <Chip
          size="small"
          variant="outlined"
          color="info"
          label={t('vm.pendingChanges')}
          {...(props.pendingTestId === undefined ? {} : { 'data-testid': props.pendingTestId })}
        />
      )}
      {guest.lock !== undefined && (
        <Chip size="small" variant="outlined" label={t('guest.lockedBy', { lock: guest.lock })} />
      )}
    </Box>
  );
}
