// Keyboard-interactive and password prompts from every node session, shown to the person and answered by id.
import { randomUUID } from 'node:crypto';
import { AppError } from '../../node-agent/src/api';
import type { AuthPrompt } from './app-api';
import type { AuthPrompter } from './node-session-api';

export const AUTH_PROMPT_TIMEOUT_MS = 5 * 60_000;

export class AuthPrompts {
  private readonly listeners = new Set<(prompt: AuthPrompt) => void>();
  private readonly pending = new Map<string, { answer: (answers: string[] | null) => void; count: number }>();
  private closed = false;

  /** The prompter every session gets: an auth.prompt event, answered by respond() or cancelled after 5 minutes. */
  readonly prompter: AuthPrompter = (request) => {
    // Nobody to ask (the CLI without a terminal, a host with no page open): fail the attempt at once.
    if (this.closed || this.listeners.size === 0) return Promise.resolve(null);
    return new Promise((resolve) => {
      const promptId = randomUUID();
      const timer = setTimeout(() => answer(null), AUTH_PROMPT_TIMEOUT_MS);
      const answer = (answers: string[] | null) => {
        clearTimeout(timer);
        this.pending.delete(promptId);
        resolve(answers);
      };
      this.pending.set(promptId, { answer, count: request.prompts.length });
      const prompt: AuthPrompt = {
        promptId,
        node: request.node,
        name: request.name,
        instructions: request.instructions,
        prompts: request.prompts.map((p) => ({ prompt: p.prompt, echo: p.echo })),
      };
      for (const listener of this.listeners) listener(prompt);
    });
  };

  on(listener: (prompt: AuthPrompt) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  respond(promptId: string, answers: string[] | null): Promise<Record<string, never>> {
    const pending = this.pending.get(promptId);
    if (!pending)
      throw new AppError(
        'not-found',
        `authentication prompt ${promptId} is not waiting (answered, cancelled or timed out)`,
      );
    if (answers && answers.length !== pending.count) {
      throw new AppError(
        'invalid-params',
        `authentication prompt ${promptId} asked ${pending.count} question(s) but got ${answers.length} answer(s)`,
      );
    }
    pending.answer(answers);
    return Promise.resolve({});
  }

  /** Cancel every open prompt; later ones are refused. */
  close(): void {
    this.closed = true;
    for (const pending of [...this.pending.values()]) pending.answer(null);
  }
}
