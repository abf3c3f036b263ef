// The closed error vocabulary shared by the agent, main/core, the CLI and the UI.
// The UI and CLI branch on `code`, never on message text.
import { z } from 'zod';

export const errorCodes = [
  'invalid-params',
  'not-found',
  'already-exists',
  'conflict',
  'locked',
  'access-denied',
  'unreachable',
  'timeout',
  'cancelled',
  'not-supported',
  'protocol-error',
  'command-failed',
  'internal-error',
] as const;

export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const WireError = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type WireError = z.infer<typeof WireError>;

/** An error that crosses process boundaries intact: code, message naming the object, details. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromWire(wire: WireError): AppError {
    return new AppError(wire.code, wire.message, wire.details);
  }

  /** Any thrown value as an AppError; unknown errors become internal-error. */
  static from(error: unknown): AppError {
    if (error instanceof AppError) return error;
    const parsed = WireError.safeParse(error);
    if (parsed.success) return AppError.fromWire(parsed.data);
    if (error instanceof Error && error.name === 'AbortError') return new AppError('cancelled', 'the operation was cancelled');
    const message = error instanceof Error ? error.message : String(error);
    return new AppError('internal-error', message);
  }
}

export const isAppError = (error: unknown, code?: ErrorCode): error is AppError =>
  error instanceof AppError && (code === undefined || error.code === code);
