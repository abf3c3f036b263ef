// Transient messages at the bottom-left: successes fade, errors stay until closed and show code and message.
import Snackbar from '@mui/material/Snackbar';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Stack from '@mui/material/Stack';
import { useAppStore, appStore } from '../store/store';
import { useT } from '../i18n/use-t';
import type { Notice } from '../store/ui-slice';

export function Notices() {
  const notices = useAppStore((s) => s.notices);
  return (
    <Stack
      spacing={1}
      sx={{ position: 'fixed', left: 16, bottom: 16, zIndex: (theme) => theme.zIndex.snackbar, maxWidth: 460 }}
    >
      {notices.map((notice) => (
        <NoticeView key={notice.id} notice={notice} />
      ))}
    </Stack>
  );
}

function NoticeView({ notice }: { notice: Notice }) {
  const t = useT();
  const dismiss = () => appStore.getState().dismissNotice(notice.id);
  return (
    <Snackbar
      open
      autoHideDuration={notice.severity === 'error' ? null : 5000}
      onClose={(_, reason) => {
        if (reason !== 'clickaway') dismiss();
      }}
      sx={{ position: 'static', transform: 'none' }}
    >
      <Alert severity={notice.severity} variant="filled" onClose={dismiss} sx={{ width: '100%', boxShadow: 3 }}>
        {notice.error ? <AlertTitle>{t(notice.key, notice.params)}</AlertTitle> : t(notice.key, notice.params)}
        {notice.error &&
          t('common.labelValue', { label: t(`error.${notice.error.code}`), value: notice.error.message })}
      </Alert>
    </Snackbar>
  );
}
