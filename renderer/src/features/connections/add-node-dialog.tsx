// Add node: connection details → verify host key (the person confirms the fingerprint) → add.
import { useState } from 'react';
import Dialog from '@mui/material/Dialog';
import DialogTitle from '@mui/material/DialogTitle';
import DialogContent from '@mui/material/DialogContent';
import DialogActions from '@mui/material/DialogActions';
import Button from '@mui/material/Button';
import Stepper from '@mui/material/Stepper';
import Step from '@mui/material/Step';
import StepLabel from '@mui/material/StepLabel';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import type { HostKeyInfo } from '../../../../main/core/app-api';
import { UiError } from '../../app-error';
import { appStore, useAppStore } from '../../store/store';
import { sortedClusterIds } from '../../store/selectors';
import { useT } from '../../i18n/use-t';
import { addNode, probeHostKey } from './actions';
import { hasErrors, initialForm, portOf, toAddNodeInput, validateForm, type AddNodeForm } from './add-node-form';
import { ConnectionStep } from './connection-step';
import { HostKeyStep } from './host-key-step';

export function AddNodeDialog() {
  const open = useAppStore((s) => s.addNodeOpen);
  return (
    <Dialog
      open={open}
      // Escape closes; a stray click outside does not throw away a half-filled form.
      onClose={(_, reason) => reason === 'escapeKeyDown' && appStore.getState().setAddNodeOpen(false)}
      maxWidth="sm"
      fullWidth
      data-testid="add-node-dialog"
    >
      {/* Mounted only while open, so every opening starts from a fresh form. */}
      {open && <AddNodeBody onClose={() => appStore.getState().setAddNodeOpen(false)} />}
    </Dialog>
  );
}

type Busy = null | 'probing' | 'adding';

function AddNodeBody({ onClose }: { onClose: () => void }) {
  const t = useT();
  const [form, setForm] = useState<AddNodeForm>(() => {
    const { clusters } = appStore.getState();
    return initialForm(sortedClusterIds(clusters).map((id) => clusters[id]?.name ?? id));
  });
  const [showErrors, setShowErrors] = useState(false);
  const [hostKey, setHostKey] = useState<HostKeyInfo | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<UiError | null>(null);
  const errors = validateForm(form);
  const step = hostKey === null ? 0 : 1;

  const change = (patch: Partial<AddNodeForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setError(null);
  };

  const verify = async () => {
    setShowErrors(true);
    if (hasErrors(errors)) return;
    setBusy('probing');
    setError(null);
    try {
      setHostKey(await probeHostKey(form.host.trim(), portOf(form)));
      setConfirmed(false);
    } catch (e) {
      setError(UiError.from(e));
    } finally {
      setBusy(null);
    }
  };

  const submit = async () => {
    if (hostKey === null || !confirmed || hostKey.match === 'changed') return;
    setBusy('adding');
    setError(null);
    try {
      await addNode(toAddNodeInput(form, hostKey.fingerprint));
      onClose();
    } catch (e) {
      setError(UiError.from(e));
      setBusy(null);
    }
  };

  const back = () => {
    setHostKey(null);
    setConfirmed(false);
    setError(null);
  };

  const host = form.host.trim();
  return (
    <>
      <DialogTitle>{t('addNode.title')}</DialogTitle>
      <DialogContent sx={{ pb: 1 }}>
        <Stepper activeStep={step} sx={{ mb: 2.5, mt: 0.5 }}>
          <Step>
            <StepLabel>{t('addNode.step.connection')}</StepLabel>
          </Step>
          <Step>
            <StepLabel>{t('addNode.step.verify')}</StepLabel>
          </Step>
        </Stepper>
        <Box
          component="form"
          id="add-node-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void (step === 0 ? verify() : submit());
          }}
        >
          {step === 0 ? (
            <ConnectionStep
              form={form}
              errors={errors}
              showErrors={showErrors}
              onChange={change}
              disabled={busy !== null}
            />
          ) : (
            hostKey && (
              <HostKeyStep info={hostKey} confirmed={confirmed} onConfirm={setConfirmed} disabled={busy !== null} />
            )
          )}
        </Box>
        {error && (
          <Alert severity="error" sx={{ mt: 2 }} data-testid="add-node-error" data-code={error.code}>
            <AlertTitle>{t(`error.${error.code}`)}</AlertTitle>
            {error.message}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        {busy !== null && (
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mr: 'auto', color: 'text.secondary' }}>
            <CircularProgress size={16} />
            <Typography variant="body2">
              {t(busy === 'probing' ? 'addNode.verifying' : 'addNode.adding', { host })}
            </Typography>
          </Box>
        )}
        <Button onClick={onClose} disabled={busy === 'adding'} data-testid="add-node-cancel">
          {t('common.cancel')}
        </Button>
        {step === 0 ? (
          <Button
            variant="contained"
            type="submit"
            form="add-node-form"
            disabled={busy !== null}
            data-testid="add-node-verify"
          >
            {t('addNode.verify')}
          </Button>
        ) : (
          <>
            <Button onClick={back} disabled={busy !== null} data-testid="add-node-back">
              {t('common.back')}
            </Button>
            <Button
              variant="contained"
              type="submit"
              form="add-node-form"
              disabled={!confirmed || hostKey?.match === 'changed' || busy !== null}
              data-testid="add-node-submit"
            >
              {t('addNode.submit')}
            </Button>
          </>
        )}
      </DialogActions>
    </>
  );
}
