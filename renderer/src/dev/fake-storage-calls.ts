// Dev only: the storage methods of the fake window.hyperdesk (agent calls, downloads as tasks, uploads with
// progress events), kept apart from fake-hyperdesk.ts so that file stays about nodes, tasks and connections.
import type { AppEventData, AppEventName } from '../../../preload/api';
import type { NodeEntry, TaskEntry } from '../../../main/core/inventory-schema';
import type { Timeframe } from '../../../node-agent/src/api';
import { makeTask } from './fake-data';
import { createFakeStorage } from './fake-storage';

interface Deps {
  emit: <E extends AppEventName>(event: E, data: AppEventData<E>) => void;
  patchTask: (task: TaskEntry) => void;
  currentTask: (upid: string) => TaskEntry | undefined;
  later: (ms: number, run: () => void) => void;
  nextPid: () => number;
  node: (key: string) => NodeEntry | undefined;
  log: (upid: string, line: string) => void;
  stepMs: number;
}

export function createFakeStorageCalls(deps: Deps) {
  const storage = createFakeStorage();
  let uploads = 0;

  const download = (node: NodeEntry, params: Record<string, unknown>) => {
    const task = {
      ...makeTask(node, deps.nextPid(), Math.floor(Date.now() / 1000), 'download'),
      id: String(params.storage),
      progress: 0,
    };
    deps.patchTask(task);
    deps.log(
      task.upid,
      `downloading ${String(params.url)} to ${String(params.storage)}:${String(params.content)}/${String(params.filename)}`,
    );
    for (let i = 1; i <= 5; i++)
      deps.later(deps.stepMs * i, () => {
        const current = deps.currentTask(task.upid);
        if (current?.status !== 'running') return;
        deps.log(task.upid, `${i * 20}% (${i * 120} MiB of 600 MiB)`);
        const next: TaskEntry = { ...current, progress: i / 5 };
        if (i === 5) {
          Object.assign(next, { status: 'stopped', endtime: Math.floor(Date.now() / 1000), exitstatus: 'OK' });
          delete next.progress;
          storage.addVolume(node, String(params.storage), {
            volid: `${String(params.storage)}:${String(params.content)}/${String(params.filename)}`,
            content: params.content === 'vztmpl' ? 'vztmpl' : 'iso',
            format: params.content === 'vztmpl' ? 'tzst' : 'iso',
            size: 600 * 1024 ** 2,
            ctime: Math.floor(Date.now() / 1000),
          });
        }
        deps.patchTask(next);
      });
    return { upid: task.upid };
  };

  const agent = (node: NodeEntry, method: string, params: Record<string, unknown>): { value: unknown } | undefined => {
    switch (method) {
      case 'storage.status':
        return {
          value: storage.status(node).filter((s) => params.storage === undefined || s.storage === params.storage),
        };
      case 'storage.list':
        return { value: storage.list(node) };
      case 'storage.add':
        return { value: storage.add(node, params as { config: Record<string, unknown>; digest?: string }) };
      case 'storage.set':
        return { value: storage.set(node, params as { id: string; digest: string }) };
      case 'storage.remove':
        return { value: storage.remove(node, params as { id: string; digest: string }) };
      case 'storage.content.list':
        return { value: storage.content(node, String(params.storage)) };
      case 'storage.content.delete':
        storage.remove_volume(node, String(params.volid));
        return { value: {} };
      case 'storage.content.download':
        return { value: download(node, params) };
      case 'storage.metrics':
        return {
          value: storage.metrics(node, String(params.storage), (params.timeframe ?? 'hour') as Timeframe, Date.now()),
        };
      default:
        return undefined;
    }
  };

  /** storage.upload: hashing, uploading in steps, verifying, done (or cancelled). */
  const cancelled = new Set<string>();
  const started = new Map<string, AppEventData<'upload.progress'>>();
  const upload = (params: Record<string, unknown>) => {
    const node = deps.node(String(params.node));
    if (!node) throw new Error(`node ${String(params.node)} is not in the inventory`);
    const uploadId = `u${++uploads}`;
    const path = String(params.path);
    const filename = typeof params.filename === 'string' ? params.filename : (path.split('/').pop() ?? path);
    const total = 734 * 1024 ** 2;
    const base = {
      uploadId,
      node: node.key,
      storage: String(params.storage),
      content: params.content as 'iso' | 'vztmpl',
      filename,
      total,
    };
    const sha256 = 'f4e1c9d2'.repeat(8);
    started.set(uploadId, { ...base, state: 'hashing', sent: 0 });
    const steps = ['hashing', 'uploading', 'uploading', 'uploading', 'uploading', 'verifying', 'done'] as const;
    steps.forEach((state, i) =>
      deps.later(deps.stepMs * (i + 1), () => {
        if (cancelled.has(uploadId)) return;
        const sent = state === 'hashing' ? total : state === 'uploading' ? Math.round((total * (i - 1)) / 4) : total;
        if (state === 'done')
          storage.addVolume(node, base.storage, {
            volid: `${base.storage}:${base.content}/${filename}`,
            content: base.content,
            format: base.content === 'iso' ? 'iso' : 'tzst',
            size: total,
            ctime: Math.floor(Date.now() / 1000),
          });
        deps.emit('upload.progress', { ...base, state, sent, ...(state === 'hashing' ? {} : { sha256 }) });
      }),
    );
    return { uploadId };
  };
  const cancel = (params: Record<string, unknown>) => {
    const uploadId = String(params.uploadId);
    cancelled.add(uploadId);
    const upload = started.get(uploadId);
    if (upload) deps.later(50, () => deps.emit('upload.progress', { ...upload, state: 'cancelled' }));
    return {};
  };
  return { agent, upload, cancel, status: storage.status };
}
