// The renderer's side of the error vocabulary: envelopes from main become UiError, and the UI branches on `code`.
// Defined here (not imported from node-agent) because the renderer may import only types from the contract.
import type { ErrorCode, WireError } from '../../node-agent/src/api';

export class UiError extends Error {
  override readonly name = 'UiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  static fromWire(wire: WireError): UiError {
    return new UiError(wire.code, wire.message, wire.details);
  }

  /** Anything thrown (a bug in the renderer, a transport failure) as a UiError; unknown becomes internal-error. */
  static from(error: unknown): UiError {
    if (error instanceof UiError) return error;
    if (isWireError(error)) return UiError.fromWire(error);
    return new UiError('internal-error', error instanceof Error ? error.message : String(error));
  }
}

const isWireError = (value: unknown): value is WireError =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { code?: unknown }).code === 'string' &&
  typeof (value as { message?: unknown }).message === 'string';
