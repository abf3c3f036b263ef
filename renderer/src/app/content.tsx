// The right-hand side: whatever the tree selection names.
import { useAppStore } from '../store/store';
import { DatacenterSummary } from '../features/datacenter/datacenter-summary';
import { NodePage } from '../features/nodes/node-page';
import { GuestSummary } from '../features/guests/guest-summary';
import { StoragePage } from '../features/storage/storage-page';

export function Content() {
  const selection = useAppStore((s) => s.selection);
  switch (selection.kind) {
    case 'datacenter':
      return <DatacenterSummary />;
    case 'cluster':
      return <DatacenterSummary key={selection.id} clusterId={selection.id} />;
    case 'node':
      return <NodePage key={selection.key} nodeKey={selection.key} />;
    case 'guest':
      return <GuestSummary key={selection.key} guestKey={selection.key} />;
    case 'storage':
      return <StoragePage key={selection.key} storageKey={selection.key} />;
  }
}
