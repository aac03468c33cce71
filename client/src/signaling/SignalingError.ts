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
    /** What the server's error carried beside its code (WRONG_NODE: the URL of the meeting's node). */
    readonly details?: { url: string },
  ) {
    super(message);
  }
}

export function isSignalingError(error: unknown): error is SignalingError {
  return error instanceof SignalingError;
}
