// How `hdctl ct enter` on the workstation reads the shell's exit code from the console bridge's close.
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from './ct-enter-console';

describe('ct enter over the console bridge', () => {
  it('reads a normal close as 0 and the relay exit code from a node-side close', () => {
    expect(exitCodeOf(1000, '')).toBe(0);
    expect(exitCodeOf(4000, 'the console relay on the node exited with code 3')).toBe(3);
    expect(exitCodeOf(4000, 'error (not-found): CT 230 is not running — start it first')).toBe(1);
    expect(exitCodeOf(1006, '')).toBe(1);
  });
});
