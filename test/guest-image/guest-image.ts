// The Hyperdesk test guest (built by build.sh): where it lands, how to build it, and the serial lines it prints,
// so tests wait for the same text the guest's init writes.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../node-agent/src/api/errors';
import { runChecked } from '../../node-agent/src/exec/run';

const here = fileURLToPath(new URL('.', import.meta.url));

/** VERSION is the one definition; build.sh bakes it into the guest's banner. */
export const GUEST_IMAGE_VERSION = readFileSync(join(here, 'VERSION'), 'utf8').trim();

/** Printed once on serial (ttyS0) and on the VGA console (tty0) when init has loaded its drivers. */
export const GUEST_BANNER = `Hyperdesk test guest ${GUEST_IMAGE_VERSION} booted`;

/** Every 0.5 s on serial; the count lives in RAM only, so after a RAM-snapshot rollback it continues from the snapshot. */
// Not anchored at the line start: the serial shell's prompt can precede it on the same line.
export const COUNTER_LINE = /counter: (\d+)\r?$/gm;

/** One per address the guest configured: `hd-net: eth0 198.18.0.50/24 source=nocloud|cmdline|dhcp`, or `hd-net: none`. */
export const NET_LINE = /^hd-net: (\S+) (\S+) source=(nocloud|cmdline|dhcp)\r?$/gm;

/** Printed when a NoCloud seed was found, and the hostname taken from its meta-data. */
export const SEED_LINE = /^hd-seed: (\S+)\r?$/m;
export const HOSTNAME_LINE = /^hd-hostname: (\S+)\r?$/m;

/** Printed by init's shutdown action, on `poweroff` in the guest and on the ACPI power button (QMP system_powerdown). */
export const POWEROFF_LINE = 'hd: powering off';

/** The kernel command line of the ISO; add `hd.ip=CIDR hd.gw=IP` on a direct -kernel boot to set an address. */
export const GUEST_KERNEL_CMDLINE = 'console=tty0 console=ttyS0,115200';

export interface GuestImage {
  iso: string;
  kernel: string;
  initrd: string;
}

export const defaultGuestImageDir = (): string => resolve(here, '../../test-results/guest-image');

export const guestImagePaths = (outDir: string = defaultGuestImageDir()): GuestImage => ({
  iso: join(outDir, 'hyperdesk-test-guest.iso'),
  kernel: join(outDir, 'vmlinuz'),
  initrd: join(outDir, 'initrd.gz'),
});

/** Build (or reuse an up-to-date build of) the guest image; the first build downloads the kernel .deb. */
export const buildGuestImage = async (
  outDir: string = defaultGuestImageDir(),
  signal?: AbortSignal,
): Promise<GuestImage> => {
  const { stdout } = await runChecked(join(here, 'build.sh'), [outDir], {
    timeoutMs: 300_000,
    ...(signal ? { signal } : {}),
  });
  const paths = guestImagePaths(outDir);
  if (stdout.trim() !== paths.iso)
    throw new AppError('internal-error', `build.sh printed ${stdout.trim()}, expected ${paths.iso}`);
  return paths;
};

/** The counter values printed so far, in order. */
export const counterValues = (serial: string): number[] => [...serial.matchAll(COUNTER_LINE)].map((m) => Number(m[1]));

/** The addresses configured so far: interface, CIDR and where the guest took it from. */
export const netAddresses = (serial: string): { iface: string; cidr: string; source: string }[] =>
  [...serial.matchAll(NET_LINE)].map((m) => ({ iface: m[1] ?? '', cidr: m[2] ?? '', source: m[3] ?? '' }));
