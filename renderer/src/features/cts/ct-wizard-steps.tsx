// The fields of each create-CT wizard step; the values, validation and resulting params live in ct-form.ts.
import Box from '@mui/material/Box';
import type { StorageEntry } from '../../../../node-agent/src/api';
import { useT } from '../../i18n/use-t';
import { NodeVmidFields, wizardGrid } from '../guests/wizard-id-fields';
import { CheckInput, SelectInput, TextInput } from '../vms/form-fields';
import type { NetErrors } from './ct-net-form';
import {
  ctConfirmLines,
  toCtCreateParams,
  type CtWizardErrors,
  type CtWizardStep,
  type CtWizardValues,
} from './ct-form';
import { NetFields } from './net-fields';

export interface CtWizardSources {
  nodes: readonly { key: string; name: string }[];
  templateStores: readonly StorageEntry[];
  diskStores: readonly StorageEntry[];
  templates: Readonly<Record<string, readonly string[]>>;
}

interface Props {
  step: CtWizardStep;
  values: CtWizardValues;
  errors: CtWizardErrors;
  sources: CtWizardSources;
  onChange: (next: CtWizardValues) => void;
}

const grid = wizardGrid;
const storeOption = (s: StorageEntry) => ({ value: s.id, label: `${s.id} (${s.type})` });

export function CtWizardStepFields({ step, values: v, errors, sources, onChange }: Props) {
  const t = useT();
  const set = (patch: Partial<CtWizardValues>) => onChange({ ...v, ...patch });
  switch (step) {
    case 'general':
      return (
        <Box>
          <Box sx={grid}>
            <NodeVmidFields
              prefix="ct"
              nodes={sources.nodes}
              node={v.node}
              vmid={v.vmid}
              vmidLabel="ctForm.vmid"
              errors={errors}
              onChange={set}
            />
            <TextInput
              label={t('ctForm.hostname')}
              value={v.hostname}
              onChange={(hostname) => set({ hostname })}
              testId="ct-wizard-hostname"
              error={errors.hostname}
              autoFocus
            />
            <Box sx={{ display: 'flex', flexWrap: 'wrap' }}>
              <CheckInput
                label={t('ctForm.unprivileged')}
                checked={v.unprivileged}
                onChange={(unprivileged) => set({ unprivileged })}
                testId="ct-wizard-unprivileged"
              />
              <CheckInput
                label={t('ctForm.nesting')}
                checked={v.nesting}
                onChange={(nesting) => set({ nesting })}
                testId="ct-wizard-nesting"
              />
            </Box>
            <TextInput
              label={t('ctForm.password')}
              type="password"
              value={v.password}
              onChange={(password) => set({ password })}
              testId="ct-wizard-password"
              error={errors.password}
            />
            <TextInput
              label={t('ctForm.confirmPassword')}
              type="password"
              value={v.confirmPassword}
              onChange={(confirmPassword) => set({ confirmPassword })}
              testId="ct-wizard-password-confirm"
              error={errors.confirmPassword}
            />
          </Box>
          <TextInput
            label={t('vmForm.sshkeys')}
            multiline
            value={v.sshKeys}
            onChange={(sshKeys) => set({ sshKeys })}
            testId="ct-wizard-sshkeys"
            error={errors.sshKeys}
          />
        </Box>
      );
    case 'template': {
      const list = sources.templates[v.templateStorage] ?? [];
      return (
        <Box sx={grid}>
          <SelectInput
            label={t('vmForm.storage')}
            value={v.templateStorage}
            options={[{ value: '', label: '—' }, ...sources.templateStores.map(storeOption)]}
            onChange={(templateStorage) => set({ templateStorage, ostemplate: '' })}
            testId="ct-wizard-template-storage"
          />
          <SelectInput
            label={t('ctForm.template')}
            value={v.ostemplate}
            options={[
              { value: '', label: list.length === 0 ? t('ctForm.noTemplates') : '—' },
              ...list.map((volid) => ({ value: volid, label: volid.replace(/^[^:]+:vztmpl\//, '') })),
            ]}
            onChange={(ostemplate) => set({ ostemplate })}
            testId="ct-wizard-template"
            error={errors.ostemplate}
          />
        </Box>
      );
    }
    case 'rootdisk':
      return (
        <Box sx={grid}>
          <SelectInput
            label={t('vmForm.storage')}
            value={v.diskStorage}
            options={[{ value: '', label: '—' }, ...sources.diskStores.map(storeOption)]}
            onChange={(diskStorage) => set({ diskStorage })}
            testId="ct-wizard-disk-storage"
            error={errors.diskStorage}
          />
          <TextInput
            label={t('vmForm.sizeGiB')}
            value={v.diskSizeGiB}
            onChange={(diskSizeGiB) => set({ diskSizeGiB })}
            testId="ct-wizard-disk-size"
            error={errors.diskSizeGiB}
          />
        </Box>
      );
    case 'cpu':
      return (
        <Box sx={grid}>
          <TextInput
            label={t('vmForm.cores')}
            value={v.cores}
            onChange={(cores) => set({ cores })}
            testId="ct-wizard-cores"
            error={errors.cores}
          />
          <TextInput
            label={t('ctForm.cpulimit')}
            value={v.cpulimit}
            onChange={(cpulimit) => set({ cpulimit })}
            testId="ct-wizard-cpulimit"
            error={errors.cpulimit}
            placeholder={t('ctForm.unlimited')}
          />
        </Box>
      );
    case 'memory':
      return (
        <Box sx={grid}>
          <TextInput
            label={t('vmForm.memory')}
            value={v.memory}
            onChange={(memory) => set({ memory })}
            testId="ct-wizard-memory"
            error={errors.memory}
          />
          <TextInput
            label={t('ctForm.swap')}
            value={v.swap}
            onChange={(swap) => set({ swap })}
            testId="ct-wizard-swap"
            error={errors.swap}
          />
        </Box>
      );
    case 'network': {
      const netErrors: NetErrors = {};
      for (const [key, message] of Object.entries(errors))
        if (key.startsWith('network.') && message !== undefined)
          netErrors[key.slice('network.'.length) as keyof NetErrors] = message;
      return (
        <NetFields
          value={v.network}
          errors={netErrors}
          onChange={(network) => set({ network })}
          prefix="ct-wizard-net"
        />
      );
    }
    case 'dns':
      return (
        <Box sx={grid}>
          <TextInput
            label={t('ctForm.searchdomain')}
            value={v.searchdomain}
            onChange={(searchdomain) => set({ searchdomain })}
            testId="ct-wizard-searchdomain"
            error={errors.searchdomain}
            placeholder={t('ctForm.useHost')}
          />
          <TextInput
            label={t('vmForm.nameserver')}
            value={v.nameserver}
            onChange={(nameserver) => set({ nameserver })}
            testId="ct-wizard-nameserver"
            error={errors.nameserver}
            placeholder={t('ctForm.useHost')}
          />
        </Box>
      );
    case 'confirm':
      return (
        <Box>
          <Box
            component="dl"
            data-testid="ct-wizard-summary"
            sx={{
              display: 'grid',
              gridTemplateColumns: 'max-content 1fr',
              columnGap: 2,
              rowGap: 0.25,
              m: 0,
              fontFamily: 'monospace',
              fontSize: 13,
            }}
          >
            {ctConfirmLines(toCtCreateParams(v)).map((line) => (
              <Box key={line.key} sx={{ display: 'contents' }}>
                <Box component="dt" sx={{ color: 'text.secondary' }}>
                  {line.key}
                </Box>
                <Box component="dd" sx={{ m: 0, wordBreak: 'break-all' }} data-testid={`ct-wizard-summary-${line.key}`}>
                  {line.value}
                </Box>
              </Box>
            ))}
          </Box>
          <CheckInput
            label={t('vmForm.startAfter')}
            checked={v.start}
            onChange={(start) => set({ start })}
            testId="ct-wizard-start"
          />
        </Box>
      );
  }
}
