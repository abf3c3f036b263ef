import { describe, expect, it } from 'vitest';
import {
  configLines,
  diskKeys,
  emptyWizard,
  encodeSshKeys,
  newDisk,
  toCreateParams,
  validateStep,
  validateWizard,
  type WizardValues,
} from './vm-form';

const base = (): WizardValues => ({ ...emptyWizard('lab/n1', 104, 'local-lvm'), name: 'web2' });

describe('create-VM wizard values → vm.create params', () => {
  it("makes PVE's config from the defaults: one scsi disk with iothread, a virtio NIC on vmbr0, boot order", () => {
    expect(toCreateParams(base())).toEqual({
      vmid: 104,
      start: false,
      config: {
        name: 'web2',
        ostype: 'l26',
        bios: 'seabios',
        machine: 'q35',
        scsihw: 'virtio-scsi-single',
        agent: 1,
        sockets: 1,
        cores: 2,
        cpu: 'x86-64-v2-AES',
        memory: 2048,
        scsi0: 'local-lvm:32,discard=on,iothread=1',
        net0: 'virtio,bridge=vmbr0,firewall=1',
        boot: 'order=scsi0;net0',
      },
    });
  });

  it('numbers disks per bus, skips ide2 for the CD/DVD, and writes format, cache and ssd', () => {
    const v = base();
    v.iso = 'local:iso/debian.iso';
    v.scsihw = 'virtio-scsi-pci';
    v.disks = [
      { ...newDisk('local-lvm'), cache: 'writeback' },
      { ...newDisk('big-btrfs', 'virtio'), format: 'qcow2', sizeGiB: '100', discard: false },
      { ...newDisk('local-lvm', 'ide'), ssd: true, iothread: false },
      { ...newDisk('local-lvm', 'ide'), iothread: false, discard: false },
      { ...newDisk('local-lvm', 'ide'), iothread: false, discard: false },
    ];
    expect(diskKeys(v.disks)).toEqual(['scsi0', 'virtio0', 'ide0', 'ide1', 'ide3']);
    const { config } = toCreateParams(v);
    // iothread on scsi needs virtio-scsi-single: dropped here; virtio-blk keeps it.
    expect(config.scsi0).toBe('local-lvm:32,cache=writeback,discard=on');
    expect(config.virtio0).toBe('big-btrfs:100,format=qcow2,iothread=1');
    expect(config.ide0).toBe('local-lvm:32,discard=on,ssd=1');
    expect(config.ide2).toBe('local:iso/debian.iso,media=cdrom');
    expect(config.ide3).toBe('local-lvm:32');
    expect(config.boot).toBe('order=scsi0;ide2;net0');
  });

  it('adds an EFI disk for OVMF on the first disk’s storage, a balloon minimum, and a tagged NIC with a MAC', () => {
    const v = { ...base(), bios: 'ovmf' as const, machine: 'pc' as const, balloon: '1024' };
    v.network = { ...v.network, vlan: '20', mac: 'bc:24:11:aa:bb:cc', firewall: false, model: 'e1000' };
    const { config } = toCreateParams(v);
    expect(config.efidisk0).toBe('local-lvm:1,efitype=4m,pre-enrolled-keys=1');
    expect(config.machine).toBeUndefined();
    expect(config.balloon).toBe(1024);
    expect(config.net0).toBe('e1000=BC:24:11:AA:BB:CC,bridge=vmbr0,tag=20');
  });

  it('without network or disks has no net0 and boots from the CD/DVD only', () => {
    const v = { ...base(), disks: [], iso: 'local:iso/x.iso' };
    v.network = { ...v.network, enabled: false };
    const { config } = toCreateParams(v);
    expect(config.net0).toBeUndefined();
    expect(config.boot).toBe('order=ide2');
  });

  it('writes cloud-init keys: the drive on a free IDE slot, URL-encoded ssh keys, static ipconfig0', () => {
    const v = base();
    v.iso = 'local:iso/debian.iso';
    v.cloudinit = {
      enabled: true,
      storage: 'local-lvm',
      user: 'admin',
      password: 's3cret',
      sshkeys: 'ssh-ed25519 AAAAC3Nz admin@desk\n\n',
      ipMode: 'static',
      ip: '192.0.2.10/24',
      gw: '192.0.2.1',
      nameserver: '1.1.1.1, 9.9.9.9',
    };
    const { config } = toCreateParams(v);
    expect(config.ide0).toBe('local-lvm:cloudinit');
    expect(config.ciuser).toBe('admin');
    expect(config.sshkeys).toBe('ssh-ed25519%20AAAAC3Nz%20admin%40desk');
    expect(config.ipconfig0).toBe('ip=192.0.2.10/24,gw=192.0.2.1');
    expect(config.nameserver).toBe('1.1.1.1 9.9.9.9');
    expect(decodeURIComponent(encodeSshKeys('a b\n c d '))).toBe('a b\nc d');
    const lines = configLines(config);
    expect(lines.find((l) => l.key === 'cipassword')?.value).toBe('••••••');
    expect(lines.map((l) => l.key)).toEqual([...lines.map((l) => l.key)].sort());
  });

  it('uses dhcp by default and starts after create when asked', () => {
    const v = { ...base(), start: true };
    v.cloudinit = { ...v.cloudinit, enabled: true };
    const params = toCreateParams(v);
    expect(params.config.ipconfig0).toBe('ip=dhcp');
    expect(params.config.ide2).toBe('local-lvm:cloudinit');
    expect(params.start).toBe(true);
  });
});

describe('create-VM wizard validation per step', () => {
  it('accepts the defaults on every step', () => {
    expect(validateWizard(base())).toEqual({});
  });

  it('names the bad fields with messages', () => {
    const v = { ...base(), vmid: '42', name: '-bad-', sockets: '0', cores: 'x', memory: '8', balloon: '' };
    expect(validateStep('general', v)).toEqual({ vmid: 'vmForm.invalid.vmid', name: 'vmForm.invalid.name' });
    expect(validateStep('cpu', v)).toEqual({ sockets: 'vmForm.invalid.sockets', cores: 'vmForm.invalid.cores' });
    expect(validateStep('memory', v)).toEqual({ memory: 'vmForm.invalid.memory' });
    expect(validateStep('memory', { ...base(), balloon: '4096' })).toEqual({ balloon: 'vmForm.invalid.balloon' });
  });

  it('checks each disk and the IDE slots left by the CD/DVD and cloud-init drives', () => {
    const v = base();
    v.disks = [{ ...newDisk(''), sizeGiB: '0' }];
    expect(validateStep('disks', v)).toEqual({
      'disks.0.storage': 'vmForm.invalid.required',
      'disks.0.sizeGiB': 'vmForm.invalid.diskSize',
    });
    v.iso = 'local:iso/x.iso';
    v.cloudinit.enabled = true;
    v.disks = [newDisk('a', 'ide'), newDisk('a', 'ide'), newDisk('a', 'ide')];
    expect(validateStep('disks', v).disks).toBe('vmForm.invalid.tooManyDisks');
    expect(validateStep('system', { ...base(), disks: [], bios: 'ovmf' })).toEqual({ bios: 'vmForm.invalid.efiNeedsDisk' });
  });

  it('checks network fields only when there is a network device', () => {
    const v = base();
    v.network = { ...v.network, bridge: '0bad', vlan: '5000', mac: 'zz' };
    expect(validateStep('network', v)).toEqual({
      'network.bridge': 'vmForm.invalid.bridge',
      'network.vlan': 'vmForm.invalid.vlan',
      'network.mac': 'vmForm.invalid.mac',
    });
    expect(validateStep('network', { ...v, network: { ...v.network, enabled: false } })).toEqual({});
  });

  it('checks cloud-init user, keys and static addresses', () => {
    const v = base();
    v.cloudinit = { ...v.cloudinit, enabled: true, user: 'Root', sshkeys: 'not a key', ipMode: 'static', ip: '10.0.0.1', gw: '10.0.0', nameserver: 'dns' };
    expect(validateStep('cloudinit', v)).toEqual({
      'cloudinit.user': 'vmForm.invalid.user',
      'cloudinit.sshkeys': 'vmForm.invalid.sshkey',
      'cloudinit.ip': 'vmForm.invalid.cidr',
      'cloudinit.gw': 'vmForm.invalid.ipv4',
      'cloudinit.nameserver': 'vmForm.invalid.ipv4',
    });
  });
});
