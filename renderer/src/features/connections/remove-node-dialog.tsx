// Confirm before forgetting a node: it says exactly what is removed (the connection) and what is not (the node).
import Dialog from '@mui/material/Dialog';
import DialogTitle from '@mui/material/DialogTitle';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogActions from '@mui/material/DialogActions';
import Button from '@mui/material/Button';
import { appStore, useAppStore } from '../../store/store';
import { useT } from '../../i18n/use-t';
import { removeNode } from './actions';

export function RemoveNodeDialog() {
  const t = useT();
  const key = useAppStore((s) => s.removeNodeKey);
  const name = useAppStore((s) => (s.removeNodeKey ? (s.nodes[s.removeNodeKey]?.name ?? s.removeNodeKey) : ''));
  const host = useAppStore((s) => (s.removeNodeKey ? (s.nodes[s.removeNodeKey]?.host ?? '') : ''));
  const close = () => appStore.getState().setRemoveNodeKey(null);
  return (
    <Dialog open={key !== null} onClose={close} maxWidth="xs" fullWidth data-testid="remove-node-dialog">
      <DialogTitle>{t('removeNode.title', { node: name })}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ fontSize: 13 }}>{t('removeNode.body', { node: name, host })}</DialogContentText>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={close}>{t('common.cancel')}</Button>
        <Button
          color="error"
          variant="contained"
          data-testid="remove-node-confirm"
          onClick={() => {
            if (key !== null) void removeNode(key);
            close();
          }}
        >
          {t('removeNode.confirm')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
