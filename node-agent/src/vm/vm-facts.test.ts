// Facts several VM operations read off the current values: vCPUs, memory, NICs and their tap devices.
import { describe, expect, it } from 'vitest';
import { memoryMiB, netTaps, netsOf, vcpusOf } from './vm-facts';

describe('vcpusOf', () => {
  it('is sockets × cores, PVE’s defaults 1 and 1', () => {
    expect(vcpusOf({})).toBe(1);
    expect(vcpusOf({ cores: '4' })).toBe(4);
    expect(vcpusOf({ sockets: '2', cores: '3' })).toBe(6);
  });

  it('is vcpus when set (fewer vCPUs plugged than sockets × cores)', () => {
    expect(vcpusOf({ sockets: '2', cores: '4', vcpus: '3' })).toBe(3);
  });

  it('falls back to the default for a value that is not a positive number', () => {
    expect(vcpusOf({ cores: '0', sockets: 'x' })).toBe(1);
    expect(vcpusOf({ cores: '2', vcpus: '-1' })).toBe(2);
  });
});

describe('memoryMiB', () => {
  it('is memory in MiB, 512 by default, the current= form accepted', () => {
    expect(memoryMiB({})).toBe(512);
    expect(memoryMiB({ memory: '2048' })).toBe(2048);
    expect(memoryMiB({ memory: 'current=1024' })).toBe(1024);
    expect(memoryMiB({ memory: 'lots' })).toBe(512);
  });
});

describe('netsOf and netTaps', () => {
  const values = {
    net10: 'e1000=BC:24:11:00:00:0A,bridge=vmbr1',
    name: 'web',
    net2: 'virtio,bridge=vmbr0,tag=20',
    net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0',
    net1: 'nosuchmodel,bridge=vmbr0',
    ipconfig0: 'ip=dhcp',
  };

  it('gives the NICs that parse in index order, skipping the others', () => {
    const nets = netsOf(values);
    expect(nets.map((net) => net.key)).toEqual(['net0', 'net2', 'net10']);
    expect(nets[0]).toMatchObject({ index: 0, model: 'virtio', macaddr: 'BC:24:11:00:00:01', bridge: 'vmbr0' });
    expect(nets[1]).toMatchObject({ index: 2, bridge: 'vmbr0', tag: 20 });
    expect(nets[1]?.macaddr).toBeUndefined();
    expect(nets[2]).toMatchObject({ index: 10, model: 'e1000', bridge: 'vmbr1' });
  });

  it('names every NIC’s tap as PVE does: tap<vmid>i<N>', () => {
    expect(netTaps(100, values)).toEqual(['tap100i0', 'tap100i2', 'tap100i10']);
    expect(netTaps(100, { name: 'no nics' })).toEqual([]);
  });
});
