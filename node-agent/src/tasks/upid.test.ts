import { describe, expect, it } from 'vitest';
import { Upid } from '../api/common';
import { isAppError } from '../api/errors';
import { encodeUpid, parseProcessStart, parseUpid, UpidAllocator } from './upid';

const fields = {
  node: 'n1',
  pid: 0x1a2b,
  pstart: 0x123456789,
  starttime: 0x6543210f,
  type: 'qmstart',
  id: '101',
  user: 'root@pam',
};

describe('UPID', () => {
  it('encodes in PVE layout and parses back', () => {
    const upid = encodeUpid(fields);
    expect(upid).toBe('UPID:n1:00001A2B:123456789:6543210F:qmstart:101:root@pam:');
    expect(Upid.safeParse(upid).success).toBe(true);
    expect(parseUpid(upid)).toEqual(fields);
  });

  it('accepts an empty id, as PVE does for node-wide tasks', () => {
    const upid = encodeUpid({ ...fields, id: '', type: 'nodecheck' });
    expect(Upid.safeParse(upid).success).toBe(true);
    expect(parseUpid(upid).id).toBe('');
  });

  it('parses a real PVE UPID', () => {
    const parsed = parseUpid('UPID:pve1:000B5C8A:0DC9BE83:65F1C2A4:vzdump:100:root@pam:');
    expect(parsed).toMatchObject({
      node: 'pve1',
      pid: 0xb5c8a,
      pstart: 0x0dc9be83,
      starttime: 0x65f1c2a4,
      type: 'vzdump',
      id: '100',
    });
  });

  it('refuses fields that would break the format or the log path', () => {
    for (const bad of [
      { id: 'a:b' },
      { id: '../x' },
      { user: '' },
      { user: 'a b' },
      { type: 'Upper' },
      { node: 'a/b' },
      { pid: -1 },
    ]) {
      expect(() => encodeUpid({ ...fields, ...bad })).toThrow();
    }
    for (const text of ['UPID:n1:1A2B:00000000:6543210F:t:1:u:', 'UPID:n1:00001A2B:00000000:6543210F:t:1:u', 'nope']) {
      let error: unknown;
      try {
        parseUpid(text);
      } catch (caught) {
        error = caught;
      }
      expect(isAppError(error, 'invalid-params')).toBe(true);
    }
  });

  it('reads pstart from a stat line whose command holds spaces and parentheses', () => {
    const stat =
      '4242 (we (ird) name) S 1 4242 4242 0 -1 4194560 5 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615';
    expect(parseProcessStart(stat)).toBe(987654);
  });

  it('gives distinct, increasing UPIDs to tasks started in the same second', () => {
    const allocator = new UpidAllocator('n1', () => 1_700_000_000_500, 77, 1234);
    const seen = new Set<string>();
    let last = 0;
    for (let i = 0; i < 50; i += 1) {
      const { upid, starttime } = allocator.next('nodecheck', '', 'root@pam');
      expect(Upid.safeParse(upid).success).toBe(true);
      expect(starttime).toBeGreaterThan(last);
      last = starttime;
      seen.add(upid);
    }
    expect(seen.size).toBe(50);
    expect(parseUpid([...seen][0]!).starttime).toBe(1_700_000_000);
  });

  it('uses the real pid and process start time by default', () => {
    const { upid } = new UpidAllocator('n1').next('x', '', 'root@pam');
    const parsed = parseUpid(upid);
    expect(parsed.pid).toBe(process.pid);
    expect(parsed.pstart).toBeGreaterThan(0);
  });
});
