/**
 * Errors the SFU raises on purpose. The signaling layer maps each code onto
 * its protocol error code; anything else is an internal error.
 */
export type MediaErrorCode =
  /** No such transport, producer or consumer for this peer. */
  | 'NOT_FOUND'
  /** The consuming device lacks a codec of the producer. */
  | 'CANNOT_CONSUME'
  /** Parameters rejected by mediasoup (malformed RTP or DTLS parameters). */
  | 'BAD_PARAMS'
  /** The room or peer is closed. */
  | 'CLOSED'
  /** The room is at its participant limit. */
  | 'ROOM_FULL'
  /** A video consumer for a peer that receives audio only. */
  | 'AUDIO_ONLY';

export class MediaError extends Error {
  override readonly name = 'MediaError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * mediasoup reports invalid parameters (from its own checks or the worker's)
 * as TypeError, and codecs it cannot handle as UnsupportedError.
 */
export function isParameterError(error: unknown): boolean {
  return error instanceof TypeError || (error instanceof Error && error.name === 'UnsupportedError');
}

/** Runs a mediasoup call fed with client-supplied parameters; maps their rejection to BAD_PARAMS. */
export async function withClientParams<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isParameterError(error)) throw new MediaError('BAD_PARAMS', `${what}: ${(error as Error).message}`);
    throw error;
  }
}
