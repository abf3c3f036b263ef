import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../api/errors';
import { bindSourceProblem, checkBindSource, mountTargetProblem } from './paths';

const dir = mkdtempSync(join(tmpdir(), 'hd-ct-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errorOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('container mount path safety', () => {
  it('accepts ordinary mount points and bind sources', () => {
    expect(mountTargetProblem('/srv/data')).toBeUndefined();
    expect(mountTargetProblem('/devices')).toBeUndefined(); // a sibling of /dev, not under it
    expect(bindSourceProblem('/srv/builds')).toBeUndefined();
    expect(bindSourceProblem('/system')).toBeUndefined();
  });

  it('refuses a bind source whose realpath (a symlink on the node) leads into /proc, /sys or /dev', () => {
    mkdirSync(join(dir, 'real'));
    symlinkSync('/proc/self', join(dir, 'innocent'));
    symlinkSync('/sys/kernel', join(dir, 'kernel'));
    symlinkSync('/dev', join(dir, 'devices'));
    symlinkSync(join(dir, 'real'), join(dir, 'fine'));
    for (const link of ['innocent', 'kernel', 'devices']) {
      const source = join(dir, link);
      expect(bindSourceProblem(source)).toBeUndefined(); // the text looks harmless…
      const error = errorOf(() => checkBindSource(realpathSync(source), 'mp0')); // …the resolved path does not
      expect(isAppError(error, 'invalid-params') && error.message).toMatch(
        /^mp0: the bind source resolves to \/(proc|sys|dev)/,
      );
    }
    expect(errorOf(() => checkBindSource(realpathSync(join(dir, 'fine')), 'mp0'))).toBeUndefined();
  });
});
