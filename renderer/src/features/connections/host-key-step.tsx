// Step 2 of Add node: the host key the node presented, how to check it on the node, and the explicit confirmation.
import Box from '@mui/material/Box';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import Typography from '@mui/material/Typography';
import VerifiedUserOutlined from '@mui/icons-material/VerifiedUserOutlined';
import type { HostKeyInfo } from '../../../../main/core/app-api';
import { useT } from '../../i18n/use-t';
import { monoFontFamily } from '../../app/theme';
import { hostKeyFile } from './add-node-form';

interface Props {
  info: HostKeyInfo;
  confirmed: boolean;
  onConfirm: (confirmed: boolean) => void;
  disabled: boolean;
  /** Replacing the key of a reinstalled node: a changed key may be confirmed, with its own wording. */
  replacing?: boolean;
}

export function HostKeyStep({ info, confirmed, onConfirm, disabled, replacing = false }: Props) {
  const t = useT();
  const changed = info.match === 'changed';
  const confirmable = !changed || replacing;
  const hostLabel = info.port === 22 ? info.host : `${info.host}:${info.port}`;
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: 1 }}>
      {changed ? (
        <Alert severity="error" variant="filled" data-testid="host-key-changed">
          <AlertTitle>{t(replacing ? 'trustKey.changedTitle' : 'addNode.changedTitle')}</AlertTitle>
          {t(replacing ? 'trustKey.changedBody' : 'addNode.changedBody', { host: hostLabel })}
        </Alert>
      ) : (
        <Alert severity={info.match === 'known' ? 'success' : 'info'} icon={<VerifiedUserOutlined />}>
          {info.match === 'known' ? t('addNode.match.known') : t('addNode.match.new', { host: hostLabel })}
        </Alert>
      )}
      <Box
        sx={{
          border: 1,
          borderColor: changed ? 'error.main' : 'divider',
          borderRadius: 1,
          p: 2,
          bgcolor: 'action.hover',
        }}
      >
        <Box sx={{ display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 2, rowGap: 1, alignItems: 'baseline' }}>
          <Typography variant="body2" color="text.secondary">
            {t('addNode.keyType')}
          </Typography>
          <Typography sx={{ fontFamily: monoFontFamily, fontSize: 13 }} data-testid="host-key-type">
            {info.keyType}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {t('addNode.fingerprint')}
          </Typography>
          <Typography
            sx={{
              fontFamily: monoFontFamily,
              fontSize: 14,
              fontWeight: 600,
              wordBreak: 'break-all',
              userSelect: 'all',
            }}
            data-testid="host-key-fingerprint"
          >
            {info.fingerprint}
          </Typography>
        </Box>
      </Box>
      {confirmable && (
        <>
          <Box>
            <Typography variant="body2" sx={{ mb: 0.75 }}>
              {t('addNode.compare')}
            </Typography>
            <Box
              component="pre"
              sx={{
                m: 0,
                px: 1.5,
                py: 1,
                borderRadius: 1,
                fontFamily: monoFontFamily,
                fontSize: 12.5,
                bgcolor: 'action.selected',
                userSelect: 'all',
                overflowX: 'auto',
              }}
            >
              {`ssh-keygen -lf ${hostKeyFile(info.keyType)}`}
            </Box>
          </Box>
          <FormControlLabel
            control={
              <Checkbox
                checked={confirmed}
                onChange={(e) => onConfirm(e.target.checked)}
                disabled={disabled}
                slotProps={{ input: { 'data-testid': 'host-key-confirm' } as object }}
              />
            }
            label={t(changed ? 'trustKey.confirm' : 'addNode.confirm')}
          />
        </>
      )}
    </Box>
  );
}
