import { describe, expect, it } from 'vitest';
import { consoleWindowHash, detachedConsoleOf } from './detached-console';

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
