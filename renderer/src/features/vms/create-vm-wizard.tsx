// The create-VM wizard: a stepper in a dialog. Opens on a node with the next free VMID and that node's
// storages and ISO images; Create calls vm.create and the task panel shows the task.
import { useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Step from '@mui/material/Step';
import StepButton from '@mui/material/StepButton';
import Stepper from '@mui/material/Stepper';
import { UiError } from '../../app-error';
import { useT } from '../../i18n/use-t';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store/store';
import { createVm, loadStorageChoices, nextVmid } from './actions';
import { emptyWizard, toCreateParams, validateStep, validateWizard, wizardSteps, type WizardValues } from './vm-form';
import { WizardStepFields, type WizardSources } from './wizard-steps';

export function CreateVmWizard({ nodeKey, onClose }: { nodeKey: string; onClose: () => void }) {
  const t = useT();
  const nodeKeys = useAppStore(useShallow((s) => Object.keys(s.nodes).filter((k) => s.nodes[k]?.state === 'online')));
  const nodeNames = useAppStore(useShallow((s) => nodeKeys.map((k) => s.nodes[k]?.name ?? k)));
  const [values, setValues] = useState<WizardValues>(() => emptyWizard(nodeKey, undefined, ''));
  const [sources, setSources] = useState<Omit<WizardSources, 'nodes'>>({ storages: [], isos: [] });
  const [active, setActive] = useState(0);
  const [showErrors, setShowErrors] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<UiError | null>(null);

  // A node's VMID suggestion and its storages: reloaded when the node changes, kept what was typed otherwise.
  useEffect(() => {
    let cancelled = false;
    const node = values.node;
    void Promise.all([nextVmid(node), loadStorageChoices(node)])
      .then(([vmid, choices]) => {
        if (cancelled) return;
        const images = choices.storages.find((s) => s.content.includes('images'))?.id ?? '';
        setSources(choices);
        setValues((v) => ({
          ...v,
          vmid: v.vmid === '' ? String(vmid) : v.vmid,
          iso: choices.isos.includes(v.iso) ? v.iso : '',
          disks: v.disks.map((d) => (choices.storages.some((s) => s.id === d.storage) ? d : { ...d, storage: images, format: '' })),
          cloudinit: { ...v.cloudinit, storage: v.cloudinit.storage === '' ? images : v.cloudinit.storage },
        }));
      })
      .catch((error: unknown) => {
        if (!cancelled) setFailure(UiError.from(error));
      });
    return () => {
      cancelled = true;
    };
  }, [values.node]);

  const step = wizardSteps[active] ?? 'confirm';
  const errors = validateStep(step, values);
  const stepValid = Object.keys(errors).length === 0;
  const next = () => {
    if (!stepValid) {
      setShowErrors(true);
      return;
    }
    setShowErrors(false);
    setActive((i) => Math.min(i + 1, wizardSteps.length - 1));
  };
  const submit = async () => {
    const all = validateWizard(values);
    const firstBad = wizardSteps.findIndex((s) => Object.keys(validateStep(s, values)).length > 0);
    if (Object.keys(all).length > 0 && firstBad >= 0) {
      setActive(firstBad);
      setShowErrors(true);
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      await createVm(values.node, toCreateParams(values));
      onClose();
    } catch (error) {
      setFailure(UiError.from(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth data-testid="vm-wizard">
      <DialogTitle>{t('vmForm.title')}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Stepper nonLinear activeStep={active} alternativeLabel sx={{ pt: 1 }}>
          {wizardSteps.map((s, i) => (
            <Step key={s} completed={i < active && Object.keys(validateStep(s, values)).length === 0}>
              <StepButton
                onClick={() => (i <= active || stepValid ? setActive(i) : setShowErrors(true))}
                data-testid={`vm-wizard-step-${s}`}
              >
                {t(`vmForm.step.${s}`)}
              </StepButton>
            </Step>
          ))}
        </Stepper>
        <Box data-testid={`vm-wizard-page-${step}`} sx={{ minHeight: 260 }}>
          <WizardStepFields
            step={step}
            values={values}
            errors={showErrors ? errors : {}}
            sources={{ ...sources, nodes: nodeKeys.map((key, i) => ({ key, name: nodeNames[i] ?? key })) }}
            onChange={setValues}
          />
        </Box>
        {failure && (
          <Alert severity="error" data-testid="vm-wizard-error" data-code={failure.code}>
            {t('common.labelValue', { label: t(`error.${failure.code}`), value: failure.message })}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={onClose} data-testid="vm-wizard-cancel">
          {t('common.cancel')}
        </Button>
        <Box sx={{ flex: 1 }} />
        <Button disabled={active === 0} onClick={() => setActive((i) => Math.max(0, i - 1))} data-testid="vm-wizard-back">
          {t('common.back')}
        </Button>
        {step === 'confirm' ? (
          <Button variant="contained" disabled={busy} onClick={() => void submit()} data-testid="vm-wizard-submit">
            {t('vmForm.create')}
          </Button>
        ) : (
          <Button variant="contained" onClick={next} data-testid="vm-wizard-next">
            {t('vmForm.next')}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
