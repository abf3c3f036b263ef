// The storage UI's actions and sync against the dev fake of window.hyperdesk: status into the tree, content
// changes reloading lists, a guest's volume refused, storage.cfg edits with digests, uploads with progress.
import { describe, expect, it } from 'vitest';
import { setUpFakeApp } from '../../dev/flow-testkit';
import { waitForState } from '../../dev/wait-for';
import { appStore } from '../../store/store';
import { treeRows } from '../../store/selectors';
import { startInventorySync } from '../inventory/actions';
import { addStorage, deleteVolume, listContent, listStorages, removeStorage, setStorage } from './actions';
import { startStorageSync } from './storage-sync';
import { listenUploadProgress, startUpload } from './upload-actions';
import { toDefinition, emptyStorageForm } from './storage-form';

const app = setUpFakeApp();

const start = async () => {
  app.keep(startInventorySync(), startStorageSync(), listenUploadProgress());
  await waitForState(appStore, (s) => s.loaded);
};

describe('storage flows over window.hyperdesk', () => {
  it("reads a selected node's storages into the tree when the inventory has none", async () => {
    await start();
    expect(appStore.getState().storageOrder['prod/pve1']).toBeUndefined();
    appStore.getState().select({ kind: 'node', key: 'prod/pve1' });
    await waitForState(appStore, (s) => (s.storageOrder['prod/pve1']?.length ?? 0) > 0);
    expect(treeRows(appStore.getState())).toContain('storage:prod/pve1/local');
    // tank is limited to n1 and pve1; old-nas is disabled everywhere.
    expect(appStore.getState().storages['prod/pve1']?.['old-nas']?.enabled).toBe(false);
  });

  it('takes storages from the inventory when the node sends them', async () => {
    await start();
    const node = app.fake.inventory.nodes['lab/n2']!;
    app.fake.patch({
      nodes: {
        'lab/n2': {
          ...node,
          storages: [
            { storage: 'x1', type: 'dir', enabled: true, content: ['iso'], active: true, total: 10, used: 4, avail: 6 },
          ],
        },
      },
    });
    await waitForState(appStore, (s) => s.storageOrder['lab/n2']?.[0] === 'x1');
    expect(appStore.getState().storages['lab/n2']?.x1?.used).toBe(4);
  });

  it("refuses to delete a guest's volume and says so, and deletes an ISO image", async () => {
    await start();
    expect(await deleteVolume('lab/n1', 'local-lvm:vm-100-disk-0')).toBe(false);
    const notice = appStore.getState().notices.at(-1);
    expect(notice?.key).toBe('content.deleteFailed');
    expect(notice?.error?.code).toBe('access-denied');
    const epoch = appStore.getState().storageEpoch;
    expect(await deleteVolume('lab/n1', 'local:iso/debian-12.8.0-amd64-netinst.iso')).toBe(true);
    expect(appStore.getState().storageEpoch).toBe(epoch + 1);
    const iso = (await listContent('lab/n1', 'local')).filter((v) => v.content === 'iso');
    expect(iso.map((v) => v.volid)).toEqual(['local:iso/ubuntu-24.04.1-live-server-amd64.iso']);
  });

  it('adds, edits and removes a definition with the digest read, and reports a stale digest as a conflict', async () => {
    await start();
    const { digest } = await listStorages('lab/n1');
    const added = await addStorage('lab/n1', {
      config: toDefinition({ ...emptyStorageForm('dir', ['backup']), id: 'dump', path: '/srv/dump' }),
      digest,
    });
    await expect(setStorage('lab/n1', { id: 'dump', properties: { shared: true }, digest })).rejects.toMatchObject({
      code: 'conflict',
    });
    await setStorage('lab/n1', { id: 'dump', properties: { shared: true }, digest: added.digest });
    const after = await listStorages('lab/n1');
    expect(after.storages.find((s) => s.id === 'dump')).toMatchObject({
      type: 'dir',
      shared: true,
      content: ['backup'],
    });
    expect(await removeStorage('lab/n1', 'dump', digest)).toBe(false);
    expect(appStore.getState().notices.at(-1)?.key).toBe('dcStorage.conflict');
    expect(await removeStorage('lab/n1', 'dump', after.digest)).toBe(true);
  });

  it('reloads content lists when a download task ends', async () => {
    await start();
    const epoch = appStore.getState().storageEpoch;
    await app.fake.invoke('agent.call', {
      node: 'lab/n1',
      method: 'storage.content.download',
      params: { storage: 'local', content: 'iso', url: 'https://example.org/x.iso', filename: 'x.iso' },
    });
    await waitForState(appStore, (s) => s.storageEpoch > epoch);
    expect((await listContent('lab/n1', 'local')).some((v) => v.volid === 'local:iso/x.iso')).toBe(true);
  });

  it('follows an upload to done and reloads content lists', async () => {
    await start();
    const epoch = appStore.getState().storageEpoch;
    await startUpload({ node: 'lab/n1', storage: 'local', content: 'iso', path: '/tmp/alpine.iso' });
    await waitForState(appStore, (s) => s.storageEpoch > epoch);
    expect((await listContent('lab/n1', 'local')).some((v) => v.volid === 'local:iso/alpine.iso')).toBe(true);
  });
});
