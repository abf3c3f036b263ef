import { describe, expect, it } from 'vitest';
import { combos, strokes } from './key-combos';

describe('key combos', () => {
  it('uses the X11 keysyms noVNC sends (F1 = 0xffbe … F7 = 0xffc4)', () => {
    const f7 = combos.find((c) => c.id === 'ctrl-alt-f7')!;
    expect(f7.keys.map((k) => k.keysym)).toEqual([0xffe3, 0xffe9, 0xffc4]);
    expect(combos.find((c) => c.id === 'ctrl-alt-f1')!.keys[2]).toEqual({ keysym: 0xffbe, code: 'F1' });
    expect(combos.map((c) => c.id)).toHaveLength(9);
  });

  it('presses in order and releases in reverse', () => {
    const del = combos.find((c) => c.id === 'ctrl-alt-del')!;
    expect(strokes(del.keys).map((s) => `${s.code}${s.down ? '↓' : '↑'}`)).toEqual([
      'ControlLeft↓',
      'AltLeft↓',
      'Delete↓',
      'Delete↑',
      'AltLeft↑',
      'ControlLeft↑',
    ]);
  });
});
