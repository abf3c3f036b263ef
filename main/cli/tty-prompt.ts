// Answers the core's auth.prompt events on the terminal: questions on stderr (stdout may carry JSON),
// hidden input for non-echo prompts. Without a terminal every prompt is refused, and hdctl says so.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { AuthPrompt } from '../core/app-api';
import type { HyperdeskCoreHandle } from '../core/core-api';

export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/** Ask each prompt in turn; null when the person ends input (Ctrl-D) or interrupts (Ctrl-C). */
export const askOnTerminal = (prompt: AuthPrompt, terminal: Terminal): Promise<string[] | null> => {
  let muted = false;
  // readline echoes what is typed through its output; muting that stream hides a password.
  const output = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      if (!muted) terminal.output.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: terminal.input, output, terminal: true });
  const header = [`${prompt.node}: ${prompt.name}`.trim(), prompt.instructions].filter((line) => line !== '').join('\n');
  if (header !== '') terminal.output.write(`${header}\n`);
  return new Promise((resolve) => {
    const answers: string[] = [];
    let settled = false;
    const finish = (result: string[] | null) => {
      if (settled) return;
      settled = true;
      rl.close();
      resolve(result);
    };
    rl.on('close', () => finish(null));
    rl.on('SIGINT', () => {
      terminal.output.write('\n');
      finish(null);
    });
    const next = () => {
      const current = prompt.prompts[answers.length];
      if (!current) return finish(answers);
      muted = false;
      // question() writes the prompt at once; muting after it hides only what is typed.
      rl.question(current.prompt, (answer) => {
        if (muted) terminal.output.write('\n');
        muted = false;
        answers.push(answer);
        next();
      });
      muted = !current.echo;
    };
    next();
  });
};

export interface PromptResponder {
  /** A person is answering a prompt now: deadlines should wait. */
  busy(): boolean;
  /** Nodes whose prompts were refused because there is no terminal. */
  readonly refused: Set<string>;
  dispose(): void;
}

/** Answer every auth.prompt of `core` on the terminal, one at a time; refuse them all when there is none. */
export const answerPrompts = (core: HyperdeskCoreHandle, terminal: Terminal): PromptResponder => {
  const refused = new Set<string>();
  let queue: Promise<void> = Promise.resolve();
  let active = 0;
  const respond = (promptId: string, answers: string[] | null) =>
    core.handle('auth.respond', { promptId, answers }).then(
      () => undefined,
      () => undefined,
    );
  const off = core.on('auth.prompt', (prompt) => {
    if (terminal.input.isTTY !== true) {
      refused.add(prompt.node);
      void respond(prompt.promptId, null);
      return;
    }
    active++;
    queue = queue.then(async () => {
      try {
        await respond(prompt.promptId, await askOnTerminal(prompt, terminal));
      } finally {
        active--;
      }
    });
  });
  return { busy: () => active > 0, refused, dispose: off };
};
