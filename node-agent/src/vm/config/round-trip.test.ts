// Property-style round trip: seeded random configs (current, pending, snapshots, descriptions) built through the
// edit helpers survive write → parse → write, and every generated value passes the schema.
import { describe, expect, it } from 'vitest';
import {
  CURRENT,
  PENDING,
  addSection,
  parseVmConf,
  sectionsOf,
  serializeVmConf,
  setDescription,
  setKey,
  type VmConf,
} from './conf-document';
import { formatValue } from './keys';
import { vmConfigErrors } from './validate';

const rng = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

const generate = (random: () => number): Record<string, string> => {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const hex = () =>
    Math.floor(random() * 256)
      .toString(16)
      .padStart(2, '0')
      .toUpperCase();
  const values: Record<string, string> = {
    name: pick(['web', 'db-01', 'a.b.c']),
    cores: String(1 + Math.floor(random() * 16)),
    sockets: String(1 + Math.floor(random() * 2)),
    memory: String(256 * (1 + Math.floor(random() * 32))),
    ostype: pick(['l26', 'win11', 'other']),
    scsihw: pick(['lsi', 'virtio-scsi-single', 'virtio-scsi-pci']),
  };
  const disks = Math.floor(random() * 4);
  for (let i = 0; i < disks; i += 1)
    values[`${pick(['scsi', 'virtio', 'sata'])}${i}`] = formatValue(
      'scsi0',
      `local:vm-100-disk-${i},size=${1 + i}G,cache=${pick(['none', 'writeback'])}${random() > 0.5 ? ',discard=on' : ''}`,
    );
  const nets = Math.floor(random() * 3);
  for (let i = 0; i < nets; i += 1)
    values[`net${i}`] =
      `${pick(['virtio', 'e1000'])}=BC:24:11:${hex()}:${hex()}:${hex()},bridge=vmbr${i}${random() > 0.5 ? `,tag=${1 + Math.floor(random() * 4094)}` : ''}`;
  if (random() > 0.5) values.tags = 'a;b';
  return values;
};

const build = (random: () => number): VmConf => {
  let conf = parseVmConf('');
  for (const [key, value] of Object.entries(generate(random))) conf = setKey(conf, CURRENT, key, value);
  if (random() > 0.5) conf = setDescription(conf, CURRENT, 'notes: ünïcode\n\n100% done');
  if (random() > 0.5) conf = setKey(conf, PENDING, 'cores', '2');
  const snapshots = Math.floor(random() * 3);
  for (let i = 0; i < snapshots; i += 1)
    conf = addSection(conf, `snap${String.fromCharCode(97 + Math.floor(random() * 26))}${i}`, [
      ...Object.entries(generate(random)),
      ['snaptime', String(1_700_000_000 + i)],
    ]);
  return conf;
};

describe('vm conf round trip', () => {
  it('200 generated configs survive parse → write → parse and validate', () => {
    const random = rng(42);
    for (let n = 0; n < 200; n += 1) {
      const conf = build(random);
      const text = serializeVmConf(conf);
      const again = parseVmConf(text);
      expect(serializeVmConf(again)).toBe(text);
      expect(sectionsOf(again)).toEqual(sectionsOf(conf));
      for (const section of sectionsOf(again))
        expect(
          vmConfigErrors(section.values, {
            section: section.kind === 'snapshot' ? 'snapshot' : section.kind === 'pending' ? 'pending' : 'current',
          }),
        ).toEqual({});
    }
  });
});
