// The container benchmark's reference: a template started by hand with LXC's own tools, as a person would without
// the app — unpack the tarball into a folder (through the user namespace for an unprivileged container), write a
// minimal config, lxc-start -d, lxc-wait RUNNING, lxc-attach -- true — and removed again (lxc-stop -k, rm -rf).
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runChecked } from '../../node-agent/src/exec/run';

/** PVE's default map for an unprivileged container (and what the agent's install gives root on the lab node). */
const ID_BASE = 100_000;
const ID_COUNT = 65_536;
const NAME = 'hd-bench-ref';
const LXC_CONFIG_DIR = '/usr/share/lxc/config';
const TIMEOUT_MS = 300_000;

export interface ReferenceTimes {
  /** Seconds from the start to the rootfs unpacked, and to `true` having run inside the started container. */
  unpacked: number;
  answered: number;
}

const minimalConfig = (rootfs: string, unprivileged: boolean): string =>
  [
    `lxc.uts.name = ${NAME}`,
    `lxc.rootfs.path = dir:${rootfs}`,
    `lxc.include = ${LXC_CONFIG_DIR}/common.conf`,
    ...(unprivileged
      ? [
          `lxc.include = ${LXC_CONFIG_DIR}/userns.conf`,
          `lxc.idmap = u 0 ${ID_BASE} ${ID_COUNT}`,
          `lxc.idmap = g 0 ${ID_BASE} ${ID_COUNT}`,
        ]
      : []),
    // Its own network namespace with only loopback: the app's containers in the benchmark have no NIC either.
    'lxc.net.0.type = empty',
    '',
  ].join('\n');

/**
 * Unpack `template` under `dir` (which must be traversable by uid 100000 for an unprivileged container), start it,
 * run `true` in it, then remove it; the times exclude the removal.
 */
export const startByHand = async (template: string, dir: string, unprivileged: boolean): Promise<ReferenceTimes> => {
  const lxc = ['-P', dir, '-n', NAME];
  const rootfs = join(dir, NAME, 'rootfs');
  await rm(dir, { recursive: true, force: true });
  await mkdir(rootfs, { recursive: true, mode: 0o755 });
  try {
    const started = performance.now();
    if (unprivileged) {
      await chown(rootfs, ID_BASE, ID_BASE);
      const map = `b:0:${ID_BASE}:${ID_COUNT}`;
      await runChecked('lxc-usernsexec', ['-m', map, '--', 'tar', '-xpf', template, '--numeric-owner', '-C', rootfs], {
        timeoutMs: TIMEOUT_MS,
      });
    } else await runChecked('tar', ['-xpf', template, '--numeric-owner', '-C', rootfs], { timeoutMs: TIMEOUT_MS });
    const unpacked = performance.now();
    await writeFile(join(dir, NAME, 'config'), minimalConfig(rootfs, unprivileged));
    await runChecked('lxc-start', [...lxc, '-d', '-l', 'INFO', '-o', join(dir, 'start.log')], {
      timeoutMs: TIMEOUT_MS,
    });
    await runChecked('lxc-wait', [...lxc, '-s', 'RUNNING', '-t', '60'], { timeoutMs: 70_000 });
    await runChecked('lxc-attach', [...lxc, '--', 'true'], { timeoutMs: 60_000 });
    const answered = performance.now();
    return { unpacked: (unpacked - started) / 1000, answered: (answered - started) / 1000 };
  } finally {
    await runChecked('lxc-stop', [...lxc, '-k'], { timeoutMs: 60_000 }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
};
