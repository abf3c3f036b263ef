// Hyperdesk's container templates (built by build.sh): where they land and how to build them, so tests and the lab
// create containers from the same files.
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../node-agent/src/api/errors';
import { runChecked } from '../../node-agent/src/exec/run';

const here = fileURLToPath(new URL('.', import.meta.url));

/** VERSION is the one definition; build.sh puts it in the file names and in the rootfs's /etc/hd-template-version. */
export const CT_TEMPLATE_VERSION = readFileSync(join(here, 'VERSION'), 'utf8').trim();

/** Printed on the container's console by the busybox template's rcS once it has started. */
export const BUSYBOX_BANNER = `Hyperdesk busybox container ${CT_TEMPLATE_VERSION} booted`;

/** Printed by rcS per configured address (`hd-net: eth0 198.18.0.10/24`), or `hd-net: none`. */
export const CT_NET_LINE = /^hd-net: (\S+)(?: (\S+))?\r?$/gm;

export type CtTemplateKind = 'busybox' | 'debian';

export const defaultCtTemplateDir = (): string => resolve(here, '../../test-results/ct-templates');

/**
 * Build (or reuse an up-to-date build of) one template; resolves with the paths build.sh printed, the preferred
 * (.tar.gz for busybox, .tar.zst/.tar.xz for Debian) first. `debian` runs debootstrap: minutes, root, Debian's mirror.
 */
export const buildCtTemplate = async (
  kind: CtTemplateKind,
  outDir: string = defaultCtTemplateDir(),
  signal?: AbortSignal,
): Promise<string[]> => {
  const { stdout } = await runChecked(join(here, 'build.sh'), [kind, outDir], {
    timeoutMs: kind === 'debian' ? 1_800_000 : 120_000,
    ...(signal ? { signal } : {}),
  });
  const paths = stdout.split('\n').filter(Boolean);
  const expected = kind === 'busybox' ? /^busybox-[\d.]+-hyperdesk_\d+_amd64\.tar\.(gz|zst)$/ : /^debian-12-hyperdesk_[\d.]+-\d+_amd64\.tar\.(zst|xz)$/;
  if (paths.length === 0 || !paths.every((path) => expected.test(basename(path))))
    throw new AppError('internal-error', `build.sh ${kind} printed ${stdout.trim() || 'nothing'}, expected template paths`);
  return paths;
};
