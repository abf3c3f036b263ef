// Step 1 of Add node: where the node is, who logs in, in which cluster, and how it authenticates.
import Box from '@mui/material/Box';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { AuthMethod } from '../../../../main/core/config-schema';
import { useT } from '../../i18n/use-t';
import { useAppStore } from '../../store/store';
import { sortedClusterIds } from '../../store/selectors';
import { NEW_CLUSTER, authMethods, type AddNodeErrors, type AddNodeField, type AddNodeForm } from './add-node-form';

interface Props {
  form: AddNodeForm;
  errors: AddNodeErrors;
  /** Errors show once the person tried to continue, not while typing the first time. */
  showErrors: boolean;
  onChange: (patch: Partial<AddNodeForm>) => void;
  disabled: boolean;
}

export function ConnectionStep({ form, errors, showErrors, onChange, disabled }: Props) {
  const t = useT();
  const clusters = useAppStore((s) => s.clusters);
  const clusterNames = sortedClusterIds(clusters).map((id) => clusters[id]?.name ?? id);
  const error = (field: AddNodeField) => (showErrors && errors[field] ? t(errors[field]) : undefined);
  const field = (name: AddNodeField, testId?: string) => ({
    value: form[name],
    onChange: (e: { target: { value: string } }) => onChange({ [name]: e.target.value }),
    error: error(name) !== undefined,
    disabled,
    slotProps: { htmlInput: { 'data-testid': testId, spellCheck: false, autoCapitalize: 'off', autoCorrect: 'off' } },
  });

  return (
    <Box
      sx={{ display: 'grid', gridTemplateColumns: 'repeat(6, 1fr)', gap: 2, pt: 1, '& > *': { gridColumn: 'span 3' } }}
    >
      <TextField
        label={t('addNode.host')}
        autoFocus
        {...field('host', 'add-node-host')}
        helperText={error('host') ?? t('addNode.hostHelp')}
        sx={{ gridColumn: 'span 4 !important' }}
      />
      <TextField
        label={t('addNode.port')}
        {...field('port', 'add-node-port')}
        helperText={error('port')}
        inputMode="numeric"
        sx={{ gridColumn: 'span 2 !important' }}
      />
      <TextField label={t('addNode.user')} {...field('user', 'add-node-user')} helperText={error('user')} />
      <TextField
        label={t('addNode.name')}
        {...field('name', 'add-node-name')}
        helperText={error('name') ?? t('addNode.nameHelp')}
      />
      <TextField
        select
        label={t('addNode.cluster')}
        value={form.cluster}
        onChange={(e) => onChange({ cluster: e.target.value })}
        disabled={disabled}
        slotProps={{ select: { native: true }, htmlInput: { 'data-testid': 'add-node-cluster' } }}
      >
        {clusterNames.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
        <option value={NEW_CLUSTER}>{t('addNode.clusterNew')}</option>
      </TextField>
      {form.cluster === NEW_CLUSTER ? (
        <TextField
          label={t('addNode.clusterName')}
          {...field('newClusterName', 'add-node-new-cluster')}
          helperText={error('newClusterName') ?? t('addNode.clusterNameHelp')}
        />
      ) : (
        <Box />
      )}
      <TextField
        select
        label={t('addNode.auth')}
        value={form.auth}
        onChange={(e) => onChange({ auth: e.target.value as AuthMethod, secret: '' })}
        disabled={disabled}
        slotProps={{ select: { native: true }, htmlInput: { 'data-testid': 'add-node-auth-method' } }}
        sx={{ alignSelf: 'start' }}
      >
        {authMethods.map((method) => (
          <option key={method} value={method}>
            {t(`addNode.auth.${method}`)}
          </option>
        ))}
      </TextField>
      <AuthFields form={form} field={field} error={error} />
    </Box>
  );
}

type FieldProps = (name: AddNodeField, testId?: string) => object;

function AuthFields({
  form,
  field,
  error,
}: {
  form: AddNodeForm;
  field: FieldProps;
  error: (f: AddNodeField) => string | undefined;
}) {
  const t = useT();
  switch (form.auth) {
    case 'key':
      return (
        <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          <TextField
            label={t('addNode.keyPath')}
            {...field('keyPath', 'add-node-key-path')}
            helperText={error('keyPath') ?? t('addNode.keyPathHelp')}
          />
          <TextField
            label={t('addNode.passphrase')}
            type="password"
            autoComplete="off"
            {...field('secret', 'add-node-secret')}
          />
        </Box>
      );
    case 'password':
      return (
        <TextField
          label={t('addNode.password')}
          type="password"
          autoComplete="off"
          {...field('secret', 'add-node-secret')}
          helperText={error('secret')}
        />
      );
    case 'agent':
      return (
        <Typography variant="body2" color="text.secondary" sx={{ alignSelf: 'center' }}>
          {t('addNode.agentHelp')}
        </Typography>
      );
    case 'keyboard-interactive':
      return (
        <Typography variant="body2" color="text.secondary" sx={{ alignSelf: 'center' }}>
          {t('addNode.kbdHelp')}
        </Typography>
      );
  }
}
