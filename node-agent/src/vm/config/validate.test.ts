import { describe, expect, it } from 'vitest';
import { isAppError } from '../../api/errors';
import { currentOf, parseVmConf, sectionsOf } from './conf-document';
import { formatDrive, nextDiskKey, parseDrive } from './drive';
import { FIXTURE_NAMES, fixtureText } from './fixtures';
import { formatValue, hotplugClassOf } from './keys';
import { MAC_PREFIX, macCollisions, macsOf, parseIpConfig, parseNet, randomMac } from './net';
import { typedConfig } from './typed';
import { unsafeKeys, validateVmConfig, vmConfigErrors } from './validate';

const errorsOf = (values: Record<string, string | number>, forCreate = false): unknown => {
  try {
    validateVmConfig(values, { forCreate });
  } catch (error) {
    if (!isAppError(error, 'invalid-params')) throw error;
    return error.details?.errors;
  }
  return {};
};

describe('vm config schema', () => {
  it.each(FIXTURE_NAMES)('%s validates in every section', (name) => {
    const sections = sectionsOf(parseVmConf(fixtureText(name))).filter((s) => s.kind !== 'special');
    expect(
      sections.map((s) => vmConfigErrors(s.values, { section: s.kind === 'special' ? 'current' : s.kind })),
    ).toEqual(sections.map(() => ({})));
  });

  it('collects every problem with the key in the message', () => {
    expect(
      errorsOf({
        foo: '1',
        cores: 0,
        net0: 'virtio=BC:24:11:00:00:01',
        memory: 'lots',
        vga: 'serial1',
        scsi3: 'local:vm-100-disk-0,cache=fast',
      }),
    ).toEqual({
      foo: 'foo: unknown config key',
      cores: 'cores: must be 1..8192',
      net0: 'net0: "bridge" is required',
      memory: 'memory: "current" must be 16..4194304',
      vga: 'vga: serial1 is used as the display but is not configured',
      scsi3: 'scsi3: "cache" must be one of none, writethrough, writeback, unsafe, directsync',
    });
    expect(errorsOf({ cores: 2, sockets: 1, vcpus: 3, memory: 1024, balloon: 2048, boot: 'order=scsi0;net0' })).toEqual(
      {
        vcpus: 'vcpus: must be at most sockets × cores (2)',
        balloon: 'balloon: must be at most memory (1024 MiB)',
        boot: 'boot: boot device scsi0 does not exist',
      },
    );
    expect(errorsOf({ scsi31: 'local:vm-100-disk-0' })).toEqual({ scsi31: 'scsi31: unknown config key' });
    expect(errorsOf({ description: 'notes\nover two lines', name: 'web 1' })).toEqual({ name: 'name: must be a DNS name (letters, digits, - and .)' });
  });

  it('allows STORAGE:SIZE disks and MAC-less NICs only for create/set, and refuses system keys there', () => {
    const input = { scsi0: 'local-lvm:32,discard=on', net0: 'virtio,bridge=vmbr0' };
    expect(errorsOf(input, true)).toEqual({});
    expect(errorsOf(input)).toEqual({
      scsi0: 'scsi0: "local-lvm:32" allocates a new disk, which only create and set accept',
      net0: 'net0: has no MAC address (model=MAC)',
    });
    expect(errorsOf({ lock: 'backup', snaptime: 1 }, true)).toEqual({
      lock: 'lock: is managed by the system and cannot be set',
      snaptime: 'snaptime: is only valid in a snapshot',
    });
    expect(parseDrive('scsi0', 'local-lvm:32', true).alloc).toEqual({ storage: 'local-lvm', sizeGiB: 32 });
  });

  it('writes values the way PVE does (options sorted, model=MAC first)', () => {
    expect(formatValue('scsi0', 'size=32G,file=local:vm-100-disk-0,ssd=on,cache=none')).toBe(
      'local:vm-100-disk-0,cache=none,size=32G,ssd=on',
    );
    expect(formatValue('net0', 'bridge=vmbr0,virtio=bc:24:11:aa:bb:cc,tag=5')).toBe(
      'virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,tag=5',
    );
    expect(formatValue('onboot', 'yes')).toBe('1');
    expect(formatValue('cpu', 'flags=+aes,cputype=host')).toBe('host,flags=+aes');
    expect(formatValue('tags', 'prod, web;db')).toBe('prod;web;db');
    const drive = parseDrive('ide2', 'none,media=cdrom');
    expect([drive.media, formatDrive(drive)]).toEqual(['cdrom', 'none,media=cdrom']);
  });

  it('classes keys by how a change reaches a running VM', () => {
    expect(
      ['scsi4', 'net7', 'vcpus', 'memory', 'name', 'tags', 'onboot', 'ipconfig0', 'cores', 'efidisk0', 'unused3'].map(
        hotplugClassOf,
      ),
    ).toEqual([
      'disk',
      'network',
      'cpu',
      'memory',
      'immediate',
      'immediate',
      'immediate',
      'cloudinit',
      false,
      false,
      'immediate',
    ]);
    expect(unsafeKeys({ args: '-no-hpet', cores: 1 })).toEqual(['args']);
  });

  it('reads NICs, ipconfig and typed sections', () => {
    const net = parseNet('net2', 'e1000=BC:24:11:A0:00:03,bridge=vmbr1,firewall=1,rate=12.5,tag=30');
    expect(net).toMatchObject({
      model: 'e1000',
      macaddr: 'BC:24:11:A0:00:03',
      bridge: 'vmbr1',
      firewall: true,
      rate: 12.5,
      tag: 30,
    });
    expect(parseIpConfig('ip=10.0.0.5/24,gw=10.0.0.1,ip6=auto')).toEqual({
      ip: '10.0.0.5/24',
      gw: '10.0.0.1',
      ip6: 'auto',
    });
    expect(() => parseIpConfig('ip=10.0.0.500/24')).toThrow('"ip" must be an IPv4 CIDR');
    const vm = typedConfig(currentOf(parseVmConf(fixtureText('router'))).values);
    expect(vm.nets.map((n) => [n.key, n.linkDown, n.queues])).toEqual([
      ['net0', false, undefined],
      ['net1', false, 2],
      ['net2', false, undefined],
      ['net3', true, undefined],
    ]);
    expect(vm.bootOrder).toEqual(['virtio0']);
    expect(
      typedConfig({
        boot: 'dcn',
        ide2: 'none,media=cdrom',
        scsi0: 'l:vm-1-disk-0',
        net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0',
      }).bootOrder,
    ).toEqual(['ide2', 'scsi0', 'net0']);
  });

  it('generates BC:24:11 MACs that avoid the ones in use and finds collisions', () => {
    const bytes = [Buffer.from([0xaa, 0xbb, 0xcc]), Buffer.from([0x01, 0x02, 0x03])];
    const taken = macsOf([{ net0: 'virtio=bc:24:11:aa:bb:cc,bridge=vmbr0' }]);
    expect(randomMac(taken, () => bytes.shift() ?? Buffer.alloc(3))).toBe(`${MAC_PREFIX}:01:02:03`);
    expect(randomMac()).toMatch(/^BC:24:11(:[0-9A-F]{2}){3}$/);
    const configs = new Map([
      [100, { net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0' }],
      [101, { net1: 'e1000=bc:24:11:00:00:01,bridge=vmbr0', net0: 'virtio=BC:24:11:00:00:02,bridge=vmbr0' }],
    ]);
    expect([...macCollisions(configs)]).toEqual([['BC:24:11:00:00:01', [100, 101]]]);
  });

  it('finds the next free disk key within the bus limits', () => {
    expect(nextDiskKey('scsi', ['scsi0', 'scsi1', 'scsi3'])).toBe('scsi2');
    expect(nextDiskKey('ide', ['ide0', 'ide1', 'ide2', 'ide3'])).toBeUndefined();
    expect(
      nextDiskKey(
        'virtio',
        Array.from({ length: 15 }, (_, i) => `virtio${i}`),
      ),
    ).toBe('virtio15');
  });
});
