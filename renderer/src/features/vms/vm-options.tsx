// The Options tab: PVE's VM options (name, start at boot, startup order, OS type, boot order, protection, tags,
// description, guest agent), each editable.
import { ConfigKeyList, type KeySpec } from './config-key-list';
import type { VmTabProps } from './vm-tab-props';

const specs: readonly KeySpec[] = [
  { key: 'name', label: 'vm.opt.name', kind: 'text' },
  { key: 'onboot', label: 'vm.opt.onboot', kind: 'flag' },
  { key: 'startup', label: 'vm.opt.startup', kind: 'text' },
  { key: 'ostype', label: 'vm.opt.ostype', kind: 'text' },
  { key: 'boot', label: 'vm.opt.boot', kind: 'text' },
  { key: 'protection', label: 'vm.opt.protection', kind: 'flag' },
  { key: 'tags', label: 'vm.opt.tags', kind: 'text' },
  { key: 'description', label: 'vm.opt.description', kind: 'multiline' },
  { key: 'agent', label: 'vm.opt.agent', kind: 'text' },
];

export function VmOptions(props: VmTabProps) {
  return <ConfigKeyList {...props} specs={specs} testId="vm-options" />;
}
