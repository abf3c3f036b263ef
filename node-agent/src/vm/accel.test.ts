import { describe, expect, it } from 'vitest';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDirForTest } from '../fs/temp-dir';
import { detectAccelerator, probeSaysKvmEnabled } from './accel';

const T = 30_000;

describe('detectAccelerator', () => {
  it('honours HYPERDESK_QEMU_ACCEL=kvm|tcg without probing, and names the override as the reason', async () => {
    const missing = '/nonexistent/kvm';
    await expect(detectAccelerator({ env: { HYPERDESK_QEMU_ACCEL: 'tcg' } })).resolves.toEqual({
      accel: 'tcg',
      reason: 'HYPERDESK_QEMU_ACCEL=tcg',
    });
    // kvm is taken at its word even where the device is missing: the override is the operator's call.
    await expect(detectAccelerator({ env: { HYPERDESK_QEMU_ACCEL: 'KVM' }, kvmDevice: missing })).resolves.toEqual({
      accel: 'kvm',
      reason: 'HYPERDESK_QEMU_ACCEL=kvm',
    });
  });

  it('rejects an override that is not kvm, tcg or auto', async () => {
    await expect(detectAccelerator({ env: { HYPERDESK_QEMU_ACCEL: 'hvf' } })).rejects.toMatchObject({
      code: 'invalid-params',
    });
  });

  it('falls back to TCG, saying why, when the KVM device does not exist', async () => {
    const dir = await tempDirForTest('hd-accel-');
    const choice = await detectAccelerator({ env: { HYPERDESK_QEMU_ACCEL: 'auto' }, kvmDevice: join(dir, 'kvm') });
    expect(choice.accel).toBe('tcg');
    expect(choice.reason).toMatch(/kvm does not exist/);
  });

  it('falls back to TCG when QEMU cannot initialise KVM, or cannot run at all', async () => {
    // /dev/null opens read-write as /dev/kvm would, so the QEMU probe decides; `false` stands for a QEMU that fails.
    await expect(detectAccelerator({ env: {}, kvmDevice: '/dev/null', qemu: 'false' })).resolves.toEqual({
      accel: 'tcg',
      reason: 'QEMU could not initialise KVM: exit code 1',
    });
    const missing = await detectAccelerator({ env: {}, kvmDevice: '/dev/null', qemu: 'qemu-system-none-such' });
    expect(missing.accel).toBe('tcg');
    expect(missing.reason).toMatch(/^the KVM probe failed: .*qemu-system-none-such is not installed/);
  });

  it(
    'on this machine: KVM exactly when /dev/kvm opens read-write; the answer is cached',
    async () => {
      const opens = await open('/dev/kvm', constants.O_RDWR).then(
        async (handle) => (await handle.close(), true),
        () => false,
      );
      const first = await detectAccelerator({ env: {} });
      expect(first.accel).toBe(opens ? 'kvm' : 'tcg');
      expect(first.reason).toMatch(opens ? /^\/dev\/kvm is usable and QEMU initialised KVM$/ : /^\/dev\/kvm/);
      await expect(detectAccelerator({ env: {} })).resolves.toBe(first);
    },
    T,
  );
});

describe('probeSaysKvmEnabled', () => {
  it("reads query-kvm's answer among the probe's QMP lines", () => {
    const greeting =
      '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": ""}, "capabilities": ["oob"]}}';
    const lines = (kvm: string) =>
      [greeting, '{"return": {}}', kvm, '{"event": "SHUTDOWN", "data": {}}', '{"return": {}}'].join('\r\n');
    expect(probeSaysKvmEnabled(lines('{"return": {"enabled": true, "present": true}}'))).toBe(true);
    expect(probeSaysKvmEnabled(lines('{"return": {"enabled": false, "present": true}}'))).toBe(false);
    expect(probeSaysKvmEnabled('')).toBe(false);
  });
});
