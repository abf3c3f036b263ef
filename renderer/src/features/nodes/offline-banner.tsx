// Shown on a node's page whenever it is not online: what is wrong, and how old the values below are.
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import type { ConnectionState } from '../../../../main/core/inventory-schema';
import { useNode } from '../../store/selectors';
import { useLanguage, useT } from '../../i18n/use-t';
import { formatDateTime, formatRelativeTime } from '../../i18n/format';
import { useNow } from '../../components/use-now';
import { useState } from 'react';
import Button from '@mui/material/Button';
import { TrustHostKeyDialog } from '../connections/trust-host-key-dialog';

const severityOf: Record<Exclude<ConnectionState, 'online'>, 'info' | 'warning' | 'error'> = {
  connecting: 'info',
  offline: 'warning',
  'host-key-changed': 'error',
  'auth-failed': 'error',
  'agent-error': 'error',
};

export function OfflineBanner({ nodeKey }: { nodeKey: string }) {
  const t = useT();
  const language = useLanguage();
  const node = useNode(nodeKey);
  const offline = node !== undefined && node.state !== 'online';
  const now = useNow(15_000, offline);
  const [reviewing, setReviewing] = useState(false);
  if (!offline) return null;
  const state = node.state as Exclude<ConnectionState, 'online'>;
  const asOf =
    node.asOf === undefined
      ? t('banner.neverSeen')
      : t('banner.asOf', {
          relative: formatRelativeTime(node.asOf, now, language),
          absolute: formatDateTime(node.asOf),
        });
  return (
    <Alert
      severity={severityOf[state]}
      data-testid="offline-banner"
      data-state={state}
      action={
        // Only a key that changed can be reviewed here; a never-trusted one is confirmed in Add node.
        state === 'host-key-changed' && node.error?.details?.reason === 'host-key-changed' ? (
          <Button
            color="inherit"
            size="small"
            sx={{ whiteSpace: 'nowrap' }}
            onClick={() => setReviewing(true)}
            data-testid="review-host-key"
          >
            {t('trustKey.review')}
          </Button>
        ) : undefined
      }
    >
      <AlertTitle
        sx={{ mb: node.error ? 0.5 : 0 }}
      >{`${t(`banner.${state}`, { node: node.name })} — ${asOf}`}</AlertTitle>
      {node.error && t('common.labelValue', { label: t(`error.${node.error.code}`), value: node.error.message })}
      <TrustHostKeyDialog nodeKey={nodeKey} open={reviewing} onClose={() => setReviewing(false)} />
    </Alert>
  );
}
