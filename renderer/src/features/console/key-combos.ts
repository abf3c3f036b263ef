// The key combinations a console menu sends that the local OS or browser would otherwise keep for itself
// (Ctrl+Alt+Del, Ctrl+Alt+Fn to switch the guest's virtual terminals, Ctrl+Alt+Backspace to kill X).
// X11 keysyms and KeyboardEvent.code values, as noVNC's sendKey wants them.

export interface KeyStroke {
  keysym: number;
  code: string;
}

const CONTROL_L: KeyStroke = { keysym: 0xffe3, code: 'ControlLeft' };
const ALT_L: KeyStroke = { keysym: 0xffe9, code: 'AltLeft' };
const BACKSPACE: KeyStroke = { keysym: 0xff08, code: 'Backspace' };
const DELETE: KeyStroke = { keysym: 0xffff, code: 'Delete' };
/** XK_F1 is 0xffbe; F2… follow in order. */
const functionKey = (n: number): KeyStroke => ({ keysym: 0xffbe + n - 1, code: `F${n}` });

export type ComboId = 'ctrl-alt-del' | 'ctrl-alt-backspace' | `ctrl-alt-f${1 | 2 | 3 | 4 | 5 | 6 | 7}`;

export const combos: readonly { id: ComboId; keys: readonly KeyStroke[] }[] = [
  { id: 'ctrl-alt-del', keys: [CONTROL_L, ALT_L, DELETE] },
  { id: 'ctrl-alt-backspace', keys: [CONTROL_L, ALT_L, BACKSPACE] },
  ...([1, 2, 3, 4, 5, 6, 7] as const).map((n) => ({
    id: `ctrl-alt-f${n}` as const,
    keys: [CONTROL_L, ALT_L, functionKey(n)],
  })),
];

/** Press each key in order, then release them in reverse: how a person's fingers do it. */
export const strokes = (keys: readonly KeyStroke[]): { keysym: number; code: string; down: boolean }[] => [
  ...keys.map((k) => ({ ...k, down: true })),
  ...[...keys].reverse().map((k) => ({ ...k, down: false })),
];
