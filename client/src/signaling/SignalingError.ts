import type { AppErrorCode } from '../errors';

/**
 * A failed request or connection. `code` is what the UI explains (through
 * i18n); `message` is for logs only and may be the server's text.
 */
export class SignalingError extends Error {
  override readonly name = 'SignalingError';

  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** The request type that failed, when there was one. */
    readonly requestType?: string,
  ) {
    super(message);
  }
}

export function isSignalingError(error: unknown): error is SignalingError {
  return error instanceof SignalingError;
}
