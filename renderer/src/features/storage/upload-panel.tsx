// Upload from this computer: the button and dialog (a native picker where there is one, a typed path otherwise),
// and the progress of this storage's uploads (state, bytes, cancel, the checked sha256 when done).
import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import LinearProgress from '@mui/material/LinearProgress';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import UploadRounded from '@mui/icons-material/UploadRounded';
import CloseRounded from '@mui/icons-material/CloseRounded';
import { UiError } from '../../app-error';
import { useLanguage, useT } from '../../i18n/use-t';
import { formatBytes } from '../../i18n/format';
import {
  cancelUpload,
  dismissUpload,
  isFinished,
  pickLocalFile,
  startUpload,
  useUploads,
  type UploadContent,
  type UploadProgress,
} from './upload-actions';

interface Target {
  nodeKey: string;
  storage: string;
  content: UploadContent;
}

export function UploadButton(props: Target & { disabled: boolean }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        size="small"
        variant="outlined"
        startIcon={<UploadRounded />}
        disabled={props.disabled}
        onClick={() => setOpen(true)}
        data-testid="upload-button"
      >
        {t('upload.button')}
      </Button>
      {open && <UploadDialog {...props} onClose={() => setOpen(false)} />}
    </>
  );
}

function UploadDialog(props: Target & { onClose: () => void }) {
  const t = useT();
  const [path, setPath] = useState('');
  const [canBrowse, setCanBrowse] = useState(true);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<UiError | null>(null);
  const browse = async () => {
    try {
      const picked = await pickLocalFile(props.content);
      if (picked === 'unsupported') setCanBrowse(false);
      else if (picked.path !== null) setPath(picked.path);
    } catch (error) {
      setFailure(UiError.from(error));
    }
  };
  const submit = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await startUpload({ node: props.nodeKey, storage: props.storage, content: props.content, path: path.trim() });
      props.onClose();
    } catch (error) {
      setFailure(UiError.from(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={props.onClose} maxWidth="sm" fullWidth data-testid="upload-dialog">
      <DialogTitle>{t('upload.title', { storage: props.storage })}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 1, pt: '8px !important' }}>
        <Box sx={{ display: 'flex', gap: 1, alignItems: 'flex-start' }}>
          <TextField
            label={t('upload.path')}
            helperText={t('upload.pathHelp')}
            size="small"
            fullWidth
            autoFocus
            value={path}
            onChange={(event) => setPath(event.target.value)}
            slotProps={{ htmlInput: { 'data-testid': 'upload-path', spellCheck: false } }}
          />
          {canBrowse && (
            <Button variant="outlined" onClick={() => void browse()} sx={{ flexShrink: 0, height: 40 }}>
              {t('upload.browse')}
            </Button>
          )}
        </Box>
        {failure && (
          <Alert severity="error">
            {t('common.labelValue', { label: t(`error.${failure.code}`), value: failure.message })}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={props.onClose}>{t('common.cancel')}</Button>
        <Button
          variant="contained"
          disabled={busy || path.trim() === ''}
          onClick={() => void submit()}
          data-testid="upload-submit"
        >
          {t('upload.submit')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** The uploads into this storage, newest last; finished ones stay until dismissed, so the sha256 can be read. */
export function UploadProgressList({ nodeKey, storage }: { nodeKey: string; storage: string }) {
  const uploads = useUploads(nodeKey, storage);
  if (uploads.length === 0) return null;
  return (
    <Box sx={{ px: 2, pb: 1, display: 'flex', flexDirection: 'column', gap: 1 }}>
      {uploads.map((upload) => (
        <UploadRow key={upload.uploadId} upload={upload} />
      ))}
    </Box>
  );
}

function UploadRow({ upload }: { upload: UploadProgress }) {
  const t = useT();
  const language = useLanguage();
  const finished = isFinished(upload.state);
  const fraction = upload.total > 0 ? upload.sent / upload.total : 0;
  const color = upload.state === 'failed' ? 'error' : upload.state === 'done' ? 'success' : 'primary';
  return (
    <Box
      data-testid="upload-progress"
      data-state={upload.state}
      sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 1 }}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <Typography
          variant="body2"
          sx={{ fontWeight: 500, flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis' }}
        >
          {upload.filename}
        </Typography>
        <Typography variant="caption" color="text.secondary" sx={{ fontVariantNumeric: 'tabular-nums' }}>
          {t(`upload.state.${upload.state}`)}
          {upload.total > 0 &&
            ` · ${t('upload.progress', { sent: formatBytes(upload.sent, language), total: formatBytes(upload.total, language) })}`}
        </Typography>
        {finished ? (
          <IconButton size="small" aria-label={t('common.close')} onClick={() => dismissUpload(upload.uploadId)}>
            <CloseRounded fontSize="small" />
          </IconButton>
        ) : (
          <Button
            size="small"
            color="error"
            onClick={() => void cancelUpload(upload.uploadId)}
            data-testid="upload-cancel"
          >
            {t('upload.cancel')}
          </Button>
        )}
      </Box>
      {!finished && (
        <LinearProgress
          variant={upload.total > 0 ? 'determinate' : 'indeterminate'}
          value={Math.min(100, fraction * 100)}
          color={color}
          sx={{ mt: 0.5, height: 4, borderRadius: 2 }}
        />
      )}
      {upload.state === 'done' && upload.sha256 !== undefined && (
        <Typography
          variant="caption"
          color="text.secondary"
          sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
          data-testid="upload-sha256"
        >
          {t('upload.sha256', { sha256: upload.sha256 })}
        </Typography>
      )}
      {upload.state === 'failed' && upload.error !== undefined && (
        <Typography variant="caption" color="error" sx={{ display: 'block' }}>
          {t('common.labelValue', { label: t(`error.${upload.error.code}`), value: upload.error.message })}
        </Typography>
      )}
    </Box>
  );
}
