import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../api/errors';
import { runChecked, run } from '../exec/run';
import { compileQemuCommand, netPlumbing, type CompileEnv } from './command-line';
import { currentOf, parseVmConf } from './config/conf-document';
import { driveKeyOf } from './config/drive';
import { FIXTURE_NAMES, fixtureText, type FixtureName } from './config/fixtures';
import { typedConfig, type VmConfig } from './config/typed';
import { vmRunPaths } from './run-paths';

const vmOf = (name: FixtureName): VmConfig => typedConfig(currentOf(parseVmConf(fixtureText(name))).values);

/** Every drive with a volume resolved to a stable fake path (what the storage layer hands the compiler). */
const envFor = (vm: VmConfig, overrides: Partial<CompileEnv> = {}): CompileEnv => {
  const drives: Record<string, { path: string; format: string }> = {};
  for (const [key, value] of Object.entries(vm.values))
    if (driveKeyOf(key) && !value.startsWith('none'))
      drives[key] = { path: `/dev/fake/${key}`, format: value.includes('.qcow2') ? 'qcow2' : 'raw' };
  return {
    vmid: 100,
    node: 'pve1',
    accel: 'kvm',
    runPaths: vmRunPaths({ run: '/run/hyperdesk' }, 100),
    drives,
    cloudinitIso: '/run/hyperdesk/qemu-server/100.cloudinit.iso',
    ...overrides,
  };
};

const thrown = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};

describe('compileQemuCommand', () => {
  it.each(FIXTURE_NAMES.filter((name) => name !== 'template'))('plan: %s compiles to the recorded argv', (name) => {
    const vm = vmOf(name);
    expect(compileQemuCommand(vm, envFor(vm)).join('\n')).toMatchSnapshot();
  });

  it('opens VNC and serial consoles on unix sockets only, never on TCP', () => {
    const displays = FIXTURE_NAMES.filter((n) => n !== 'template').map((name) => {
      const vm = vmOf(name);
      const argv = compileQemuCommand(vm, envFor(vm));
      expect(argv.join(' ')).not.toMatch(/tcp:|,host=|,port=|:59\d\d/);
      return argv.flatMap((arg, i) => (arg === '-vnc' || arg === '-display' ? [`${arg} ${argv[i + 1] ?? ''}`] : []));
    });
    const vnc = '-vnc unix:/run/hyperdesk/qemu-server/100.vnc';
    // debian, windows11, snapshots-pending, linked-clone, router: the serial-console VMs have no VNC at all
    expect(displays).toEqual([['-display none'], [vnc], [vnc], ['-display none'], ['-display none']]);
  });

  it('maps host to max under TCG and keeps vhost for KVM virtio NICs only', () => {
    const vm = vmOf('windows11');
    const tcg = compileQemuCommand(vm, envFor(vm, { accel: 'tcg' }));
    expect(tcg[tcg.indexOf('-cpu') + 1]).toBe('max');
    expect(tcg[tcg.indexOf('-machine') + 1]).toBe('type=pc-q35-8.1,accel=tcg,smm=on');
    const router = vmOf('router');
    const kvm = compileQemuCommand(router, envFor(router)).filter((arg) => arg.startsWith('tap,'));
    expect(kvm).toEqual([
      'tap,id=net0,ifname=tap100i0,script=no,downscript=no,vhost=on',
      'tap,id=net1,ifname=tap100i1,script=no,downscript=no,vhost=on,queues=2',
      'tap,id=net2,ifname=tap100i2,script=no,downscript=no',
      'tap,id=net3,ifname=tap100i3,script=no,downscript=no,vhost=on',
    ]);
    expect(netPlumbing(router, { vmid: 100 })[2]).toEqual({
      key: 'net2',
      tap: 'tap100i2',
      bridge: 'vmbr1',
      tag: 30,
      firewall: true,
      rateMBps: 12.5,
      linkDown: false,
    });
  });

  it('refuses what it cannot compile, naming the key', () => {
    const template = vmOf('template');
    expect((thrown(() => compileQemuCommand(template, envFor(template))) as Error).message).toBe(
      'template: a template cannot be started — clone it',
    );
    const debian = vmOf('debian-cloudinit');
    const noIso = thrown(() =>
      compileQemuCommand(debian, { ...envFor(debian), cloudinitIso: undefined } as unknown as CompileEnv),
    );
    expect(isAppError(noIso, 'not-supported') && noIso.message).toBe(
      'ide2: the cloud-init drive has not been generated (no cloudinitIso)',
    );
    const unresolved = thrown(() => compileQemuCommand(debian, envFor(debian, { drives: {} })));
    expect(isAppError(unresolved, 'invalid-params') && unresolved.details?.key).toBe('scsi0');
    const gl = typedConfig({ vga: 'virtio-gl' });
    expect((thrown(() => compileQemuCommand(gl, envFor(gl))) as Error).message).toMatch(/^vga: /);
    const win = vmOf('windows11');
    expect((thrown(() => compileQemuCommand(win, envFor(win, { qemuVersion: '7.2.22' }))) as Error).message).toBe(
      'machine: pc-q35-8.1 needs QEMU 8.1 or newer; this node has 7.2.22',
    );
    const ovmf = typedConfig({ bios: 'ovmf' });
    expect((thrown(() => compileQemuCommand(ovmf, envFor(ovmf))) as Error).message).toMatch(
      /^bios: ovmf needs an EFI vars disk/,
    );
  });
});

describe('compiled argv runs in QEMU 7.2', () => {
  const dirs: string[] = [];
  const stops: AbortController[] = [];
  afterAll(() => {
    for (const stop of stops) stop.abort();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const qmp = async (path: string, commands: readonly string[]): Promise<string> => {
    const socket = connect(path);
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    await new Promise((resolve) => socket.once('connect', resolve));
    // QEMU may reset the connection as it exits after quit: the replies read so far are what counts.
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    for (const command of commands) socket.write(`${JSON.stringify({ execute: command })}\n`);
    await closed;
    return text;
  };

  const waitFor = async (path: string, exited: () => string | undefined): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!existsSync(path)) {
      const why = exited();
      if (why !== undefined || Date.now() > deadline)
        throw new Error(`QEMU did not create ${path}: ${why ?? 'timeout'}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  // windows11 runs without its TPM (swtpm is not part of the compiler) and on the q35 machine this QEMU has.
  const ADJUST: Partial<Record<FixtureName, Record<string, string>>> = { windows11: { machine: 'pc-q35-7.2' } };

  it.each(['debian-cloudinit', 'linked-clone', 'router', 'windows11'] as const)(
    '%s (TCG, -S, no NICs) starts and quits over QMP',
    async (name) => {
      const dir = mkdtempSync(join(tmpdir(), 'hd-qemu-'));
      dirs.push(dir);
      const disk = join(dir, 'disk.raw');
      const iso = join(dir, 'cloudinit.iso');
      const efivars = join(dir, 'efivars.raw');
      await runChecked('qemu-img', ['create', '-f', 'raw', disk, '8M']);
      await runChecked('qemu-img', ['create', '-f', 'raw', iso, '1M']);
      const values = {
        ...Object.fromEntries(
          Object.entries(currentOf(parseVmConf(fixtureText(name))).values).filter(
            ([key]) => !key.startsWith('net') && key !== 'tpmstate0',
          ),
        ),
        ...ADJUST[name],
      };
      const vm = typedConfig({ ...values, boot: (values.boot ?? '').replace(/;?net0/, '') });
      if (vm.efidisk) await runChecked('cp', ['/usr/share/OVMF/OVMF_VARS_4M.ms.fd', efivars]);
      // One writable disk; CD drives share the read-only ISO; efidisk0 gets OVMF's vars template.
      const drives: Record<string, { path: string; format: string }> = { efidisk0: { path: efivars, format: 'raw' } };
      for (const d of vm.drives)
        if (d.file !== 'none' && !d.file.includes('cloudinit'))
          drives[d.key] = { path: d.media === 'cdrom' ? iso : disk, format: 'raw' };
      const env: CompileEnv = {
        vmid: 100,
        node: 'local',
        accel: 'tcg',
        runPaths: vmRunPaths({ run: dir }, 100),
        drives,
        cloudinitIso: iso,
        qemuVersion: '7.2',
      };
      const [binary = '', ...args] = compileQemuCommand(vm, env).filter((arg) => arg !== '-daemonize');
      await runChecked('mkdir', ['-p', env.runPaths.dir]);
      let exited: string | undefined;
      // Aborted after the tests whatever happened: no QEMU outlives this file.
      const stop = new AbortController();
      stops.push(stop);
      const started = run(binary, [...args, '-S'], { timeoutMs: 30_000, signal: stop.signal }).then((result) => {
        exited = `exit ${result.code}: ${result.stderr}`;
        return result;
      });
      // QEMU opens its chardev sockets in command-line order: QMP first, the serial consoles after it.
      for (const path of [env.runPaths.qmp, ...[...vm.serials.keys()].map((port) => env.runPaths.serial(port))])
        await waitFor(path, () => exited);
      const replies = await qmp(env.runPaths.qmp, ['qmp_capabilities', 'query-status', 'quit']);
      const result = await started;
      expect(result.stderr).not.toMatch(/error|invalid|unsupported|not found/i);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(replies).toContain('"status": "prelaunch"');
    },
    // QEMU with OVMF under TCG on a loaded 2-core machine can take several seconds to come up.
    60_000,
  );
});
