// One JSON-RPC session on the serving side: validate every request against the contract, dispatch, answer.
// A bad request gets a typed error; nothing a client sends can take the daemon down.
import type { z } from 'zod';
import { AppError, isMethodName, methods, type MethodName, type ParsedParams, type Result } from '../api';
import { encode, RequestMessage, type RequestId } from './wire';

export interface CallContext {
  readonly signal: AbortSignal;
  readonly session: RpcSession;
}

export type Handler<M extends MethodName> = (params: ParsedParams<M>, ctx: CallContext) => Promise<Result<M>> | Result<M>;
export type Handlers = { [M in MethodName]: Handler<M> };

const issuesOf = (error: z.ZodError) =>
  error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));

export class RpcSession {
  private readonly inflight = new Map<RequestId, AbortController>();
  private readonly disposers: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly handlers: Omit<Handlers, 'rpc.cancel'>,
    private readonly write: (line: string) => void,
  ) {}

  /** Send a notification (events). */
  notify(method: string, params: unknown): void {
    if (!this.closed) this.write(encode({ jsonrpc: '2.0', method, params }));
  }

  /** Run cleanup when the session ends (subscriptions, watchers). */
  onDispose(dispose: () => void): void {
    this.disposers.push(dispose);
  }

  async receive(line: string): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      this.reply(null, new AppError('protocol-error', 'the message is not valid JSON'));
      return;
    }
    const request = RequestMessage.safeParse(raw);
    if (!request.success) {
      const id = RequestMessage.shape.id.safeParse((raw as { id?: unknown } | null)?.id);
      this.reply(id.success ? id.data : null, new AppError('protocol-error', 'the message is not a JSON-RPC 2.0 request'));
      return;
    }
    const { id, method, params } = request.data;
    if (!isMethodName(method)) {
      this.reply(id, new AppError('not-found', `unknown method ${method}`));
      return;
    }
    const parsed = methods[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      this.reply(id, new AppError('invalid-params', `invalid parameters for ${method}`, { issues: issuesOf(parsed.error) }));
      return;
    }
    if (method === 'rpc.cancel') {
      const target = parsed.data as ParsedParams<'rpc.cancel'>;
      this.inflight.get(target.id)?.abort();
      this.reply(id, undefined, {});
      return;
    }
    if (this.inflight.has(id)) {
      this.reply(id, new AppError('protocol-error', `request id ${id} is already in flight`));
      return;
    }
    const controller = new AbortController();
    this.inflight.set(id, controller);
    try {
      const handler = this.handlers[method] as Handler<typeof method>;
      const result = await handler(parsed.data as never, { signal: controller.signal, session: this });
      this.reply(id, undefined, result);
    } catch (error) {
      const appError = controller.signal.aborted ? new AppError('cancelled', `${method} was cancelled`) : AppError.from(error);
      this.reply(id, appError);
    } finally {
      this.inflight.delete(id);
    }
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.inflight.values()) controller.abort();
    this.inflight.clear();
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  private reply(id: RequestId | null, error: AppError | undefined, result?: unknown): void {
    if (this.closed) return;
    this.write(
      encode(error ? { jsonrpc: '2.0', id, error: error.toWire() } : { jsonrpc: '2.0', id, result: result ?? null }),
    );
  }
}
