// hdctl against the real daemon handlers (TaskManager, MetricsSampler) through a real RpcSession/RpcClient pair.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodNames } from '../api';
import { TaskInfo } from '../api/task';
import { EventsHub } from '../daemon/events-hub';
import { createHandlers } from '../daemon/handlers';
import { agentPaths } from '../daemon/paths';
import { MetricsSampler } from '../metrics/sampler';
import { RpcClient } from '../rpc/client';
import { RpcSession } from '../rpc/server';
import { TaskManager } from '../tasks/task-manager';
import { CommandTree, SESSION_ONLY_METHODS } from './command-tree';
import { runCli, type CliBackend, type CliCommand } from './run-cli';

let root: string;
let tasks: TaskManager;
let sampler: MetricsSampler;
let backend: CliBackend;
const extraRuns: string[][] = [];
const nodeList: CliCommand = {
  path: ['node', 'list'],
  doc: 'The nodes this workstation knows.',
  run: (args, io) => {
    extraRuns.push([...args]);
    io.out('n1\n');
    return Promise.resolve(0);
  },
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hd-cli-'));
  const paths = agentPaths({ HYPERDESK_ROOT: root, HYPERDESK_NODE: 'n1' });
  tasks = await TaskManager.open({ paths });
  sampler = new MetricsSampler({ paths });
  await sampler.start();
  const handlers = createHandlers({ paths, sampler, tasks, events: new EventsHub(), agentDigest: 'f'.repeat(64) });
  const session: RpcSession = new RpcSession(handlers, (line) => client.receive(line));
  const client: RpcClient = new RpcClient((line) => void session.receive(line));
  backend = { call: (method, params) => client.call(method, params), extraCommands: [nodeList] };
});
afterAll(async () => {
  await tasks.dispose(100);
  await sampler.dispose();
  await rm(root, { recursive: true, force: true });
});

/** Run hdctl; collect what it prints. */
const hdctl = async (...argv: string[]) => {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    backend,
    { out: (text) => (out += text), err: (text) => (err += text) },
    { pollMs: 20 },
  );
  return { code, out, err };
};

describe('the command tree', () => {
  const tree = new CommandTree();
  it('has one command per method (bar the session-only ones), named by its words', () => {
    const commands = tree.commands().filter((command) => command.kind === 'method');
    expect(commands.map((command) => command.path.join(' ')).sort()).toEqual(
      methodNames
        .filter((name) => !SESSION_ONLY_METHODS.includes(name))
        .map((name) => name.replaceAll('.', ' '))
        .sort(),
    );
  });

  it('reads flags off the schemas: kinds, enum values, defaults, the positional UPID', () => {
    const log = tree.walk(['task', 'log']).group.command;
    expect(log?.kind).toBe('method');
    if (log?.kind !== 'method') return;
    expect(log.positional?.key).toBe('upid');
    expect(log.params.map((param) => [param.flag, param.kind, param.required, param.defaultValue])).toEqual([
      ['upid', 'string', true, undefined],
      ['start', 'integer', false, 0],
      ['limit', 'integer', false, 500],
    ]);
    const metrics = tree.walk(['node', 'metrics']).group.command;
    if (metrics?.kind !== 'method') throw new Error('node metrics is missing');
    expect(metrics.params.find((param) => param.key === 'timeframe')?.values).toEqual(['hour', 'day', 'week', 'month']);
    expect(metrics.positional).toBeUndefined();
  });
});

describe('runCli', () => {
  it('calls a method and prints key/value for an object, JSON with --output json', async () => {
    const table = await hdctl('node', 'status');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^node +n1$/m);
    expect(table.out).toMatch(/^memory\.total +\d+$/m);
    const json = await hdctl('--output', 'json', 'hello');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ node: 'n1', protocolVersion: 1, agentDigest: 'f'.repeat(64) });
  });

  it('prints lists as aligned columns, and filters with flags', async () => {
    const upid = tasks.spawn({ type: 'vzdump', id: '101', user: 'root@pam' }, (ctx) =>
      Promise.resolve(ctx.log('hello')),
    );
    await tasks.whenStopped(upid);
    const { code, out } = await hdctl('task', 'list', '--type', 'vzdump', '--limit', '5');
    expect(code).toBe(0);
    const [header, row] = out.trimEnd().split('\n');
    expect(header).toMatch(/^upid +node +type +id +user +starttime +status +exitstatus +endtime$/);
    expect(row!.startsWith(upid)).toBe(true);
    expect(header!.indexOf(' type ') + 1).toBe(row!.indexOf(' vzdump ') + 1);
    const json = await hdctl('task', 'list', '--type=vzdump', '-o', 'json');
    expect(
      TaskInfo.array()
        .parse(JSON.parse(json.out))
        .map((task) => task.upid),
    ).toEqual([upid]);
  });

  it('takes the UPID positionally or as a flag, and prints the log as text', async () => {
    const upid = tasks.spawn({ type: 'test', id: '', user: 'root@pam' }, (ctx) => {
      for (let i = 1; i <= 5; i += 1) ctx.log(`step ${i}`);
      return Promise.resolve();
    });
    await tasks.whenStopped(upid);
    expect((await hdctl('task', 'log', upid, '--start', '1', '--limit', '2')).out).toBe('step 2\nstep 3\n');
    expect((await hdctl('task', 'log', '--upid', upid, '--start=4')).out).toBe('step 5\nTASK OK\n');
    expect(JSON.parse((await hdctl('task', 'status', upid, '--output', 'json')).out)).toMatchObject({
      upid,
      exitstatus: 'OK',
    });
  });

  it('refuses bad command lines with exit 2 and says what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['node', 'metrics', '--timeframe', 'year'], /--timeframe wants one of hour, day, week, month, not "year"/],
      [['task', 'list', '--limit', 'many'], /--limit wants an integer, not "many"/],
      [['task', 'list', '--limit', '1.5'], /--limit: .*int/i],
      [['task', 'list', '--limit', '100000'], /--limit: .*10000/],
      [['task', 'list', '--colour', 'red'], /unknown option --colour for 'task list'/],
      [['task', 'log'], /'task log' needs UPID/],
      [['task', 'log', 'not-a-upid'], /UPID: not a UPID/],
      [['task', 'status', 'UPID:n1:00000001:00000001:00000001:t::root@pam:', 'extra'], /unexpected argument "extra"/],
      [['task', 'frobnicate'], /unknown command 'task frobnicate' — 'hdctl task' has: list, status, log, cancel/],
      [['--output', 'yaml', 'hello'], /--output wants json or table/],
      [['completion', 'zsh'], /supports bash/],
    ];
    for (const [argv, message] of cases) {
      const { code, err, out } = await hdctl(...argv);
      expect({ argv, code }).toEqual({ argv, code: 2 });
      expect(err).toMatch(/^error \(invalid-params\): /);
      expect(err).toMatch(message);
      expect(out).toBe('');
    }
  });

  it('prints agent errors as error (code): message with exit 1', async () => {
    const missing = 'UPID:n1:00000001:00000001:00000001:test::root@pam:';
    const { code, err } = await hdctl('task', 'cancel', missing);
    expect(code).toBe(1);
    expect(err).toBe(`error (not-found): task ${missing} does not exist on node n1\n`);
  });

  it('follows a task log until the task stops', async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const upid = tasks.spawn({ type: 'test', id: '', user: 'root@pam' }, async (ctx) => {
      ctx.log('before');
      await gate;
      ctx.log('after');
      ctx.warn('careful');
    });
    let out = '';
    const code = await runCli(
      ['task', 'log', upid, '--follow'],
      backend,
      {
        out: (text) => {
          out += text;
          if (text === 'before\n') release(); // the task goes on only once the first line was followed
        },
        err: () => undefined,
      },
      { pollMs: 20 },
    );
    expect(code).toBe(0);
    expect(out).toBe('before\nafter\nWARN: careful\nTASK WARNINGS: 1\n');
  });

  it('waits for a task with --wait and exits by its result', async () => {
    const { code, out, err } = await hdctl('node', 'check', '--wait');
    const [upid = '', ...progress] = err.trim().split('\n');
    for (const line of progress) expect(line).toMatch(/^progress: \d{1,3}%$/);
    const final = tasks.status(upid);
    expect(final.status).toBe('stopped');
    expect(code).toBe(final.exitstatus === 'OK' || final.exitstatus!.startsWith('WARNINGS') ? 0 : 1);
    expect(out).toContain('# ');
    expect(out.trimEnd().split('\n').at(-1)).toBe(`TASK ${final.exitstatus!}`);
  });

  it('runs the commands a front end adds, with the words after them', async () => {
    const { code, out } = await hdctl('node', 'list', '--all');
    expect(code).toBe(0);
    expect(out).toBe('n1\n');
    expect(extraRuns.at(-1)).toEqual(['--all']);
  });

  it('explains itself: help for all, for an area, for a command', async () => {
    const all = await hdctl('help');
    expect(all.code).toBe(0);
    for (const words of [
      'hello',
      'node status',
      'node metrics',
      'node check',
      'task list',
      'task log',
      'node list',
      'completion',
    ]) {
      expect(all.out).toMatch(new RegExp(`^  ${words} +\\S`, 'm'));
    }
    const area = await hdctl('task', '--help');
    expect(area.out).toContain('task cancel');
    expect(area.out).not.toContain('node status');
    const command = await hdctl('task', 'log', '--help');
    expect(command.out).toContain(
      'Usage: hdctl task log UPID [--start <integer 0..>] [--limit <integer 1..5000>] [--follow]',
    );
    expect(command.out).toContain('default 500');
    const bare = await hdctl();
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('Commands:');
  });
});
