// `hdctl ct push VMID LOCAL_FILE CT_PATH` and `hdctl ct pull VMID CT_PATH LOCAL_FILE` (pct push / pct pull): a file
// of this computer into a running container or back, in chunks over ct.push / ct.pull. A pull lands in a temp file
// beside LOCAL_FILE and is renamed into place only when complete.
import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { AppError, type MethodName, type Params, type Result } from '../api';
import type { CliCommand, CliIo } from './command-tree';
import { parseExtraArgs, vmidWord } from './extra-args';
import { UsageError, type OutputFormat } from './parse-args';

/** The contract's largest chunk (ct.push data, ct.pull length): 4 MiB. */
export const CT_FILE_CHUNK = 4 * 1024 * 1024;

export type TargetedCall = <M extends MethodName>(method: M, params: Params<M>, target?: { node?: string }) => Promise<Result<M>>;

/** The chunks of a file of `size` bytes: offsets and lengths; the last is `done`. An empty file is one empty chunk. */
export const chunkPlan = (size: number, chunk = CT_FILE_CHUNK): { offset: number; length: number; done: boolean }[] => {
  const plan: { offset: number; length: number; done: boolean }[] = [];
  for (let offset = 0; offset < size || plan.length === 0; offset += chunk) {
    const length = Math.min(chunk, size - offset);
    plan.push({ offset, length, done: offset + length >= size });
  }
  return plan;
};

const report = (io: CliIo, output: OutputFormat, result: { vmid: number; path: string; file: string; size: number }, arrow: string): void => {
  if (output === 'json') io.out(`${JSON.stringify(result, null, 2)}\n`);
  else io.out(`${arrow} (${result.size} bytes)\n`);
};

const PUSH_WORDS = ['ct', 'push'] as const;
const PULL_WORDS = ['ct', 'pull'] as const;

export const ctPushCommand = (call: TargetedCall): CliCommand => ({
  path: PUSH_WORDS,
  doc: 'Copy a file of this computer into a running container (pct push), over ct.push in 4 MiB chunks; it appears at CT_PATH, with its mode and owner, once complete.',
  usage: 'VMID LOCAL_FILE CT_PATH [--perms 0644] [--user 0] [--group 0] [--node NAME] [--output json|table]',
  async run(args, io) {
    const { words, flags, globals } = parseExtraArgs(PUSH_WORDS, args, { words: ['VMID', 'LOCAL_FILE', 'CT_PATH'], flags: ['perms', 'user', 'group'] });
    const vmid = vmidWord(PUSH_WORDS, words[0]!);
    const [, file, path] = words as [string, string, string];
    if (flags.perms !== undefined && !/^[0-7]{3,4}$/.test(flags.perms)) throw new UsageError(`--perms wants an octal mode such as 0644, not ${JSON.stringify(flags.perms)}`, PUSH_WORDS);
    const id = (flag: 'user' | 'group'): number | undefined => {
      const text = flags[flag];
      if (text === undefined) return undefined;
      if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) throw new UsageError(`--${flag} wants a numeric id inside the container (0–65535), not ${JSON.stringify(text)}`, PUSH_WORDS);
      return Number(text);
    };
    const [user, group] = [id('user'), id('group')];
    const target = globals.node === undefined ? {} : { node: globals.node };
    const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      throw new AppError(error.code === 'ENOENT' ? 'not-found' : 'invalid-params', `${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new AppError('invalid-params', `${file} is not a regular file`);
      let size = 0;
      for (const chunk of chunkPlan(info.size)) {
        const buffer = Buffer.alloc(chunk.length);
        const { bytesRead } = await handle.read(buffer, 0, chunk.length, chunk.offset);
        if (bytesRead !== chunk.length) throw new AppError('conflict', `${file} changed while it was being pushed — push it again`);
        ({ size } = await call(
          'ct.push',
          {
            vmid,
            path,
            data: buffer.toString('base64'),
            offset: chunk.offset,
            done: chunk.done,
            ...(flags.perms === undefined ? {} : { perms: flags.perms }),
            ...(user === undefined ? {} : { user }),
            ...(group === undefined ? {} : { group }),
          },
          target,
        ));
      }
      report(io, globals.output, { vmid, path, file, size }, `${file} → CT ${vmid}:${path}`);
      return 0;
    } finally {
      await handle.close();
    }
  },
});

export const ctPullCommand = (call: TargetedCall): CliCommand => ({
  path: PULL_WORDS,
  doc: 'Copy a file out of a running container (pct pull), over ct.pull in 4 MiB chunks; LOCAL_FILE is replaced only once all of it arrived.',
  usage: 'VMID CT_PATH LOCAL_FILE [--node NAME] [--output json|table]',
  async run(args, io) {
    const { words, globals } = parseExtraArgs(PULL_WORDS, args, { words: ['VMID', 'CT_PATH', 'LOCAL_FILE'] });
    const vmid = vmidWord(PULL_WORDS, words[0]!);
    const [, path, file] = words as [string, string, string];
    const target = globals.node === undefined ? {} : { node: globals.node };
    if ((await stat(file).catch(() => undefined))?.isDirectory()) throw new UsageError(`${file} is a folder: give LOCAL_FILE as a file name`, PULL_WORDS);
    const temp = `${file}.hd-pull-${randomBytes(6).toString('hex')}`;
    const handle = await open(temp, 'wx', 0o644);
    let closed = false;
    let renamed = false;
    try {
      let offset = 0;
      let size: number | undefined;
      for (;;) {
        const chunk = await call('ct.pull', { vmid, path, offset, length: CT_FILE_CHUNK }, target);
        if (size !== undefined && chunk.size !== size) throw new AppError('conflict', `CT ${vmid}: ${path} changed size while it was being pulled — pull it again`);
        size = chunk.size;
        const bytes = Buffer.from(chunk.data, 'base64');
        await handle.write(bytes, 0, bytes.length, offset);
        offset += bytes.length;
        if (chunk.eof) break;
        if (bytes.length === 0) throw new AppError('protocol-error', `CT ${vmid}: ${path}: an empty chunk at offset ${offset} before the end`);
      }
      await handle.close();
      closed = true;
      await rename(temp, file);
      renamed = true;
      report(io, globals.output, { vmid, path, file, size: offset }, `CT ${vmid}:${path} → ${file}`);
      return 0;
    } finally {
      if (!closed) await handle.close().catch(() => undefined);
      if (!renamed) await rm(temp, { force: true });
    }
  },
});
