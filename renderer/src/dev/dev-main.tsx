// Dev preview entry: installs the fake window.hyperdesk, mounts the real app, then applies a scenario from the URL.
//   ?lang=zh-CN&theme=dark&select=lab/n1 (or lab/n1/local)&dialog=add-node|remove|task-log|palette&nodes=5000&tasks=10000&offline=all&empty=1&tick=2000
import type { Language, Preferences } from '../../../main/core/app-api';
import { mount } from '../app/mount';
import { appStore } from '../store/store';
import { createFakeHyperdesk } from './fake-hyperdesk';

const query = new URLSearchParams(location.search);
const number = (name: string, fallback: number) => Number(query.get(name) ?? fallback) || 0;

const preferences: Partial<Preferences> = {};
const lang = query.get('lang');
if (lang === 'en' || lang === 'zh-CN') preferences.language = lang satisfies Language;
const theme = query.get('theme');
if (theme === 'light' || theme === 'dark' || theme === 'system') preferences.theme = theme;

const fake = createFakeHyperdesk({
  bulkNodes: number('nodes', 0),
  bulkTasks: number('tasks', 0),
  allOffline: query.get('offline') === 'all',
  empty: query.get('empty') === '1',
  tickMs: number('tick', 2000),
  preferences,
});
(window as unknown as { hyperdesk: typeof fake }).hyperdesk = fake;

const root = document.getElementById('root');
if (root) mount(root);

const applyScenario = () => {
  const state = appStore.getState();
  const select = query.get('select');
  // cluster, cluster/node, or cluster/node/storage
  const depth = select?.split('/').length ?? 0;
  if (select && depth === 3) state.select({ kind: 'storage', key: select });
  else if (select?.includes('/')) state.select({ kind: 'node', key: select });
  else if (select) state.select({ kind: 'cluster', id: select });
  switch (query.get('dialog') ?? '') {
    case 'add-node':
      state.setAddNodeOpen(true);
      break;
    case 'remove':
      state.setRemoveNodeKey(select ?? 'lab/n1');
      break;
    case 'palette':
      state.setPaletteOpen(true);
      break;
    case 'task-log': {
      const running = Object.values(state.tasks).find((t) => t.status === 'running') ?? Object.values(state.tasks)[0];
      if (running) state.setTaskLogUpid(running.upid);
      break;
    }
    default:
      break;
  }
  document.body.dataset.scenario = 'ready';
};

const stop = appStore.subscribe((state) => {
  if (!state.loaded) return;
  stop();
  applyScenario();
});
