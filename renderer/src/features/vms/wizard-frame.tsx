// A create wizard's frame: a stepper in a dialog with Back/Next/Create, per-step validation before moving on, and
// an inline error. The VM and container wizards fill its pages; their values and checks live in their form files.
import { useState, type ReactNode } from 'react';
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
import type { UiError } from '../../app-error';
import { useT } from '../../i18n/use-t';

export interface WizardFrameProps<S extends string> {
  title: string;
  steps: readonly S[];
  stepLabel: (step: S) => string;
  /** The errors of one step; empty when it is complete. */
  validate: (step: S) => Readonly<Record<string, unknown>>;
  /** Test ids: `${testId}`, `-step-<s>`, `-page-<s>`, `-error`, `-cancel`, `-back`, `-next`, `-submit`. */
  testId: string;
  submitLabel: string;
  nextLabel: string;
  busy: boolean;
  failure: UiError | null;
  /** Called once every step is valid. */
  onSubmit: () => void;
  onClose: () => void;
  /** The active step's fields; `showErrors` is false until the person tried to leave an incomplete step. */
  children: (step: S, showErrors: boolean) => ReactNode;
}

export function WizardFrame<S extends string>(p: WizardFrameProps<S>) {
  const t = useT();
  const [active, setActive] = useState(0);
  const [showErrors, setShowErrors] = useState(false);
  const last = p.steps.length - 1;
  const step = p.steps[active] ?? p.steps[last]!;
  const valid = (s: S) => Object.keys(p.validate(s)).length === 0;
  const stepValid = valid(step);
  const next = () => {
    if (!stepValid) {
      setShowErrors(true);
      return;
    }
    setShowErrors(false);
    setActive((i) => Math.min(i + 1, last));
  };
  const submit = () => {
    const firstBad = p.steps.findIndex((s) => !valid(s));
    if (firstBad >= 0) {
      setActive(firstBad);
      setShowErrors(true);
      return;
    }
    p.onSubmit();
  };
  return (
    <Dialog open onClose={p.onClose} maxWidth="md" fullWidth data-testid={p.testId}>
      <DialogTitle>{p.title}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Stepper nonLinear activeStep={active} alternativeLabel sx={{ pt: 1 }}>
          {p.steps.map((s, i) => (
            <Step key={s} completed={i < active && valid(s)}>
              <StepButton
                onClick={() => (i <= active || stepValid ? setActive(i) : setShowErrors(true))}
                data-testid={`${p.testId}-step-${s}`}
              >
                {p.stepLabel(s)}
              </StepButton>
            </Step>
          ))}
        </Stepper>
        <Box data-testid={`${p.testId}-page-${step}`} sx={{ minHeight: 260 }}>
          {p.children(step, showErrors)}
        </Box>
        {p.failure && (
          <Alert severity="error" data-testid={`${p.testId}-error`} data-code={p.failure.code}>
            {t('common.labelValue', { label: t(`error.${p.failure.code}`), value: p.failure.message })}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={p.onClose} data-testid={`${p.testId}-cancel`}>
          {t('common.cancel')}
        </Button>
        <Box sx={{ flex: 1 }} />
        <Button
          disabled={active === 0}
          onClick={() => setActive((i) => Math.max(0, i - 1))}
          data-testid={`${p.testId}-back`}
        >
          {t('common.back')}
        </Button>
        {active === last ? (
          <Button variant="contained" disabled={p.busy} onClick={submit} data-testid={`${p.testId}-submit`}>
            {p.submitLabel}
          </Button>
        ) : (
          <Button variant="contained" onClick={next} data-testid={`${p.testId}-next`}>
            {p.nextLabel}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
