// Issue 5's container usage, history, files and shell on a real lab node with real LXC: a busybox container that
// burns CPU and fills its disk shows cpu, mem, disk and uptime in ct.status, its network counters grow under a ping
// flood from the node (checked against the host veth's own counters), ct.metrics has the points; hdctl pushes a
// 9 MiB random file (3 chunks) and pulls it back unchanged; symlinks inside the container never reach the node's
// files; `hdctl ct enter` (on the node in a pty, and over the app's console bridge) runs in the container.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_FILES } from '../../main/core/config-schema';
import { enterCtOverConsole } from '../../main/cli/ct-enter-console';
import { hdctl, hdctlJson, labSshOptions } from './helpers';
import { useCtLab } from './ct-lab';
import { refusal, until } from './lab-calls';

const CTID = 230;
const CT_IP = '198.18.0.100';
const HOSTNAME = 'usage230';

let work: string;

const { call, finished, lab, core, key, nodePath, configDir } = useCtLab({ stopAtEnd: [CTID] });
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const inCt = async (script: string) => {
  const result = await call('ct.exec', { vmid: CTID, command: ['sh', '-c', script] });
  if (result.exitCode !== 0) throw new Error(`${script} exited ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
};
const vethCounter = async (which: 'rx_bytes' | 'tx_bytes') =>
  Number((await lab().exec('n1', 'cat', [`/sys/class/net/veth${CTID}i0/statistics/${which}`])).stdout.trim());

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hd-ct-usage-files-'));
  await finished(
    await call('ct.create', {
      vmid: CTID,
      ostemplate: 'local:vztmpl/busybox.tar.gz',
      config: { hostname: HOSTNAME, memory: 128, swap: 64, rootfs: 'local:1', net0: `name=eth0,bridge=vmbr0,ip=${CT_IP}/24` },
      start: true,
    }),
    180_000,
  );
}, 30 * 60_000);

afterAll(() => rm(work, { recursive: true, force: true }));

describe('container usage, files and shell on a lab node', () => {
  it('reports cpu, mem, disk, maxdisk and uptime of a busy container from its cgroups and root file system', async () => {
    // A busy loop in the background (its fds closed so ct.exec returns) and 16 MiB written to the root disk.
    const loop = (await inCt('sh -c "while :; do :; done" </dev/null >/dev/null 2>&1 & echo $!')).trim();
    await inCt('dd if=/dev/urandom of=/root/fill bs=1M count=16 conv=fsync 2>/dev/null');
    const status = await until(
      'ct.status shows the busy loop',
      async () => {
        const current = await call('ct.status', { vmid: CTID });
        return current.cpu > 0.2 ? current : undefined;
      },
      60_000,
      500,
    );
    expect(status).toMatchObject({ status: 'running', name: HOSTNAME });
    expect(status.cpu).toBeLessThanOrEqual(1);
    expect(status.maxcpu).toBeGreaterThanOrEqual(1);
    expect(status.mem).toBeGreaterThan(0);
    expect(status.mem).toBeLessThan(status.maxmem);
    expect(status.disk).toBeGreaterThan(16 * 1024 * 1024);
    expect(status.maxdisk).toBeGreaterThan(status.disk);
    expect(status.uptime).toBeGreaterThan(0);
    const listed = (await call('ct.list', {})).find((ct) => ct.vmid === CTID);
    expect(listed?.mem).toBeGreaterThan(0);
    expect(listed?.uptime).toBeGreaterThanOrEqual(status.uptime);
    await inCt(`kill ${loop}`);
  });

  it('counts a ping flood from the node on its veth: netin and netout grow, as the host counters do', async () => {
    await until('the container answers ping', async () => (await lab().exec('n1', 'ping', ['-c', '1', '-W', '1', CT_IP])).code === 0 || undefined, 60_000);
    const before = { tx: await vethCounter('tx_bytes'), rx: await vethCounter('rx_bytes') };
    // About 15 s of 1 KiB pings every 10 ms: over at least one sample interval.
    const flood = lab().exec('n1', 'ping', ['-q', '-i', '0.01', '-s', '1000', '-c', '1500', CT_IP], { timeoutMs: 60_000 });
    const status = await until(
      'ct.status shows the flood',
      async () => {
        const current = await call('ct.status', { vmid: CTID });
        return current.netin > 10_000 && current.netout > 10_000 ? current : undefined;
      },
      45_000,
      500,
    );
    expect((await flood).code).toBe(0);
    const after = { tx: await vethCounter('tx_bytes'), rx: await vethCounter('rx_bytes') };
    // What the host sent on the veth is what the container received (netin), and the other way round.
    expect(after.tx - before.tx).toBeGreaterThan(1500 * 1000);
    expect(after.rx - before.rx).toBeGreaterThan(1500 * 1000);
    // A rate: at most what the counters moved in the whole flood, per second over at least a second.
    expect(status.netin).toBeLessThanOrEqual(after.tx - before.tx);
    expect(status.netout).toBeLessThanOrEqual(after.rx - before.rx);
  });

  it('keeps a history: ct.metrics has 10 s points with cpu, mem, disk and network', async () => {
    const { step, points } = await call('ct.metrics', { vmid: CTID, timeframe: 'hour', cf: 'average' });
    expect(step).toBe(10);
    expect(points.length).toBeGreaterThanOrEqual(3);
    expect(points.map((point) => point.t)).toEqual([...points.map((point) => point.t)].sort((a, b) => a - b));
    expect(points.some((point) => point.cpu > 0.2)).toBe(true);
    expect(points.some((point) => point.netin > 0 && point.netout > 0)).toBe(true);
    expect(points.every((point) => point.maxmem === 128 * 1024 * 1024 && point.maxdisk > 0)).toBe(true);
    expect(points.at(-1)?.mem).toBeGreaterThan(0);
    const max = await call('ct.metrics', { vmid: CTID, timeframe: 'hour', cf: 'max' });
    expect(max.points.length).toBe(points.length);
    expect(await refusal(call('ct.metrics', { vmid: 239, timeframe: 'hour', cf: 'average' }))).toMatchObject({ code: 'not-found' });
  });

  it('pushes a 9 MiB random file with hdctl (3 chunks), with mode and owner, and pulls it back unchanged', async () => {
    const bytes = randomBytes(9 * 1024 * 1024);
    await writeFile(join(work, 'random.bin'), bytes);
    const pushed = await hdctlJson<{ size: number }>(configDir(), 'ct', 'push', String(CTID), join(work, 'random.bin'), '/root/random.bin', '--perms', '0640', '--user', '1000', '--group', '100', '--node', 'n1');
    expect(pushed.size).toBe(bytes.length);
    expect((await inCt('stat -c "%a %u %g %s" /root/random.bin')).trim()).toBe(`640 1000 100 ${bytes.length}`);
    expect((await inCt('sha256sum /root/random.bin')).split(' ')[0]).toBe(sha256(bytes));
    // No temp file is left beside it.
    expect((await inCt('ls -a /root')).split('\n').filter((name) => name.startsWith('.hd-push-'))).toEqual([]);

    const pulled = await hdctl(configDir(), 'ct', 'pull', String(CTID), '/root/random.bin', join(work, 'back.bin'), '--node', 'n1');
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(sha256(await readFile(join(work, 'back.bin')))).toBe(sha256(bytes));
  });

  it("never reaches the node's files through a symlink inside the container", async () => {
    const hostShadow = await readFile('/etc/shadow');
    const ctShadow = await inCt('cat /etc/shadow');
    expect(ctShadow).not.toBe(hostShadow.toString('utf8'));
    // A link to /etc/shadow, and one to a file that exists only on the node.
    await writeFile(join(work, 'node-only'), 'node secret\n');
    await inCt(`ln -sf /etc/shadow /root/shadow-link && ln -sf ${join(work, 'node-only')} /root/node-link`);

    const viaLink = await call('ct.pull', { vmid: CTID, path: '/root/shadow-link', offset: 0, length: 1024 * 1024 });
    expect(Buffer.from(viaLink.data, 'base64').toString('utf8')).toBe(ctShadow);
    expect(await refusal(call('ct.pull', { vmid: CTID, path: '/root/node-link', offset: 0, length: 100 }))).toMatchObject({ code: 'not-found' });

    // A push onto the link replaces the link itself, inside the container; the node's /etc/shadow is untouched.
    await call('ct.push', { vmid: CTID, path: '/root/shadow-link', data: Buffer.from('pushed\n').toString('base64'), offset: 0, done: true });
    expect(await inCt('cat /root/shadow-link; [ -L /root/shadow-link ] && echo still-a-link; true')).toBe('pushed\n');
    expect(await inCt('cat /etc/shadow')).toBe(ctShadow);
    expect(sha256(await readFile('/etc/shadow'))).toBe(sha256(hostShadow));
    await call('ct.push', { vmid: CTID, path: '/root/node-link', data: Buffer.from('x').toString('base64'), offset: 0, done: true });
    expect(await readFile(join(work, 'node-only'), 'utf8')).toBe('node secret\n');
  });

  it('refuses clearly: no such file, a folder, a missing folder, an offset out of turn, a stopped or missing container', async () => {
    expect(await refusal(call('ct.pull', { vmid: CTID, path: '/root/none', offset: 0, length: 10 }))).toMatchObject({ code: 'not-found', message: 'CT 230: /root/none: no such file in the container' });
    expect(await refusal(call('ct.pull', { vmid: CTID, path: '/etc', offset: 0, length: 10 }))).toMatchObject({ code: 'invalid-params', message: expect.stringMatching(/^CT 230: \/etc is a folder/) as string });
    expect(await refusal(call('ct.push', { vmid: CTID, path: '/etc', data: '', offset: 0, done: true }))).toMatchObject({ code: 'invalid-params' });
    expect(await refusal(call('ct.push', { vmid: CTID, path: '/nowhere/f', data: '', offset: 0, done: true }))).toMatchObject({ code: 'not-found', message: expect.stringMatching(/^CT 230: \/nowhere: no such folder/) as string });
    expect(await refusal(call('ct.push', { vmid: CTID, path: '/root/f', data: 'eA==', offset: 5, done: true }))).toMatchObject({ code: 'conflict' });
    expect(await refusal(call('ct.pull', { vmid: CTID, path: '/root/../etc/shadow', offset: 0, length: 10 }))).toMatchObject({ code: 'invalid-params' });
    expect(await refusal(call('ct.pull', { vmid: 239, path: '/etc/hostname', offset: 0, length: 10 }))).toMatchObject({ code: 'not-found' });
    // Past the end: no bytes, the size, eof.
    const size = Number((await inCt('wc -c < /etc/hostname')).trim());
    expect(await call('ct.pull', { vmid: CTID, path: '/etc/hostname', offset: 1000, length: 10 })).toEqual({ data: '', size, eof: true });
  });

  it("enters the container with hdctl on the node, in a pty: the shell runs inside and its exit code is hdctl's", async () => {
    const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
    const ssh = ['ssh', ...labSshOptions(lab(), join(configDir(), CONFIG_FILES.knownHosts)), '-tt', `root@${lab().node('n1').address}`, nodePath('usr/local/bin/hdctl'), 'ct', 'enter', String(CTID)];
    const child = spawn('script', ['-qec', ssh.map(quote).join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Typed only at the prompt: lxc-attach flushes what came before it made the terminal raw.
    await until('the prompt of the shell in the container', () => /# /.test(output) || undefined, 30_000);
    child.stdin.write('echo "HN-$(hostname)-X"\n');
    await until('the shell in the container answers', () => output.includes(`HN-${HOSTNAME}-X`) || undefined, 30_000);
    child.stdin.write('exit 5\n');
    expect(await exited).toBe(5);
    child.stdin.end();
  });

  it("enters the container from the workstation over the app's console bridge", async () => {
    const input = new PassThrough();
    let output = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output += chunk.toString('utf8');
        done();
      },
    });
    const code = enterCtOverConsole(core(), key, CTID, { input, output: sink });
    await until('the prompt over the bridge', () => /# /.test(output) || undefined, 30_000);
    input.write('echo "HN-$(hostname)-Y"\n');
    await until('the shell over the bridge answers', () => output.includes(`HN-${HOSTNAME}-Y`) || undefined, 30_000);
    input.write('exit 4\n');
    expect(await code).toBe(4);
  });

  it('refuses files and shells of a stopped container', async () => {
    await finished(await call('ct.stop', { vmid: CTID }));
    expect(await refusal(call('ct.pull', { vmid: CTID, path: '/etc/hostname', offset: 0, length: 10 }))).toMatchObject({ code: 'not-supported', message: 'CT 230 is not running — start it first' });
    const enter = await hdctl(configDir(), 'ct', 'enter', String(CTID), '--node', 'n1');
    expect(enter.code).toBe(1);
    expect(enter.stderr).toMatch(/CT 230 is stopped — start it first/);
    expect(await call('ct.status', { vmid: CTID })).toMatchObject({ status: 'stopped', cpu: 0, mem: 0, uptime: 0, netin: 0 });
    await finished(await call('ct.destroy', { vmid: CTID, purge: true }));
  });
});
