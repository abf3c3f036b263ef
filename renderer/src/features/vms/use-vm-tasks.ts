// This VM's tasks from the task store (PVE's task id is the vmid), newest first, and a counter of the ones
// that ended: views that show what a task changes (snapshots, disks) reload when it moves.
import { useShallow } from 'zustand/react/shallow';
import type { TaskEntry } from '../../../../main/core/inventory-schema';
import { useAppStore, type AppState } from '../../store/store';

/** UPIDs of the tasks on `nodeKey` whose id is `vmid`, in the store's order (running first, then newest). */
export function vmTaskUpids(state: Pick<AppState, 'tasks' | 'taskOrder'>, nodeKey: string, vmid: number): string[] {
  const id = String(vmid);
  return state.taskOrder.filter((upid) => {
    const task: TaskEntry | undefined = state.tasks[upid];
    return task !== undefined && task.nodeKey === nodeKey && task.id === id;
  });
}

export const useVmTaskUpids = (nodeKey: string, vmid: number): string[] =>
  useAppStore(useShallow((s) => vmTaskUpids(s, nodeKey, vmid)));

/** How many of this VM's tasks have ended; changes when one ends. */
export const useVmTasksEnded = (nodeKey: string, vmid: number): number =>
  useAppStore((s) => vmTaskUpids(s, nodeKey, vmid).filter((upid) => s.tasks[upid]?.status === 'stopped').length);
