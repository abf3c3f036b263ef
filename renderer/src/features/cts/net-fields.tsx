// The fields of one container network device (netN): the wizard's Network step and the Network tab's dialog.
import Box from '@mui/material/Box';
import { useT } from '../../i18n/use-t';
import { CheckInput, SelectInput, TextInput } from '../vms/form-fields';
import type { Ipv4Mode, Ipv6Mode, NetErrors, NetValues } from './ct-net-form';

const grid = { display: 'grid', gridTemplateColumns: 'repeat(2, minmax(0, 1fr))', columnGap: 2, rowGap: 0.5 } as const;

/** Test ids `${prefix}-name`, `-bridge`, `-vlan`, `-firewall`, `-ip4mode`, `-ip4`, `-gw4`, `-ip6mode`, `-ip6`, `-gw6`, `-rate`. */
export function NetFields({
  value: n,
  errors,
  onChange,
  prefix,
}: {
  value: NetValues;
  errors: NetErrors;
  onChange: (next: NetValues) => void;
  prefix: string;
}) {
  const t = useT();
  const set = (patch: Partial<NetValues>) => onChange({ ...n, ...patch });
  return (
    <Box sx={grid}>
      <TextInput
        label={t('ctForm.ifname')}
        value={n.name}
        onChange={(name) => set({ name })}
        testId={`${prefix}-name`}
        error={errors.name}
      />
      <TextInput
        label={t('vmForm.bridge')}
        value={n.bridge}
        onChange={(bridge) => set({ bridge })}
        testId={`${prefix}-bridge`}
        error={errors.bridge}
      />
      <TextInput
        label={t('vmForm.vlan')}
        value={n.vlan}
        onChange={(vlan) => set({ vlan })}
        testId={`${prefix}-vlan`}
        error={errors.vlan}
        placeholder={t('vmForm.noVlan')}
      />
      <TextInput
        label={t('ctForm.rate')}
        value={n.rate}
        onChange={(rate) => set({ rate })}
        testId={`${prefix}-rate`}
        error={errors.rate}
        placeholder={t('ctForm.unlimited')}
      />
      <SelectInput<Ipv4Mode>
        label={t('ctForm.ipv4')}
        value={n.ipv4Mode}
        options={[
          { value: 'static', label: t('vmForm.static') },
          { value: 'dhcp', label: t('vmForm.dhcp') },
        ]}
        onChange={(ipv4Mode) => set({ ipv4Mode })}
        testId={`${prefix}-ip4mode`}
      />
      <Box />
      <TextInput
        label={t('ctForm.ip4')}
        value={n.ip4}
        onChange={(ip4) => set({ ip4 })}
        testId={`${prefix}-ip4`}
        error={errors.ip4}
        disabled={n.ipv4Mode !== 'static'}
        placeholder="198.18.0.70/24"
      />
      <TextInput
        label={t('ctForm.gw4')}
        value={n.gw4}
        onChange={(gw4) => set({ gw4 })}
        testId={`${prefix}-gw4`}
        error={errors.gw4}
        disabled={n.ipv4Mode !== 'static'}
      />
      <SelectInput<Ipv6Mode>
        label={t('ctForm.ipv6')}
        value={n.ipv6Mode}
        options={[
          { value: 'static', label: t('vmForm.static') },
          { value: 'dhcp', label: t('vmForm.dhcp') },
          { value: 'auto', label: t('ctForm.slaac') },
        ]}
        onChange={(ipv6Mode) => set({ ipv6Mode })}
        testId={`${prefix}-ip6mode`}
      />
      <Box />
      <TextInput
        label={t('ctForm.ip6')}
        value={n.ip6}
        onChange={(ip6) => set({ ip6 })}
        testId={`${prefix}-ip6`}
        error={errors.ip6}
        disabled={n.ipv6Mode !== 'static'}
        placeholder="2001:db8::70/64"
      />
      <TextInput
        label={t('ctForm.gw6')}
        value={n.gw6}
        onChange={(gw6) => set({ gw6 })}
        testId={`${prefix}-gw6`}
        error={errors.gw6}
        disabled={n.ipv6Mode !== 'static'}
      />
      <CheckInput
        label={t('vmForm.firewall')}
        checked={n.firewall}
        onChange={(firewall) => set({ firewall })}
        testId={`${prefix}-firewall`}
      />
    </Box>
  );
}
