// qemu-img info parsing against captured output (QEMU 7.2), and PVE's preallocation defaults.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../api/errors';
import { parseQemuImgInfo, preallocationFor } from './qemu-img';

const fixture = (name: string) => readFile(join(import.meta.dirname, '__fixtures__', name), 'utf8');

describe('qemu-img info', () => {
  it('reads a linked clone: virtual and actual size, backing file and its format, snapshots', async () => {
    expect(parseQemuImgInfo(await fixture('qemu-img-info-linked-clone.json'), 'volume local:x')).toEqual({
      virtualSize: 4194304,
      actualSize: 536576,
      format: 'qcow2',
      backingFile: '../100/base-100-disk-0.qcow2',
      backingFormat: 'qcow2',
      snapshots: ['snap1'],
    });
  });

  it('reads a raw image without backing file or snapshots', async () => {
    expect(parseQemuImgInfo(await fixture('qemu-img-info-raw.json'), 'volume local:y')).toEqual({
      virtualSize: 1048576,
      actualSize: 4096,
      format: 'raw',
      snapshots: [],
    });
  });

  it('names the volume when the output is not what qemu-img prints', () => {
    for (const text of ['not json', '{"format": "raw"}']) {
      let error: unknown;
      try {
        parseQemuImgInfo(text, 'volume local:100/vm-100-disk-0.raw');
      } catch (e) {
        error = e;
      }
      expect(isAppError(error, 'internal-error')).toBe(true);
      expect((error as Error).message).toContain('local:100/vm-100-disk-0.raw');
    }
  });

  it('defaults preallocation as PVE does: metadata for qcow2, off for raw (which has no metadata mode)', () => {
    expect(preallocationFor('qcow2', undefined)).toBe('metadata');
    expect(preallocationFor('raw', undefined)).toBe('off');
    expect(preallocationFor('raw', 'metadata')).toBe('off');
    expect(preallocationFor('raw', 'falloc')).toBe('falloc');
    expect(preallocationFor('qcow2', 'full')).toBe('full');
    expect(preallocationFor('vmdk', 'full')).toBeUndefined();
  });
});
