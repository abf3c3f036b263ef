import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zhCN } from './zh-cn';
import { translate, isMessageKey } from './translate';

const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

describe('dictionaries', () => {
  it('zh-CN has every English key, no others, and no empty text', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    expect(
      Object.entries(zhCN)
        .filter(([, text]) => text.trim() === '')
        .map(([key]) => key),
    ).toEqual([]);
  });

  it('zh-CN uses the same placeholders as English in every message', () => {
    const mismatched = Object.entries(en)
      .filter(([key, text]) => placeholders(zhCN[key as keyof typeof en]).join() !== placeholders(text).join())
      .map(([key]) => key);
    expect(mismatched).toEqual([]);
  });

  it('zh-CN actually translates the user-facing words', () => {
    expect(zhCN['tree.datacenter']).toBe('数据中心');
    expect(zhCN['state.online']).toBe('在线');
    expect(zhCN['state.offline']).toBe('离线');
    expect(zhCN['node.tab.summary']).toBe('摘要');
    expect(zhCN['addNode.title']).toBe('添加节点');
    expect(zhCN['addNode.fingerprint']).toBe('指纹');
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'node.title', { node: 'n1' })).toBe('Node n1');
    expect(translate('zh-CN', 'node.title', { node: 'n1' })).toBe('节点 n1');
    expect(translate('en', 'node.title')).toBe('Node {node}');
  });

  it('picks the English plural form by count; Chinese has one form', () => {
    expect(translate('en', 'tree.nodeCount', { count: 1 })).toBe('1 node');
    expect(translate('en', 'tree.nodeCount', { count: 0 })).toBe('0 nodes');
    expect(translate('en', 'tree.nodeCount', { count: 5000 })).toBe('5000 nodes');
    expect(translate('zh-CN', 'tree.nodeCount', { count: 1 })).toBe('1 个节点');
  });

  it('recognises composed keys only when they exist', () => {
    expect(isMessageKey('state.online')).toBe(true);
    expect(isMessageKey('state.sleeping')).toBe(false);
  });
});
