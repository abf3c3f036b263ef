// The right-hand side: whatever the tree selection names.
import { useAppStore } from '../store/store';
import { DatacenterSummary } from '../features/datacenter/datacenter-summary';
import { NodePage } from '../features/nodes/node-page';
import { GuestSummary } from '../features/guests/guest-summary';
import { StoragePage } from '../features/storage/storage-page';
import { VmPage } from '../features/vms/vm-page'; // vm feature
import { VmDialogs } from '../features/vms/vm-dialogs'; // vm feature
import { CtPage } from '../features/cts/ct-page'; // ct feature
import { CtDialogs } from '../features/cts/ct-dialogs'; // ct feature

// vm feature: the VM dialogs (create wizard, confirmations, snapshot, clone, bulk) live beside every page.
export function Content() {
  return (
    <>
      <SelectedPage />
      <VmDialogs />
      {/* ct feature: the container dialogs (create wizard, confirmations, snapshot). */}
      <CtDialogs />
    </>
  );
}

function SelectedPage() {
  const selection = useAppStore((s) => s.selection);
  // vm feature: a qemu guest gets the VM page; ct feature: an lxc guest gets the container page.
  const guestType = useAppStore((s) => (s.selection.kind === 'guest' ? s.guests.get(s.selection.key)?.type : undefined));
  switch (selection.kind) {
    case 'datacenter':
      return <DatacenterSummary />;
    case 'cluster':
      return <DatacenterSummary key={selection.id} clusterId={selection.id} />;
    case 'node':
      return <NodePage key={selection.key} nodeKey={selection.key} />;
    case 'guest':
      if (guestType === 'qemu') return <VmPage key={selection.key} guestKey={selection.key} />;
      if (guestType === 'lxc') return <CtPage key={selection.key} guestKey={selection.key} />; // ct feature
      return <GuestSummary key={selection.key} guestKey={selection.key} />;
    case 'storage':
      return <StoragePage key={selection.key} storageKey={selection.key} />;
  }
}
