import { describe, expect, it } from 'vitest';
import { isAppError } from '../../node-agent/src/api/errors';
import { findEnd, indexOfBytes, MARKERS, printMarker, TerminalDriver } from './terminal-driver';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('finding markers in output chunks', () => {
  it('finds a needle after a partial match and past the start offset', () => {
    expect(indexOfBytes(bytes('HD_HD_END'), bytes('HD_END'))).toBe(3);
    expect(indexOfBytes(bytes('HD_END HD_END'), bytes('HD_END'), 1)).toBe(7);
    expect(indexOfBytes(bytes('HD_EN'), bytes('HD_END'))).toBe(-1);
  });

  it('finds a marker split across two chunks, and only ends that fall in the new chunk', () => {
    expect(findEnd(bytes('xxHD_E'), bytes('ND\r\n'), bytes('HD_END'))).toBe(2);
    expect(findEnd(bytes('HD_END'), bytes('abc'), bytes('HD_END'))).toBe(-1);
    expect(findEnd(bytes(''), bytes('aHD_ENDb'), bytes('HD_END'))).toBe(7);
  });

  it('types markers so that the echoed command line never contains them', () => {
    expect(printMarker(MARKERS.end)).toBe('echo HD_""END');
    expect(printMarker(MARKERS.end)).not.toContain(MARKERS.end);
  });
});

/** A fake terminal: what is typed comes back as `reply` would produce it, in the chunks given. */
const driverWith = (reply: (typed: string) => string[]) => {
  let clock = 0;
  const counted: number[] = [];
  const pending: (() => void)[] = [];
  const driver: TerminalDriver = new TerminalDriver(
    (typed) =>
      queueMicrotask(() => {
        for (const chunk of reply(typed)) {
          clock += 10;
          pending.push(driver.arrived(bytes(chunk)));
        }
        // The renderer catches up 5 ms after the last chunk.
        clock += 5;
        for (const rendered of pending.splice(0)) rendered();
      }),
    (chunk) => counted.push(chunk.length),
    () => clock,
  );
  return { driver, counted };
};

describe('TerminalDriver', () => {
  it('measures the output between the begin and end markers, counting whole chunks', async () => {
    const { driver, counted } = driverWith(() => [
      'echo HD_""BEGIN…\r\n',
      'HD_BEGIN\r\nAAAA',
      'AAAA\r\n',
      'AAAA\r\nHD_',
      'END\r\n$ ',
    ]);
    const marks = await driver.throughput('head -c 9 /dev/zero | base64', 1000);
    expect(marks.sent).toBe(0);
    expect(marks.begin).toEqual({ arrived: 20, rendered: 55 });
    expect(marks.end).toEqual({ arrived: 50, rendered: 55 });
    expect(marks.bytes).toBe('HD_BEGIN\r\nAAAA'.length + 'AAAA\r\n'.length + 'AAAA\r\nHD_'.length + 'END\r\n$ '.length);
    expect(counted).toHaveLength(4);
  });

  it('times each key to its echo', async () => {
    const { driver } = driverWith((typed) => [typed]);
    const times = await driver.echo(3, 0);
    expect(times.arrived).toEqual([10, 10, 10]);
    expect(times.rendered).toEqual([15, 15, 15]);
  });

  it('types the ready command again when what was typed first was lost (lxc-attach flushes early input)', async () => {
    let attempts = 0;
    const { driver } = driverWith(() => (++attempts === 1 ? [] : ['HD_READY\r\n']));
    await driver.ready(1000, 20);
    expect(attempts).toBe(2);
  });

  it('fails with a timeout naming the marker when the output never shows it', async () => {
    const { driver } = driverWith(() => ['nothing here']);
    const error: unknown = await driver.ready(50).catch((e: unknown) => e);
    expect(isAppError(error, 'timeout')).toBe(true);
    expect((error as Error).message).toMatch(/HD_READY/);
  });
});
