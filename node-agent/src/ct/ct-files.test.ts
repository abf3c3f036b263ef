// The checks and bookkeeping of ct.push / ct.pull that do not need a container: paths, chunks, push sessions.
import { describe, expect, it } from 'vitest';
import { AppError } from '../api/errors';
import { ctFilePath, ddBlockSize, decodeChunk, MAX_CHUNK, pushSessionFor } from './ct-files';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : 'not-an-app-error';
  }
  return undefined;
};

describe('container file paths', () => {
  it('normalizes doubled slashes and . and names the folder', () => {
    expect(ctFilePath(230, '/root//./f.bin')).toEqual({ path: '/root/f.bin', dir: '/root' });
    expect(ctFilePath(230, '/f')).toEqual({ path: '/f', dir: '/' });
  });

  it('refuses .., relative paths, folders and NUL, naming the container', () => {
    expect(() => ctFilePath(230, '/root/../etc/shadow')).toThrow(/^CT 230: \/root\/\.\.\/etc\/shadow leaves its folder/);
    expect(codeOf(() => ctFilePath(230, '/root/../etc/shadow'))).toBe('invalid-params');
    expect(codeOf(() => ctFilePath(230, 'root/f'))).toBe('invalid-params');
    expect(() => ctFilePath(230, '/root/')).toThrow(/names a folder, not a file/);
    expect(codeOf(() => ctFilePath(230, '/./'))).toBe('invalid-params');
    expect(codeOf(() => ctFilePath(230, '/a\0b'))).toBe('invalid-params');
  });
});

describe('chunks', () => {
  it("picks dd's block size so it reads exactly the asked range", () => {
    expect(ddBlockSize(0, 4 * 1024 * 1024)).toBe(1024 * 1024);
    expect(ddBlockSize(8 * 1024 * 1024, 4 * 1024 * 1024)).toBe(1024 * 1024);
    expect(ddBlockSize(4096, 65536)).toBe(4096);
    expect(ddBlockSize(3, 4 * 1024 * 1024)).toBe(1);
    expect(ddBlockSize(6, 10)).toBe(2);
  });

  it('decodes base64 (wrapped lines too) up to the limit and refuses anything else', () => {
    expect(decodeChunk(230, 'aGVs\nbG8=').toString()).toBe('hello');
    expect(decodeChunk(230, '').length).toBe(0);
    expect(codeOf(() => decodeChunk(230, 'not base64!'))).toBe('invalid-params');
    expect(codeOf(() => decodeChunk(230, 'abc'))).toBe('invalid-params');
    expect(codeOf(() => decodeChunk(230, Buffer.alloc(MAX_CHUNK + 3).toString('base64')))).toBe('invalid-params');
    expect(decodeChunk(230, Buffer.alloc(8).toString('base64'), 8).length).toBe(8);
    expect(() => decodeChunk(230, Buffer.alloc(9).toString('base64'), 8)).toThrow(/at most 8 bytes, this one 9/);
  });
});

describe('push sessions', () => {
  it('starts at offset 0 with a temp file beside the target and continues only where it stopped', () => {
    const map = new Map<string, { temp: string; next: number; busy: boolean; touched: number }>();
    const { session, replaced } = pushSessionFor(map, '230:/root/f', 0, '/root', 230, '/root/f', 1);
    expect(replaced).toBeUndefined();
    expect(session.temp).toMatch(/^\/root\/\.hd-push-[0-9a-f]{16}$/);
    expect(pushSessionFor(map, '231:/f', 0, '/', 231, '/f', 1).session.temp).toMatch(/^\/\.hd-push-[0-9a-f]{16}$/);
    session.next = 4096;
    expect(pushSessionFor(map, '230:/root/f', 4096, '/root', 230, '/root/f', 2).session).toBe(session);
    expect(() => pushSessionFor(map, '230:/root/f', 8192, '/root', 230, '/root/f', 2)).toThrow(/the push stopped at offset 4096, not 8192 — start again at offset 0/);
    expect(codeOf(() => pushSessionFor(map, '230:/other', 10, '/', 230, '/other', 2))).toBe('conflict');
  });

  it('refuses a chunk while another is being written, and replaces an unfinished push at offset 0', () => {
    const map = new Map<string, { temp: string; next: number; busy: boolean; touched: number }>();
    const first = pushSessionFor(map, '230:/f', 0, '/', 230, '/f', 1).session;
    first.busy = true;
    expect(codeOf(() => pushSessionFor(map, '230:/f', 0, '/', 230, '/f', 2))).toBe('conflict');
    first.busy = false;
    const again = pushSessionFor(map, '230:/f', 0, '/', 230, '/f', 3);
    expect(again.replaced).toBe(first.temp);
    expect(again.session.temp).not.toBe(first.temp);
    expect(again.session.next).toBe(0);
  });
});
