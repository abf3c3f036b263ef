// Boots the test guest under QEMU (TCG, no network beyond a restricted user-mode NIC) and reads its serial port.
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, type RunResult } from '../../node-agent/src/exec/run';
import { tempDirForTest } from '../../node-agent/src/fs/temp-dir';
import { buildSeedIso, noCloudDocuments } from '../../node-agent/src/vm/cloudinit';
import { pollUntil } from '../lab/processes';
import {
  buildGuestImage,
  counterValues,
  GUEST_BANNER,
  GUEST_KERNEL_CMDLINE,
  HOSTNAME_LINE,
  netAddresses,
  POWEROFF_LINE,
  SEED_LINE,
  type GuestImage,
} from './guest-image';

const BOOT_DEADLINE_MS = 90_000;
const MAC = 'bc:24:11:5e:ed:01';

interface Guest {
  serialLog: string;
  qmpSocket: string;
  exited: Promise<RunResult | Error>;
  /** How QEMU ended, once it has. */
  result: () => RunResult | Error | undefined;
  stop: () => void;
  serial: () => Promise<string>;
}

/** Start QEMU the way the brief's check does; the guest is killed when the test ends if it is still running. */
const boot = (dir: string, machineArgs: string[]): Guest => {
  const serialLog = join(dir, 'serial.log');
  const qmpSocket = join(dir, 'qmp.sock');
  const controller = new AbortController();
  const args = [
    ...['-accel', 'tcg', '-m', '256', '-nodefaults', '-display', 'none'],
    ...['-serial', `file:${serialLog}`, '-qmp', `unix:${qmpSocket},server=on,wait=off`],
    ...['-netdev', 'user,id=n0,restrict=on', '-device', `virtio-net-pci,netdev=n0,mac=${MAC}`],
    ...machineArgs,
  ];
  const exited = run('qemu-system-x86_64', args, { timeoutMs: 5 * BOOT_DEADLINE_MS, signal: controller.signal }).catch(
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  let ended: RunResult | Error | undefined;
  void exited.then((value) => (ended = value));
  const guest: Guest = {
    serialLog,
    qmpSocket,
    exited,
    result: () => ended,
    stop: () => controller.abort(),
    serial: () => readFile(serialLog, 'utf8').catch(() => ''),
  };
  return guest;
};

const waitForSerial = (guest: Guest, what: string, check: (serial: string) => boolean): Promise<string> =>
  pollUntil(
    what,
    async () => {
      const text = await guest.serial();
      return check(text) ? text : undefined;
    },
    BOOT_DEADLINE_MS,
    200,
  );

/** One QMP command after the capabilities handshake; resolves once QEMU answered it. */
const qmp = (socket: string, command: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const conn = connect(socket);
    let buffer = '';
    let step = 0;
    conn.setEncoding('utf8');
    conn.on('error', reject);
    conn.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const message = JSON.parse(buffer.slice(0, nl)) as {
          QMP?: unknown;
          return?: unknown;
          error?: { desc: string };
        };
        buffer = buffer.slice(nl + 1);
        if (message.error) return reject(new Error(message.error.desc));
        if (step === 0 && message.QMP) conn.write(`${JSON.stringify({ execute: 'qmp_capabilities' })}\n`);
        else if (step === 1 && message.return) conn.write(`${JSON.stringify({ execute: command })}\n`);
        else if (step === 2 && message.return) {
          conn.end();
          return resolve();
        } else continue;
        step += 1;
      }
    });
  });

describe('test guest image', () => {
  let image: GuestImage;
  beforeAll(async () => {
    image = await buildGuestImage();
  }, 300_000);

  it(
    'boots from the ISO, takes its address from a NoCloud seed, counts, and powers off on the ACPI button',
    async () => {
      const dir = await tempDirForTest('hd-guest-');
      const seed = join(dir, 'seed.iso');
      await buildSeedIso(
        noCloudDocuments({
          vmid: 150,
          name: 'guest150',
          macs: { net0: MAC },
          keys: { ipconfig0: 'ip=198.18.0.50/24,gw=198.18.0.1' },
        }),
        seed,
      );
      const guest = boot(dir, [
        '-cdrom',
        image.iso,
        '-drive',
        `file=${seed},media=cdrom,if=ide,index=3,readonly=on`,
        '-boot',
        'd',
      ]);
      try {
        const serial = await waitForSerial(
          guest,
          'banner, address and two counter lines',
          (text) => text.includes(GUEST_BANNER) && counterValues(text).length >= 2,
        );
        expect(counterValues(serial).slice(0, 2)).toEqual([0, 1]);
        expect(serial).toMatch(SEED_LINE);
        expect(serial.match(HOSTNAME_LINE)?.[1]).toBe('guest150');
        expect(netAddresses(serial)).toEqual([{ iface: 'eth0', cidr: '198.18.0.50/24', source: 'nocloud' }]);

        await qmp(guest.qmpSocket, 'system_powerdown');
        const result = await pollUntil(
          'QEMU to exit after system_powerdown',
          () => Promise.resolve(guest.result()),
          BOOT_DEADLINE_MS,
          200,
        );
        expect(result).toMatchObject({ code: 0 });
        expect(await guest.serial()).toContain(POWEROFF_LINE);
      } finally {
        guest.stop();
        await guest.exited;
      }
    },
    4 * BOOT_DEADLINE_MS,
  );

  it(
    'boots the kernel directly and takes its address from hd.ip on the command line',
    async () => {
      const dir = await tempDirForTest('hd-guest-');
      const guest = boot(dir, [
        '-kernel',
        image.kernel,
        '-initrd',
        image.initrd,
        '-append',
        `${GUEST_KERNEL_CMDLINE} hd.ip=198.18.0.60/24`,
      ]);
      try {
        const serial = await waitForSerial(
          guest,
          'an address from the command line',
          (text) => netAddresses(text).length > 0 && counterValues(text).length >= 2,
        );
        expect(serial).toContain(GUEST_BANNER);
        expect(serial).not.toMatch(SEED_LINE);
        expect(netAddresses(serial)).toEqual([{ iface: 'eth0', cidr: '198.18.0.60/24', source: 'cmdline' }]);
      } finally {
        guest.stop();
        await guest.exited;
      }
    },
    2 * BOOT_DEADLINE_MS,
  );
});
