// hdctl ct push / pull / enter through runCli: chunking against the contract's schemas (a container file kept in
// memory stands in for the node; the real one is in test/integration/ct-usage.test.ts), local files, usage errors.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, methods, type MethodName, type Params, type Result } from '../api';
import { chunkPlan, CT_FILE_CHUNK } from './ct-transfer';
import { runCli, type CliBackend } from './run-cli';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hd-ct-transfer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One running container 230 whose files live in a map; every call is checked against the contract first. */
const fakeNode = () => {
  const files = new Map<string, Buffer>();
  const calls: { method: string; params: Record<string, unknown>; node?: string }[] = [];
  const entered: number[] = [];
  const backend: CliBackend = {
    call<M extends MethodName>(method: M, params: Params<M>, target?: { node?: string }): Promise<Result<M>> {
      const parsed = methods[method].params.parse(params) as Record<string, unknown>;
      calls.push({ method, params: parsed, ...(target?.node === undefined ? {} : { node: target.node }) });
      const path = parsed.path as string;
      const answer = (): unknown => {
        if (parsed.vmid !== 230) throw new AppError('not-found', `CT ${String(parsed.vmid)} does not exist`);
        if (method === 'ct.status') return { status: 'running' };
        if (method === 'ct.push') {
          const chunk = Buffer.from(parsed.data as string, 'base64');
          const before = parsed.offset === 0 ? Buffer.alloc(0) : (files.get(`${path}.partial`) ?? Buffer.alloc(0));
          const now = Buffer.concat([before, chunk]);
          if (parsed.done) files.set(path, now);
          else files.set(`${path}.partial`, now);
          return { size: now.length };
        }
        const file = files.get(path);
        if (!file) throw new AppError('not-found', `CT 230: ${path}: no such file in the container`);
        const offset = parsed.offset as number;
        const data = file.subarray(offset, offset + (parsed.length as number));
        return { data: data.toString('base64'), size: file.length, eof: offset + data.length >= file.length };
      };
      try {
        return Promise.resolve(answer() as Result<M>);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    enterCt: (vmid) => {
      entered.push(vmid);
      return Promise.resolve(7);
    },
  };
  return { files, calls, entered, backend };
};

const hdctl = async (backend: CliBackend, ...argv: string[]) => {
  let out = '';
  let err = '';
  const code = await runCli(argv, backend, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('chunk plan', () => {
  it('cuts a file into 4 MiB chunks, the last one done; an empty file is one empty chunk', () => {
    expect(chunkPlan(9 * 1024 * 1024)).toEqual([
      { offset: 0, length: CT_FILE_CHUNK, done: false },
      { offset: CT_FILE_CHUNK, length: CT_FILE_CHUNK, done: false },
      { offset: 2 * CT_FILE_CHUNK, length: 1024 * 1024, done: true },
    ]);
    expect(chunkPlan(CT_FILE_CHUNK)).toEqual([{ offset: 0, length: CT_FILE_CHUNK, done: true }]);
    expect(chunkPlan(0)).toEqual([{ offset: 0, length: 0, done: true }]);
    expect(chunkPlan(10, 4)).toEqual([
      { offset: 0, length: 4, done: false },
      { offset: 4, length: 4, done: false },
      { offset: 8, length: 2, done: true },
    ]);
  });
});

describe('hdctl ct push / pull', () => {
  it('pushes 9 MiB in three chunks with mode and owner, and pulls it back byte for byte', async () => {
    const node = fakeNode();
    const bytes = randomBytes(9 * 1024 * 1024);
    await writeFile(join(dir, 'big.bin'), bytes);
    const push = await hdctl(node.backend, 'ct', 'push', '230', join(dir, 'big.bin'), '/root/big.bin', '--perms', '0600', '--user=1000', '--group', '100', '--node', 'n1');
    expect(push.err).toBe('');
    expect(push.code).toBe(0);
    expect(push.out).toBe(`${join(dir, 'big.bin')} → CT 230:/root/big.bin (${bytes.length} bytes)\n`);
    const pushes = node.calls.filter((call) => call.method === 'ct.push');
    expect(pushes.map((call) => [call.params.offset, call.params.done, call.node])).toEqual([
      [0, false, 'n1'],
      [CT_FILE_CHUNK, false, 'n1'],
      [2 * CT_FILE_CHUNK, true, 'n1'],
    ]);
    expect(pushes[2]?.params).toMatchObject({ perms: '0600', user: 1000, group: 100 });
    expect(sha256(node.files.get('/root/big.bin') ?? Buffer.alloc(0))).toBe(sha256(bytes));

    const pull = await hdctl(node.backend, 'ct', 'pull', '230', '/root/big.bin', join(dir, 'back.bin'), '--output', 'json');
    expect(pull.code, pull.err).toBe(0);
    expect(JSON.parse(pull.out)).toEqual({ vmid: 230, path: '/root/big.bin', file: join(dir, 'back.bin'), size: bytes.length });
    expect(node.calls.filter((call) => call.method === 'ct.pull').map((call) => call.params.offset)).toEqual([0, CT_FILE_CHUNK, 2 * CT_FILE_CHUNK]);
    expect(sha256(await readFile(join(dir, 'back.bin')))).toBe(sha256(bytes));
  });

  it('pushes an empty file as one last chunk', async () => {
    const node = fakeNode();
    await writeFile(join(dir, 'empty'), '');
    expect((await hdctl(node.backend, 'ct', 'push', '230', join(dir, 'empty'), '/empty')).code).toBe(0);
    expect(node.calls.map((call) => [call.method, call.params.data, call.params.done])).toEqual([['ct.push', '', true]]);
    expect(node.files.get('/empty')?.length).toBe(0);
  });

  it("leaves no partial local file when the container's file is missing", async () => {
    const node = fakeNode();
    const pull = await hdctl(node.backend, 'ct', 'pull', '230', '/nope', join(dir, 'nope'));
    expect(pull.code).toBe(1);
    expect(pull.err).toBe('error (not-found): CT 230: /nope: no such file in the container\n');
    expect((await readdir(dir)).filter((name) => name.startsWith('nope'))).toEqual([]);
  });

  it('refuses wrong command lines with exit 2 before calling anything', async () => {
    const node = fakeNode();
    expect((await hdctl(node.backend, 'ct', 'push', '230', 'only-one')).err).toMatch(/^error \(invalid-params\): 'ct push' needs VMID LOCAL_FILE CT_PATH/);
    expect((await hdctl(node.backend, 'ct', 'push', 'abc', 'a', '/b')).code).toBe(2);
    expect((await hdctl(node.backend, 'ct', 'push', '230', 'a', '/b', '--perms', '999')).err).toMatch(/--perms wants an octal mode/);
    expect((await hdctl(node.backend, 'ct', 'push', '230', 'a', '/b', '--user', '70000')).code).toBe(2);
    expect((await hdctl(node.backend, 'ct', 'pull', '230', '/b', dir)).err).toMatch(/is a folder/);
    expect((await hdctl(node.backend, 'ct', 'pull', '230', '/b', 'c', '--mode', 'x')).err).toMatch(/unknown option --mode for 'ct pull'/);
    expect(node.calls).toEqual([]);
    const missing = await hdctl(node.backend, 'ct', 'push', '230', join(dir, 'absent'), '/b');
    expect(missing).toMatchObject({ code: 1, err: `error (not-found): ${join(dir, 'absent')}: no such file\n` });
  });

  it('shows push, pull and enter in help with their usage', async () => {
    const help = await hdctl(fakeNode().backend, 'ct', 'push', '--help');
    expect(help.out).toMatch(/hdctl ct push VMID LOCAL_FILE CT_PATH \[--perms 0644\]/);
    expect((await hdctl(fakeNode().backend, 'help', 'ct')).out).toMatch(/enter/);
  });
});

describe('hdctl ct enter', () => {
  it("checks the container, then hands the terminal to the front end and exits with the shell's code", async () => {
    const node = fakeNode();
    expect(await hdctl(node.backend, 'ct', 'enter', '230')).toMatchObject({ code: 7 });
    expect(node.entered).toEqual([230]);
    const missing = await hdctl(node.backend, 'ct', 'enter', '231');
    expect(missing).toMatchObject({ code: 1, err: 'error (not-found): CT 231 does not exist\n' });
    expect(node.entered).toEqual([230]);
  });

  it('says so where the front end has no terminal to give', async () => {
    const { backend } = fakeNode();
    const withoutTerminal: CliBackend = { call: backend.call };
    expect((await hdctl(withoutTerminal, 'ct', 'enter', '230')).err).toMatch(/^error \(not-supported\): CT 230: this hdctl cannot open a terminal/);
  });
});
