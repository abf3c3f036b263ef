import { describe, expect, it } from 'vitest';
import {
  clampFontSize,
  FONT_SIZE_DEFAULT,
  FONT_SIZE_MAX,
  FONT_SIZE_MIN,
  initialFontSize,
  rememberFontSize,
  stepFontSize,
} from './font-size';

describe('terminal font size', () => {
  it('steps by one within the bounds and resets to the default', () => {
    expect(stepFontSize(14, 1)).toBe(15);
    expect(stepFontSize(14, -1)).toBe(13);
    expect(stepFontSize(FONT_SIZE_MAX, 1)).toBe(FONT_SIZE_MAX);
    expect(stepFontSize(FONT_SIZE_MIN, -1)).toBe(FONT_SIZE_MIN);
    expect(stepFontSize(27, 0)).toBe(FONT_SIZE_DEFAULT);
  });

  it('turns anything into a whole size within the bounds', () => {
    expect(clampFontSize(3)).toBe(FONT_SIZE_MIN);
    expect(clampFontSize(400)).toBe(FONT_SIZE_MAX);
    expect(clampFontSize(12.6)).toBe(13);
    expect(clampFontSize(Number.NaN)).toBe(FONT_SIZE_DEFAULT);
  });

  it('starts new terminals with the size remembered in the session', () => {
    const items = new Map<string, string>();
    const storage = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
    };
    expect(initialFontSize(storage)).toBe(FONT_SIZE_DEFAULT);
    rememberFontSize(18, storage);
    expect(initialFontSize(storage)).toBe(18);
    items.set('hyperdesk.terminal.fontSize', 'huge');
    expect(initialFontSize(storage)).toBe(FONT_SIZE_DEFAULT);
    items.set('hyperdesk.terminal.fontSize', '99');
    expect(initialFontSize(storage)).toBe(FONT_SIZE_MAX);
  });
});
