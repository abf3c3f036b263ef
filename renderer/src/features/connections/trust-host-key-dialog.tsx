// A reinstalled node presents a new host key: show it, make the person confirm it, then replace the old one.
import { useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import type { HostKeyInfo } from '../../../../main/core/app-api';
import { UiError } from '../../app-error';
import { useT } from '../../i18n/use-t';
import { useNode } from '../../store/selectors';
import { HostKeyStep } from './host-key-step';
import { probeSavedHostKey, trustHostKey } from './actions';

interface Props {
  nodeKey: string;
  open: boolean;
  onClose: () => void;
}

export function TrustHostKeyDialog({ nodeKey, open, onClose }: Props) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth data-testid="trust-host-key-dialog">
      {/* Mounted per opening, so every review starts from a fresh probe and an unticked box. */}
      {open && <TrustHostKeyContent nodeKey={nodeKey} onClose={onClose} />}
    </Dialog>
  );
}

function TrustHostKeyContent({ nodeKey, onClose }: Omit<Props, 'open'>) {
  const t = useT();
  const node = useNode(nodeKey);
  const [info, setInfo] = useState<HostKeyInfo | undefined>();
  const [error, setError] = useState<UiError | undefined>();
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    probeSavedHostKey(nodeKey).then(
      (probed) => !cancelled && setInfo(probed),
      (e: unknown) => !cancelled && setError(UiError.from(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [nodeKey]);

  const submit = async () => {
    if (!info) return;
    setBusy(true);
    try {
      await trustHostKey(nodeKey, info.fingerprint);
      onClose();
    } catch (e) {
      setError(UiError.from(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <DialogTitle>{t('trustKey.title', { node: node?.name ?? nodeKey })}</DialogTitle>
      <DialogContent>
        {!info && !error && <CircularProgress size={24} />}
        {info && (
          <HostKeyStep info={info} confirmed={confirmed} onConfirm={setConfirmed} disabled={busy} replacing />
        )}
        {error && (
          <Alert severity="error" sx={{ mt: 2 }} data-testid="trust-host-key-error" data-code={error.code}>
            {t('common.labelValue', { label: t(`error.${error.code}`), value: error.message })}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button
          color="error"
          variant="contained"
          disabled={!info || !confirmed || busy}
          onClick={() => void submit()}
          data-testid="trust-host-key-submit"
        >
          {t('trustKey.submit')}
        </Button>
      </DialogActions>
    </>
  );
}
