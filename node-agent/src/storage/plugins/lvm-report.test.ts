import { describe, expect, it } from 'vitest';
import { LVS_ARGS, VGS_ARGS, parseLvs, parseVgs } from './lvm-report';
import { fixture } from './plan-runner';

describe('lvm report parsing (captured vgs/lvs output of LVM 2.03.16)', () => {
  it('asks for the columns PVE asks for, in bytes, with epoch times', () => {
    expect(VGS_ARGS.join(' ')).toBe(
      '--separator : --noheadings --units b --unbuffered --nosuffix --options vg_name,vg_size,vg_free,lv_count',
    );
    expect(LVS_ARGS).toContain('report/time_format="%s"');
    expect(LVS_ARGS.at(-1)).toBe(
      'vg_name,lv_name,lv_size,lv_attr,pool_lv,data_percent,metadata_percent,snap_percent,uuid,tags,metadata_size,time',
    );
  });

  it('reads vgs: size, free and LV count in bytes, one VG per line', () => {
    expect(parseVgs(fixture('vgs.txt'))).toEqual([{ name: 'hdtest', size: 1069547520, free: 1010827264, lvCount: 4 }]);
    expect(parseVgs(fixture('vgs-two.txt')).map((vg) => vg.name)).toEqual(['hdthin', 'hdtest']);
    expect(parseVgs('')).toEqual([]);
  });

  it('reads thick LVs: sizes, attributes, tags (several, sorted by LVM), ctime', () => {
    const lvs = parseLvs(fixture('lvs-thick.txt'));
    expect(lvs.map((lv) => [lv.name, lv.size, lv.type, lv.tags, lv.ctime])).toEqual([
      ['vm-100-disk-0', 4194304, '-', ['pve-vm-100'], 1795681073],
      ['vm-101-disk-0', 33554432, '-', ['pve-vm-101'], 1795681073],
      ['swap', 8388608, '-', [], 1795681078],
      ['vm-100-disk-1', 12582912, '-', ['backup', 'pve-vm-100'], 1795681078],
    ]);
    const [first] = lvs;
    expect(first).toMatchObject({
      vg: 'hdtest',
      attr: '-wi-XX----',
      state: 'X',
      writable: true,
      activationSkip: false,
      uuid: 'z5h3zf-gWqi-YWdg-InAK-03Kf-mcZk-UJx6d9',
    });
    expect(first?.pool).toBeUndefined();
    expect(first?.used).toBeUndefined();
  });

  it('reads a thin layout: pool, thin volumes, read-only activation-skipped snapshots and bases', () => {
    const lvs = new Map(parseLvs(fixture('lvs-thin.txt')).map((lv) => [lv.name, lv]));
    expect(lvs.get('data')).toMatchObject({
      type: 't',
      size: 268435456,
      metadataSize: 4194304,
      used: 0,
      metadataUsed: 0,
      state: '-',
    });
    expect(lvs.get('vm-200-disk-0')).toMatchObject({ type: 'V', pool: 'data', writable: true, activationSkip: false });
    expect(lvs.get('snap_vm-200-disk-0_before')).toMatchObject({
      type: 'V',
      pool: 'data',
      writable: false,
      activationSkip: true,
      ctime: 1795681200,
    });
    expect(lvs.get('base-300-disk-0')).toMatchObject({ writable: false, activationSkip: true, size: 67108864 });
    // The pool's hidden internals are not in a non -a report.
    expect([...lvs.keys()].some((name) => name.startsWith('['))).toBe(false);
  });

  it('computes an active pool usage from data% (as PVE: percent of the pool size)', () => {
    const pool = parseLvs(fixture('lvs-thin-active.txt')).find((lv) => lv.name === 'data');
    expect(pool).toMatchObject({
      state: 'a',
      dataPercent: 37.5,
      metadataPercent: 10.25,
      used: 100663296,
      metadataUsed: 429916,
    });
    // Every line has the 12 columns asked for (a hand-written line with one ':' too many would shift them).
    expect(
      fixture('lvs-thin-active.txt')
        .trim()
        .split('\n')
        .every((line) => line.split(':').length === 12),
    ).toBe(true);
    expect(parseLvs(fixture('lvs-thin-active.txt')).find((lv) => lv.name === 'vm-200-disk-0')).toMatchObject({
      pool: 'data',
      dataPercent: 50,
    });
  });

  it('skips blank and malformed lines', () => {
    expect(parseLvs('\n  \n  onlyvg\n')).toEqual([]);
  });
});
