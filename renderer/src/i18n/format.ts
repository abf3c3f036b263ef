// Numbers, sizes, rates, durations and times as an admin reads them, in either language.
import { localeOf, translate, type Language } from './translate';

const numberFormats = new Map<string, Intl.NumberFormat>();
function formatNumber(value: number, language: Language, digits: number, fixed = false): string {
  const cacheKey = `${language}:${digits}:${fixed}`;
  let format = numberFormats.get(cacheKey);
  if (format === undefined) {
    format = new Intl.NumberFormat(localeOf(language), {
      maximumFractionDigits: digits,
      minimumFractionDigits: fixed ? digits : 0,
    });
    numberFormats.set(cacheKey, format);
  }
  return format.format(value);
}

// Three significant figures at most: 1.23, 12.3, 123.
const digitsFor = (value: number): number => (value >= 100 ? 0 : value >= 10 ? 1 : 2);

function scaled(value: number, base: number, units: readonly string[], language: Language): string {
  let unit = 0;
  let scaledValue = Math.abs(value);
  while (scaledValue >= base && unit < units.length - 1) {
    scaledValue /= base;
    unit++;
  }
  const sign = value < 0 ? '-' : '';
  return `${sign}${formatNumber(scaledValue, language, unit === 0 ? 0 : digitsFor(scaledValue))} ${units[unit]}`;
}

/** Memory and disk sizes in binary units (GiB), as `free -h` and PVE show them. */
export const formatBytes = (bytes: number, language: Language): string =>
  scaled(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'], language);

/** Transfer rates in decimal units (MB/s), as network and disk tools show them. */
export const formatRate = (bytesPerSecond: number, language: Language): string =>
  scaled(bytesPerSecond, 1000, ['B/s', 'kB/s', 'MB/s', 'GB/s', 'TB/s'], language);

/** A 0..1 fraction as a percentage with one decimal below 10 %. */
export function formatPercent(fraction: number, language: Language): string {
  const percent = fraction * 100;
  return `${formatNumber(percent, language, percent < 10 ? 1 : 0)}%`;
}

/** A duration in seconds as its two most significant units: `3d 4h`, `4h 12m`, `12m 5s`, `5s` (or 天/小时/分/秒). */
export function formatDuration(seconds: number, language: Language): string {
  const total = Math.max(0, Math.floor(seconds));
  const parts: [number, 'unit.day' | 'unit.hour' | 'unit.minute' | 'unit.second'][] = [
    [Math.floor(total / 86_400), 'unit.day'],
    [Math.floor((total % 86_400) / 3_600), 'unit.hour'],
    [Math.floor((total % 3_600) / 60), 'unit.minute'],
    [total % 60, 'unit.second'],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  if (first === -1) return translate(language, 'unit.second', { n: 0 });
  const shown = parts.slice(first, first + 2).filter(([value], index) => index === 0 || value > 0);
  return shown.map(([value, key]) => translate(language, key, { n: value })).join(' ');
}

const relativeFormats = new Map<Language, Intl.RelativeTimeFormat>();
/** `5 minutes ago` / `5分钟前`, relative to `now` (both in ms since the epoch). */
export function formatRelativeTime(then: number, now: number, language: Language): string {
  let format = relativeFormats.get(language);
  if (format === undefined) {
    format = new Intl.RelativeTimeFormat(localeOf(language), { numeric: 'auto' });
    relativeFormats.set(language, format);
  }
  const seconds = Math.round((then - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return format.format(0, 'second');
  if (abs < 2_700) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 64_800) return format.format(Math.round(seconds / 3_600), 'hour');
  if (abs < 2_592_000) return format.format(Math.round(seconds / 86_400), 'day');
  if (abs < 31_536_000) return format.format(Math.round(seconds / 2_592_000), 'month');
  return format.format(Math.round(seconds / 31_536_000), 'year');
}

const pad = (value: number): string => String(value).padStart(2, '0');
/** Local time as `2025-11-26 14:03:09`: unambiguous in both languages and dense, as PVE's task list shows it. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A plain decimal number; `fixed` keeps trailing zeros so columns of figures line up (load averages). */
export const formatDecimal = (value: number, language: Language, digits = 2, fixed = false): string =>
  formatNumber(value, language, digits, fixed);
