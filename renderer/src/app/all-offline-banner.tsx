// App-wide: when no node is reachable the whole view is last-known state, and the person should know it.
import Alert from '@mui/material/Alert';
import { useAllOffline } from '../store/selectors';
import { useT } from '../i18n/use-t';

export function AllOfflineBanner() {
  const t = useT();
  if (!useAllOffline()) return null;
  return (
    <Alert
      severity="warning"
      square
      sx={{ py: 0, borderBottom: 1, borderColor: 'divider' }}
      data-testid="all-offline-banner"
    >
      {t('banner.allOffline')}
    </Alert>
  );
}
