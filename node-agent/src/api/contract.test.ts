// Pins the contract: every method is complete, names follow area.verb, and the derived types are what callers rely on.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { AppError, errorCodes, events, GuestStatus, methodNames, methods, Topic, type EventData, type Params, type ParsedParams, type Result } from './index';

describe('the agent contract', () => {
  it('describes every method with params, result, privilege and a one-line doc', () => {
    for (const name of methodNames) {
      const spec = methods[name];
      expect(spec.params, name).toBeInstanceOf(z.ZodType);
      expect(spec.result, name).toBeInstanceOf(z.ZodType);
      expect(['read', 'operate', 'admin'], name).toContain(spec.privilege);
      expect(spec.doc.length, name).toBeGreaterThan(10);
      expect(spec.doc, name).not.toContain('\n');
    }
  });

  it('names methods area.verb or area.noun.verb', () => {
    for (const name of methodNames.filter((n) => n !== 'hello')) expect(name).toMatch(/^[a-z]+(\.[a-z]+){1,2}$/);
  });

  it('has the foundation methods', () => {
    expect(methodNames).toEqual(
      expect.arrayContaining(['hello', 'node.status', 'node.metrics', 'events.subscribe', 'task.list', 'task.status', 'task.log', 'task.cancel', 'node.check']),
    );
  });

  it('has the storage methods, with downloads as tasks and storage.cfg changes carrying a digest', () => {
    expect(methodNames).toEqual(
      expect.arrayContaining([
        'storage.list', 'storage.status', 'storage.add', 'storage.set', 'storage.remove',
        'storage.content.list', 'storage.content.delete', 'storage.content.download',
        'storage.volume.alloc', 'storage.volume.free', 'storage.volume.resize', 'storage.volume.snapshot', 'storage.volume.clone',
        'storage.upload.target', 'storage.upload.commit',
      ]),
    );
    expect(methods['storage.content.download'].task).toBe(true);
    expect(methods['storage.volume.alloc'].task).toBeUndefined();
    const digest = 'a'.repeat(40);
    expect(methods['storage.set'].params.safeParse({ id: 'local', properties: { content: ['iso'] } }).success).toBe(false);
    expect(methods['storage.set'].params.parse({ id: 'local', digest })).toEqual({ id: 'local', properties: {}, delete: [], digest });
    expect(methods['storage.remove'].params.safeParse({ id: 'local', digest: 'nope' }).success).toBe(false);
    expect(methods['storage.add'].params.safeParse({ config: { type: 'nfs', id: 'backup' } }).success).toBe(false);
    expect(methods['storage.content.download'].params.safeParse({ storage: 'local', content: 'images', url: 'http://x/y', filename: 'y.raw' }).success).toBe(false);
    expect(methods['storage.content.download'].params.safeParse({ storage: 'local', content: 'iso', url: 'http://x/y', filename: 'a/b.iso' }).success).toBe(false);
    expect(methods['storage.volume.snapshot'].params.safeParse({ volid: 'local:100/vm-100-disk-0.qcow2', snap: '1bad', action: 'create' }).success).toBe(false);
    expectTypeOf<Result<'storage.volume.alloc'>>().toEqualTypeOf<{ volid: string }>();
  });

  it('marks task methods as returning a UPID reference', () => {
    expect(methods['node.check'].task).toBe(true);
    expect(methods['node.check'].result.safeParse({ upid: 'UPID:n1:0000ABCD:00001234:6745A1B2:nodecheck::root@pam:' }).success).toBe(true);
  });

  it('rejects unknown and ill-typed params', () => {
    expect(methods['task.log'].params.safeParse({ upid: 'nope' }).success).toBe(false);
    expect(methods['node.metrics'].params.safeParse({ timeframe: 'year' }).success).toBe(false);
    expect(methods['node.status'].params.safeParse({ extra: 1 }).success).toBe(false);
    expect(methods['node.metrics'].params.parse({})).toEqual({ timeframe: 'hour', cf: 'average' });
  });

  it('derives caller and handler types from the schemas', () => {
    expectTypeOf<Params<'node.metrics'>>().toEqualTypeOf<{ timeframe?: 'hour' | 'day' | 'week' | 'month' | undefined; cf?: 'average' | 'max' | undefined }>();
    expectTypeOf<ParsedParams<'node.metrics'>>().toEqualTypeOf<{ timeframe: 'hour' | 'day' | 'week' | 'month'; cf: 'average' | 'max' }>();
    expectTypeOf<Result<'node.check'>>().toEqualTypeOf<{ upid: string }>();
    expectTypeOf<Result<'node.status'>['loadavg']>().toEqualTypeOf<[number, number, number]>();
    expectTypeOf<Result<'task.log'>['lines'][number]>().toEqualTypeOf<{ n: number; t: string }>();
  });

  it('has a closed error vocabulary that survives the wire', () => {
    expect(errorCodes).toContain('invalid-params');
    const error = new AppError('locked', 'VM 101 is locked by task backup', { upid: 'x' });
    expect(AppError.fromWire(JSON.parse(JSON.stringify(error.toWire())) as never)).toMatchObject({ code: 'locked', message: error.message, details: { upid: 'x' } });
    expect(AppError.from(new Error('boom')).code).toBe('internal-error');
  });

  it('documents every event', () => {
    for (const [topic, spec] of Object.entries(events)) expect(spec.doc.length, topic).toBeGreaterThan(10);
  });

  it('carries guests as PVE /cluster/resources items: VMIDs 100..999999999, qemu or lxc, cpu as 0..1', () => {
    expect(Topic.options).toEqual(expect.arrayContaining(['guest.update', 'guest.remove']));
    const vm = { vmid: 100, type: 'qemu', name: 'web1', status: 'running', cpu: 0.25, maxcpu: 2, mem: 1e9, maxmem: 2e9, disk: 0, maxdisk: 32e9, uptime: 3600, netin: 1200, netout: 800, diskread: 0, diskwrite: 4096 };
    expect(GuestStatus.safeParse(vm).success).toBe(true);
    expect(GuestStatus.safeParse({ ...vm, type: 'lxc', template: true, tags: ['prod', 'db'], lock: 'backup' }).success).toBe(true);
    expect(GuestStatus.safeParse({ ...vm, vmid: 99 }).success).toBe(false);
    expect(GuestStatus.safeParse({ ...vm, vmid: 1_000_000_000 }).success).toBe(false);
    expect(GuestStatus.safeParse({ ...vm, type: 'kvm' }).success).toBe(false);
    expect(GuestStatus.safeParse({ ...vm, cpu: 1.5 }).success).toBe(false);
    expect(GuestStatus.safeParse({ ...vm, status: 'migrating' }).success).toBe(false);
    expect(events['guest.remove'].data.safeParse({ vmid: 100, type: 'lxc' }).success).toBe(true);
    expectTypeOf<EventData<'guest.remove'>>().toEqualTypeOf<{ vmid: number; type: 'qemu' | 'lxc' }>();
  });
});
