import { describe, expect, it } from 'vitest';
import { consoleWindowHash, detachedConsoleOf, detachedShellOf, shellWindowHash } from './detached-console';

describe('a console in its own window', () => {
  it('names the console in the hash and reads it back', () => {
    const hash = consoleWindowHash({ nodeKey: 'lab/n1', vmid: 100, kind: 'vnc' });
    expect(hash).toBe('#console=lab%2Fn1&vmid=100&kind=vnc');
    expect(detachedConsoleOf(hash)).toEqual({ nodeKey: 'lab/n1', vmid: 100, kind: 'vnc' });
  });

  it('leaves the main window alone for anything else', () => {
    for (const hash of ['', '#token=abc', '#console=lab%2Fn1&vmid=99&kind=vnc', '#console=&vmid=100&kind=vnc', '#console=x&vmid=100&kind=serial9'])
      expect(detachedConsoleOf(hash)).toBeUndefined();
  });
});

// terminal feature: node shells in their own windows.
describe('a node shell in its own window', () => {
  it('names the node and font size in the hash and reads them back', () => {
    const hash = shellWindowHash({ nodeKey: 'lab/n1', fontSize: 16 });
    expect(hash).toBe('#console=lab%2Fn1&kind=shell&font=16');
    expect(detachedShellOf(hash)).toEqual({ nodeKey: 'lab/n1', fontSize: 16 });
    // A VM console window is not a shell, and a shell window is not a VM console.
    expect(detachedConsoleOf(hash)).toBeUndefined();
    expect(detachedShellOf('#console=lab%2Fn1&vmid=100&kind=vnc')).toBeUndefined();
    expect(detachedShellOf('#console=&kind=shell')).toBeUndefined();
  });
});
