import { describe, expect, it } from 'vitest';
import { formatBytes, formatDateTime, formatDuration, formatPercent, formatRate, formatRelativeTime } from './format';

const GiB = 1024 ** 3;

describe('formatters', () => {
  it('formats sizes in binary units', () => {
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatBytes(1536, 'en')).toBe('1.5 KiB');
    expect(formatBytes(15.75 * GiB, 'en')).toBe('15.8 GiB');
    expect(formatBytes(512 * GiB, 'zh-CN')).toBe('512 GiB');
    expect(formatBytes(2048 * GiB, 'en')).toBe('2 TiB');
  });

  it('formats rates in decimal units', () => {
    expect(formatRate(999, 'en')).toBe('999 B/s');
    expect(formatRate(12_345_678, 'en')).toBe('12.3 MB/s');
    expect(formatRate(1_500, 'zh-CN')).toBe('1.5 kB/s');
  });

  it('formats percentages with a decimal only when small', () => {
    expect(formatPercent(0.0512, 'en')).toBe('5.1%');
    expect(formatPercent(0.456, 'zh-CN')).toBe('46%');
    expect(formatPercent(1, 'en')).toBe('100%');
  });

  it('formats durations as the two most significant units in both languages', () => {
    expect(formatDuration(0, 'en')).toBe('0s');
    expect(formatDuration(59, 'en')).toBe('59s');
    expect(formatDuration(3 * 86_400 + 4 * 3_600 + 12 * 60, 'en')).toBe('3d 4h');
    expect(formatDuration(3 * 86_400 + 4 * 3_600 + 12 * 60, 'zh-CN')).toBe('3天 4小时');
    expect(formatDuration(3_600 + 5, 'en')).toBe('1h'); // zero minutes are not shown
    expect(formatDuration(12 * 60 + 5, 'zh-CN')).toBe('12分 5秒');
  });

  it('formats relative time in both languages', () => {
    const now = Date.UTC(2025, 0, 1, 12);
    expect(formatRelativeTime(now - 5 * 60_000, now, 'en')).toBe('5 minutes ago');
    expect(formatRelativeTime(now - 5 * 60_000, now, 'zh-CN')).toBe('5分钟前');
    expect(formatRelativeTime(now - 3 * 3_600_000, now, 'en')).toBe('3 hours ago');
    expect(formatRelativeTime(now - 2 * 86_400_000, now, 'zh-CN')).toBe('前天');
    expect(formatRelativeTime(now - 10_000, now, 'en')).toBe('now');
  });

  it('formats absolute times as local yyyy-mm-dd hh:mm:ss', () => {
    const when = new Date(2025, 10, 26, 9, 3, 7).getTime();
    expect(formatDateTime(when)).toBe('2025-11-26 09:03:07');
  });
});
