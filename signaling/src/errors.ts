import { MediaError } from '@chantier/sfu';
import { ErrorCode, type ErrorDetails } from './protocol/index.js';

/**
 * An error meant for the client: a stable code plus a short English message
 * for logs and developers. Handlers throw it; the dispatcher answers with it.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Sent to the client with the code (ErrorBody.details): WRONG_NODE's URL. */
    readonly details?: ErrorDetails,
  ) {
    super(message);
  }
}

const mediaCodes: Record<MediaError['code'], ErrorCode> = {
  NOT_FOUND: ErrorCode.NOT_FOUND,
  CANNOT_CONSUME: ErrorCode.CANNOT_CONSUME,
  BAD_PARAMS: ErrorCode.BAD_REQUEST,
  CLOSED: ErrorCode.ROOM_CLOSED,
  ROOM_FULL: ErrorCode.ROOM_FULL,
  AUDIO_ONLY: ErrorCode.AUDIO_ONLY,
};

/** The error as the client may see it; undefined for an unexpected one (→ INTERNAL, logged). */
export function toClientError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof MediaError) return new AppError(mediaCodes[error.code], error.message);
  return undefined;
}
