import { describe, expect, it } from 'vitest';
import { terminalKeyAction } from './terminal-keys';

const key = (k: string, mods: { ctrl?: boolean; shift?: boolean; meta?: boolean; alt?: boolean } = {}) => ({
  key: k,
  ctrlKey: mods.ctrl ?? false,
  shiftKey: mods.shift ?? false,
  metaKey: mods.meta ?? false,
  altKey: mods.alt ?? false,
});

describe('terminal key combinations', () => {
  it('leaves Ctrl+C and Ctrl+V to the shell on Linux and Windows', () => {
    expect(terminalKeyAction(key('c', { ctrl: true }), false)).toBeUndefined();
    expect(terminalKeyAction(key('v', { ctrl: true }), false)).toBeUndefined();
    expect(terminalKeyAction(key('f', { ctrl: true }), false)).toBeUndefined();
  });

  it('copies, pastes and finds with Ctrl+Shift (Cmd on macOS)', () => {
    expect(terminalKeyAction(key('C', { ctrl: true, shift: true }), false)).toBe('copy');
    expect(terminalKeyAction(key('V', { ctrl: true, shift: true }), false)).toBe('paste');
    expect(terminalKeyAction(key('F', { ctrl: true, shift: true }), false)).toBe('search');
    expect(terminalKeyAction(key('c', { meta: true }), true)).toBe('copy');
    expect(terminalKeyAction(key('c', { ctrl: true }), true)).toBeUndefined();
    expect(terminalKeyAction(key('C', { ctrl: true, shift: true, alt: true }), false)).toBeUndefined();
  });

  it('zooms with Ctrl and =, - and 0', () => {
    expect(terminalKeyAction(key('=', { ctrl: true }), false)).toBe('font-bigger');
    expect(terminalKeyAction(key('+', { ctrl: true, shift: true }), false)).toBe('font-bigger');
    expect(terminalKeyAction(key('-', { ctrl: true }), false)).toBe('font-smaller');
    expect(terminalKeyAction(key('0', { ctrl: true }), false)).toBe('font-reset');
    expect(terminalKeyAction(key('0', {}), false)).toBeUndefined();
  });
});
