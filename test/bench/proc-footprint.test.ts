import { describe, expect, it } from 'vitest';
import { cpuTicks, kiBField, measureFootprints, readMemory } from './proc-footprint';

// Captured from a real /proc (Debian 12, kernel 6.1).
const STATUS = 'Name:\tcat\nVmHWM:\t    2116 kB\nVmRSS:\t    2116 kB\nRssAnon:\t     156 kB\nRssFile:\t    1960 kB\n';
const ROLLUP = [
  '55df02a52000-7ffdc6872000 ---p 00000000 00:00 0                          [rollup]',
  'Rss:                1756 kB',
  'Pss:                 192 kB',
  'Pss_Dirty:           116 kB',
  'Pss_Anon:            116 kB',
].join('\n');
const STAT =
  '18129 (cat) R 18127 18127 13657 0 -1 4194304 100 0 0 0 7 3 0 0 20 0 1 0 146832 3133440 407 18446744073709551615 0 0 0 0 0';

describe('reading /proc', () => {
  it('takes the named kB field, not one that merely starts with its name', () => {
    expect(kiBField(STATUS, 'VmRSS')).toBe(2116);
    expect(kiBField(STATUS, 'RssAnon')).toBe(156);
    expect(kiBField(ROLLUP, 'Pss')).toBe(192);
    expect(kiBField(ROLLUP, 'Pss_Anon')).toBe(116);
    expect(kiBField(STATUS, 'VmSwap')).toBeUndefined();
  });

  it('adds utime and stime from stat, whatever the process name holds', () => {
    expect(cpuTicks(STAT)).toBe(10);
    expect(cpuTicks(STAT.replace('(cat)', '(a (weird) name)'))).toBe(10);
  });

  it('measures this very process: non-zero memory, PSS not above RSS, anon not above RSS', async () => {
    const memory = await readMemory(process.pid);
    expect(memory.rssKiB).toBeGreaterThan(1000);
    expect(memory.pssKiB).toBeLessThanOrEqual(memory.rssKiB);
    expect(memory.anonKiB).toBeLessThanOrEqual(memory.rssKiB);
  });

  it('sees a busy process use CPU over a window', async () => {
    let spin = true;
    const busy = (async () => {
      while (spin) {
        const until = performance.now() + 20;
        while (performance.now() < until);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const [self] = await measureFootprints([process.pid], 600, 200);
    spin = false;
    await busy;
    expect(self?.samples).toBeGreaterThanOrEqual(3);
    expect(self?.cpuPercent).toBeGreaterThan(30);
  });
});
