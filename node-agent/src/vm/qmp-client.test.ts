import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { isAppError } from '../api/errors';
import { run, type RunResult } from '../exec/run';
import { tempDirForTest } from '../fs/temp-dir';
import { QmpClient } from './qmp-client';

const T = 30_000;

/** A real QEMU with no machine, held in prelaunch (-S): enough for QMP; the signal stops it. */
interface TestQemu {
  socket: string;
  exited: Promise<RunResult | Error>;
  stop: AbortController;
}
const qemus: TestQemu[] = [];
const clients: QmpClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const qemu of qemus.splice(0)) {
    qemu.stop.abort();
    await qemu.exited;
  }
});

const startQemu = async (): Promise<TestQemu> => {
  const dir = await tempDirForTest('hd-qmp-');
  const socket = join(dir, 'q.sock');
  const stop = new AbortController();
  const exited = run(
    'qemu-system-x86_64',
    ['-machine', 'none', '-nodefaults', '-display', 'none', '-S', '-qmp', `unix:${socket},server=on,wait=off`],
    { signal: stop.signal, timeoutMs: 5 * 60_000 },
  ).catch((error: unknown) => error as Error);
  const qemu = { socket, exited, stop };
  qemus.push(qemu);
  return qemu;
};

/** Connect as soon as QEMU listens (poll with a deadline; QEMU creates the socket during start-up). */
const connect = async (qemu: TestQemu): Promise<QmpClient> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const client = await QmpClient.connect(qemu.socket, { timeoutMs: 5000 });
      clients.push(client);
      return client;
    } catch (error) {
      if (Date.now() > deadline || !isAppError(error, 'unreachable')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
};

describe('QmpClient against a real QEMU', () => {
  it(
    'negotiates capabilities and runs query-status and query-version',
    async () => {
      const client = await connect(await startQemu());
      expect(client.version?.qemu.major).toBeGreaterThanOrEqual(7);
      await expect(client.execute('query-status')).resolves.toMatchObject({ status: 'prelaunch', running: false });
      const version = await client.execute<{ qemu: { major: number } }>('query-version');
      expect(version.qemu.major).toBe(client.version?.qemu.major);
    },
    T,
  );

  it(
    'matches answers to commands by id when several are in flight',
    async () => {
      const client = await connect(await startQemu());
      const [status, version, kvm] = await Promise.all([
        client.execute<{ status: string }>('query-status'),
        client.execute<{ package: string }>('query-version'),
        client.execute<{ present: boolean }>('query-kvm'),
      ]);
      expect(status.status).toBe('prelaunch');
      expect(typeof version.package).toBe('string');
      expect(typeof kvm.present).toBe('boolean');
    },
    T,
  );

  it(
    'rejects an unknown command as command-failed naming it, with the QMP error class',
    async () => {
      const client = await connect(await startQemu());
      const error: unknown = await client.execute('no-such-command').catch((e: unknown) => e);
      expect(isAppError(error, 'command-failed')).toBe(true);
      expect((error as Error).message).toMatch(/^QMP no-such-command: .*no-such-command/);
      expect((error as { details: unknown }).details).toMatchObject({ class: 'CommandNotFound' });
      // The connection is still usable after an error.
      await expect(client.execute('query-status')).resolves.toMatchObject({ status: 'prelaunch' });
    },
    T,
  );

  it(
    'delivers RESUME and STOP events with their timestamps',
    async () => {
      const client = await connect(await startQemu());
      const events: { name: string; seconds: number }[] = [];
      client.on('event', (name, _data, timestamp) => events.push({ name, seconds: timestamp.seconds }));
      await client.execute('cont');
      await client.execute('stop');
      const deadline = Date.now() + 5000;
      while (events.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(events.map((e) => e.name)).toEqual(['RESUME', 'STOP']);
      expect(events[0]?.seconds).toBeGreaterThan(1_600_000_000);
    },
    T,
  );

  it(
    'reports close at once when QEMU quits, and fails later commands as unreachable',
    async () => {
      const client = await connect(await startQemu());
      const closed = new Promise<unknown>((resolve) => client.on('close', resolve));
      await client.execute('quit');
      const error = await closed;
      expect(isAppError(error, 'unreachable')).toBe(true);
      expect(client.closed).toBe(true);
      await expect(client.execute('query-status')).rejects.toMatchObject({ code: 'unreachable' });
    },
    T,
  );

  it(
    'reports close when QEMU is killed, and fails the command in flight',
    async () => {
      const qemu = await startQemu();
      const client = await connect(qemu);
      const closed = new Promise<unknown>((resolve) => client.on('close', resolve));
      const started = Date.now();
      qemu.stop.abort();
      await closed;
      expect(Date.now() - started).toBeLessThan(1000);
      await expect(client.execute('query-status')).rejects.toMatchObject({ code: 'unreachable' });
    },
    T,
  );

  it(
    'reads messages split across chunks and several messages in one chunk',
    async () => {
      // QEMU writes whole lines, so the framing is exercised against a scripted peer on a real unix socket.
      const dir = await tempDirForTest('hd-qmp-');
      const path = join(dir, 'scripted.sock');
      const server: Server = createServer((peer) => {
        peer.setEncoding('utf8');
        peer.write('{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "pack');
        setImmediate(() => peer.write('age": ""}, "capabilities": []}}\r\n'));
        let seen = '';
        peer.on('data', (chunk: string) => {
          seen += chunk;
          const ids = [...seen.matchAll(/"id":(\d+)/g)].map((m) => Number(m[1]));
          seen = '';
          for (const id of ids) {
            if (id === 1) peer.write(`{"return": {}, "id": ${id}}\r\n`);
            else
              peer.write(
                `{"event": "RESUME", "timestamp": {"seconds": 1, "microseconds": 2}}\r\n{"return": {"status": "running"`.concat(
                  `, "id-was": ${id}}, "id": ${id}}\r\n{"event": "STOP", "timestamp": {"seconds": 3, "microseconds": 4}}\r\n{"ret`,
                ),
                () => peer.write(`urn": {}, "id": 999}\r\n`),
              );
          }
        });
      });
      onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
      await new Promise<void>((resolve) => server.listen(path, resolve));
      const client = await QmpClient.connect(path, { timeoutMs: 2000 });
      clients.push(client);
      expect(client.version?.qemu.minor).toBe(2);
      const events: string[] = [];
      client.on('event', (name) => events.push(name));
      await expect(client.execute('query-status')).resolves.toEqual({ status: 'running', 'id-was': 2 });
      // The STOP after the answer arrived in the same chunk, so it was delivered before the await resumed.
      expect(events).toEqual(['RESUME', 'STOP']);
      await expect(client.execute('query-status')).resolves.toEqual({ status: 'running', 'id-was': 3 });
      expect(events).toEqual(['RESUME', 'STOP', 'RESUME', 'STOP']);
    },
    T,
  );

  it(
    'fails to connect to a missing socket as unreachable',
    async () => {
      const dir = await tempDirForTest('hd-qmp-');
      await expect(QmpClient.connect(join(dir, 'none.sock'), { timeoutMs: 2000 })).rejects.toMatchObject({
        code: 'unreachable',
      });
    },
    T,
  );

  it(
    'honours an aborted signal before connecting',
    async () => {
      const qemu = await startQemu();
      const abort = new AbortController();
      abort.abort();
      await expect(QmpClient.connect(qemu.socket, { signal: abort.signal })).rejects.toMatchObject({
        code: 'cancelled',
      });
    },
    T,
  );
});
