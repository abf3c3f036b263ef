// The create wizards' shared layout and first fields: the two-column step grid, and the node to create on with
// the id to give (test ids `${prefix}-wizard-node` and `${prefix}-wizard-vmid`).
import { useT } from '../../i18n/use-t';
import type { MessageKey } from '../../i18n/translate';
import { SelectInput, TextInput } from '../vms/form-fields';

export const wizardGrid = {
  display: 'grid',
  gridTemplateColumns: 'repeat(2, minmax(0, 1fr))',
  columnGap: 2,
  rowGap: 0.5,
} as const;

export function NodeVmidFields(p: {
  prefix: 'vm' | 'ct';
  nodes: readonly { key: string; name: string }[];
  node: string;
  vmid: string;
  vmidLabel: MessageKey;
  errors: Partial<Record<string, MessageKey>>;
  onChange: (patch: { node: string } | { vmid: string }) => void;
}) {
  const t = useT();
  return (
    <>
      <SelectInput
        label={t('vmForm.node')}
        value={p.node}
        options={p.nodes.map((n) => ({ value: n.key, label: n.name }))}
        onChange={(node) => p.onChange({ node })}
        testId={`${p.prefix}-wizard-node`}
        error={p.errors.node}
      />
      <TextInput
        label={t(p.vmidLabel)}
        value={p.vmid}
        onChange={(vmid) => p.onChange({ vmid })}
        testId={`${p.prefix}-wizard-vmid`}
        error={p.errors.vmid}
      />
    </>
  );
}
