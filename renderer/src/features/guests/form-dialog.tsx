// The frame every small guest form dialog shares (snapshot, clone, resource and hardware edits): title, content,
// and a cancel + submit row where submitting runs the action and closes, as ConfirmDialog does for questions.
import type { ReactNode } from 'react';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import type { SxProps, Theme } from '@mui/material/styles';
import { useT } from '../../i18n/use-t';

export function FormDialog(props: {
  title: string;
  testId: string;
  submitLabel: string;
  submitTestId: string;
  onSubmit: () => void;
  onClose: () => void;
  submitDisabled?: boolean;
  maxWidth?: 'xs' | 'sm';
  contentSx?: SxProps<Theme>;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <Dialog open onClose={props.onClose} maxWidth={props.maxWidth ?? 'xs'} fullWidth data-testid={props.testId}>
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent {...(props.contentSx === undefined ? {} : { sx: props.contentSx })}>
        {props.children}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={props.onClose}>{t('common.cancel')}</Button>
        <Button
          variant="contained"
          disabled={props.submitDisabled === true}
          data-testid={props.submitTestId}
          onClick={() => {
            props.onSubmit();
            props.onClose();
          }}
        >
          {props.submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
