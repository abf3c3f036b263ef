// "Download from URL": url, file name (guessed from the URL until typed), optional sha256 → a download task.
import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import { UiError } from '../../app-error';
import { useT } from '../../i18n/use-t';
import { startDownload } from './actions';
import { filenameFromUrl, validateDownload, type DownloadFormValues } from './download-form';

const empty: DownloadFormValues = { url: '', filename: '', sha256: '' };

export function DownloadDialog(props: {
  open: boolean;
  nodeKey: string;
  storage: string;
  content: 'iso' | 'vztmpl';
  onClose: () => void;
}) {
  const t = useT();
  const [values, setValues] = useState(empty);
  const [nameTyped, setNameTyped] = useState(false);
  const [touched, setTouched] = useState<Partial<Record<keyof DownloadFormValues, true>>>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<UiError | null>(null);
  const errors = validateDownload(values, props.content);
  const close = () => {
    setValues(empty);
    setNameTyped(false);
    setTouched({});
    setFailure(null);
    props.onClose();
  };
  const field = (name: keyof DownloadFormValues) => ({
    value: values[name],
    error: touched[name] === true && errors[name] !== undefined,
    helperText: touched[name] === true && errors[name] !== undefined ? t(errors[name]) : ' ',
    onBlur: () => setTouched((s) => ({ ...s, [name]: true })),
  });
  const submit = async () => {
    setTouched({ url: true, filename: true, sha256: true });
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    setFailure(null);
    try {
      const sha256 = values.sha256.trim().toLowerCase();
      await startDownload(props.nodeKey, {
        storage: props.storage,
        content: props.content,
        url: values.url,
        filename: values.filename,
        ...(sha256 === '' ? {} : { checksum: { algorithm: 'sha256' as const, value: sha256 } }),
      });
      close();
    } catch (error) {
      setFailure(UiError.from(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={props.open} onClose={close} maxWidth="sm" fullWidth data-testid="download-dialog">
      <DialogTitle>{t('download.title', { storage: props.storage })}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 0.5, pt: '8px !important' }}>
        <TextField
          label={t('download.url')}
          autoFocus
          size="small"
          {...field('url')}
          onChange={(event) => {
            const url = event.target.value;
            setValues((v) => ({ ...v, url, filename: nameTyped ? v.filename : filenameFromUrl(url) }));
          }}
          slotProps={{ htmlInput: { 'data-testid': 'download-url' } }}
        />
        <TextField
          label={t('download.filename')}
          size="small"
          {...field('filename')}
          onChange={(event) => {
            setNameTyped(true);
            setValues((v) => ({ ...v, filename: event.target.value }));
          }}
          slotProps={{ htmlInput: { 'data-testid': 'download-filename' } }}
        />
        <TextField
          label={t('download.sha256')}
          size="small"
          {...field('sha256')}
          onChange={(event) => setValues((v) => ({ ...v, sha256: event.target.value }))}
          slotProps={{ htmlInput: { 'data-testid': 'download-sha256', spellCheck: false } }}
        />
        {failure && (
          <Alert severity="error">
            {t('common.labelValue', { label: t(`error.${failure.code}`), value: failure.message })}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={close}>{t('common.cancel')}</Button>
        <Button variant="contained" disabled={busy} onClick={() => void submit()} data-testid="download-submit">
          {t('download.submit')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
