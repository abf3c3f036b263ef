// The DNS and Options tabs: PVE's container keys as editable lists (the VM Options tab's list, over ct.set).
import { ConfigKeyList, type KeySpec } from '../vms/config-key-list';
import { setCtConfig } from './actions';
import type { CtTabProps } from './use-ct-data';

const dnsSpecs: readonly KeySpec[] = [
  { key: 'hostname', label: 'ct.opt.hostname', kind: 'text' },
  { key: 'searchdomain', label: 'ctForm.searchdomain', kind: 'text' },
  { key: 'nameserver', label: 'vmForm.nameserver', kind: 'text' },
];

const optionSpecs: readonly KeySpec[] = [
  { key: 'onboot', label: 'vm.opt.onboot', kind: 'flag' },
  { key: 'startup', label: 'vm.opt.startup', kind: 'text' },
  { key: 'ostype', label: 'vm.opt.ostype', kind: 'text' },
  { key: 'arch', label: 'ct.opt.arch', kind: 'text' },
  { key: 'unprivileged', label: 'ctForm.unprivileged', kind: 'flag' },
  { key: 'features', label: 'ct.opt.features', kind: 'text' },
  { key: 'console', label: 'ct.opt.console', kind: 'flag' },
  { key: 'tty', label: 'ct.opt.tty', kind: 'text' },
  { key: 'cmode', label: 'ct.opt.cmode', kind: 'text' },
  { key: 'protection', label: 'vm.opt.protection', kind: 'flag' },
  { key: 'tags', label: 'vm.opt.tags', kind: 'text' },
  { key: 'description', label: 'vm.opt.description', kind: 'multiline' },
];

export function CtDns({ nodeKey, vmid, data }: CtTabProps) {
  return (
    <ConfigKeyList nodeKey={nodeKey} vmid={vmid} data={data} specs={dnsSpecs} testId="ct-dns" setConfig={setCtConfig} />
  );
}

export function CtOptions({ nodeKey, vmid, data }: CtTabProps) {
  return (
    <ConfigKeyList
      nodeKey={nodeKey}
      vmid={vmid}
      data={data}
      specs={optionSpecs}
      testId="ct-options"
      setConfig={setCtConfig}
    />
  );
}
