// `hdctl storage content upload --storage local --content iso FILE`: the app's resumable, sha256-checked upload
// (main/core/storage-upload.ts) from the command line. Progress on stderr, the sha256 and the volume id on
// stdout; Ctrl+C cancels (what was sent stays staged on the node, and running the command again resumes).
import { AppError } from '../../node-agent/src/api';
import type { CliCommand, CliIo } from '../../node-agent/src/cli/run-cli';
import { defaultGlobals, takeGlobal, UsageError } from '../../node-agent/src/cli/parse-args';
import type { UploadProgress } from '../core/app-api';
import type { CliCore } from './cli-core';
import { routeCall, type RoutableNode } from './node-route';

const WORDS = ['storage', 'content', 'upload'] as const;
const MiB = 1024 * 1024;

/** Subscribe to interruptions (SIGINT); returns the unsubscribe. */
export type Interrupts = (handler: () => void) => () => void;

interface UploadArgs {
  storage: string;
  content: 'iso' | 'vztmpl';
  file: string;
  filename?: string;
  node?: string;
  output: 'json' | 'table';
}

const parseUploadArgs = (args: readonly string[]): UploadArgs => {
  const globals = defaultGlobals();
  const flags: Record<string, string> = {};
  const files: string[] = [];
  for (let i = 0; i < args.length; ) {
    const used = takeGlobal(args, i, globals);
    if (used > 0) {
      i += used;
      continue;
    }
    const word = args[i]!;
    const flag = /^--(storage|content|filename)(?:=(.*))?$/.exec(word);
    if (flag) {
      const value = flag[2] ?? args[i + 1];
      if (value === undefined || value === '') throw new UsageError(`--${flag[1]} needs a value`, WORDS);
      flags[flag[1]!] = value;
      i += flag[2] === undefined ? 2 : 1;
    } else if (word.startsWith('-') && word !== '-') {
      throw new UsageError(`unknown option ${JSON.stringify(word)} for '${WORDS.join(' ')}'`, WORDS);
    } else {
      files.push(word);
      i += 1;
    }
  }
  const { storage, content, filename } = flags;
  if (storage === undefined) throw new UsageError(`'${WORDS.join(' ')}' needs --storage`, WORDS);
  if (content !== 'iso' && content !== 'vztmpl') throw new UsageError('--content wants iso or vztmpl', WORDS);
  if (files.length !== 1) throw new UsageError(`'${WORDS.join(' ')}' needs exactly one FILE`, WORDS);
  return {
    storage,
    content,
    file: files[0]!,
    ...(filename !== undefined ? { filename } : {}),
    ...(globals.node !== undefined ? { node: globals.node } : {}),
    output: globals.output,
  };
};

const mib = (bytes: number) => (bytes / MiB).toFixed(1);

/** Prints a line per state and per 10 % while bytes move, so a log file stays short. */
const progressPrinter = (io: CliIo) => {
  let state = '';
  let step = -1;
  return (p: UploadProgress) => {
    const percent = p.total === 0 ? 100 : Math.floor((p.sent / p.total) * 100);
    const changed = p.state !== state;
    if (!changed && Math.floor(percent / 10) === step) return;
    if (changed && p.state === 'uploading' && p.sent > 0) io.err(`resuming at ${mib(p.sent)} MiB (already on the node)\n`);
    state = p.state;
    step = Math.floor(percent / 10);
    if (p.state === 'hashing' || p.state === 'uploading')
      io.err(`${p.state} ${percent}% (${mib(p.sent)} of ${mib(p.total)} MiB)\n`);
    else if (p.state === 'verifying') io.err(`verifying the sha256 on node ${p.node}\n`);
  };
};

export const storageUploadCommand = (
  nodes: () => Promise<RoutableNode[]>,
  core: CliCore,
  interrupts?: Interrupts,
): CliCommand => ({
  path: WORDS,
  doc: 'Upload an ISO image or container template from this computer to a storage over SFTP: resumable (run it again after a failure), checked by sha256.',
  usage: '--storage ID --content iso|vztmpl [--filename NAME] [--node NAME] [--output json|table] FILE',
  async run(args, io) {
    const request = parseUploadArgs(args);
    const node = routeCall(await nodes(), request.node, {});
    const handle = await core.online(node.key);
    const print = progressPrinter(io);
    let uploadId: string | undefined;
    const early: UploadProgress[] = [];
    let finish: (last: UploadProgress) => void = () => undefined;
    const finished = new Promise<UploadProgress>((resolve) => (finish = resolve));
    const seen = (p: UploadProgress) => {
      print(p);
      if (p.state === 'done' || p.state === 'failed' || p.state === 'cancelled') finish(p);
    };
    // Events may come before start() answers: keep them until the upload's id is known.
    const stop = handle.on('upload.progress', (p) => {
      if (uploadId === undefined) early.push(p);
      else if (p.uploadId === uploadId) seen(p);
    });
    let cancelled = false;
    const stopInterrupts = interrupts?.(() => {
      cancelled = true;
      io.err('cancelling…\n');
      if (uploadId !== undefined) void handle.handle('storage.upload.cancel', { uploadId }).catch(() => undefined);
    });
    try {
      ({ uploadId } = await handle.handle('storage.upload', {
        node: node.key,
        storage: request.storage,
        content: request.content,
        path: request.file,
        ...(request.filename !== undefined ? { filename: request.filename } : {}),
      }));
      for (const p of early) if (p.uploadId === uploadId) seen(p);
      if (cancelled) await handle.handle('storage.upload.cancel', { uploadId }).catch(() => undefined);
      const last = await finished;
      if (last.state === 'failed') throw AppError.fromWire(last.error ?? { code: 'internal-error', message: 'the upload failed' });
      if (last.state === 'cancelled')
        throw new AppError('cancelled', `the upload of ${last.filename} was cancelled — run the command again to resume`);
      if (request.output === 'json')
        io.out(`${JSON.stringify({ volid: last.volid, sha256: last.sha256, size: last.total }, null, 2)}\n`);
      else io.out(`${last.sha256 ?? ''}  ${last.volid ?? ''}\n`);
      return 0;
    } finally {
      stop();
      stopInterrupts?.();
    }
  },
});
