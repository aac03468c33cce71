/**
 * Error codes the client shows to the user: the protocol's codes plus the ones
 * only the client can detect. Client codes live here, not in the protocol,
 * because the server never sends them.
 */
import { errorCodes, type ErrorCode } from '@chantier/signaling/protocol';

export const ClientErrorCode = {
  /** A request got no answer in time. */
  TIMEOUT: 'TIMEOUT',
  /** The WebSocket could not open or closed under us. */
  CONNECTION_LOST: 'CONNECTION_LOST',
  /** No camera or microphone, or the chosen one cannot be opened. */
  NO_DEVICE: 'NO_DEVICE',
  /** The user or the browser refused access to the camera or microphone. */
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  /** The meeting link lacks its project, room or token. */
  INVALID_LINK: 'INVALID_LINK',
  /** The browser cannot do WebRTC as mediasoup-client needs. */
  UNSUPPORTED_BROWSER: 'UNSUPPORTED_BROWSER',
} as const;

export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** Every code the UI may have to explain. */
export type AppErrorCode = ErrorCode | ClientErrorCode;

export const clientErrorCodes: readonly ClientErrorCode[] = Object.values(ClientErrorCode);
export const appErrorCodes: readonly AppErrorCode[] = [...errorCodes, ...clientErrorCodes];

const knownServerCodes: ReadonlySet<string> = new Set(errorCodes);

/** A code from the wire, or INTERNAL when the server sent one we do not know. */
export function toServerErrorCode(code: string): ErrorCode {
  return knownServerCodes.has(code) ? (code as ErrorCode) : 'INTERNAL';
}

/** The code to show for any failure: a SignalingError's code, else INTERNAL. */
export function errorCodeOf(error: unknown): AppErrorCode {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && (appErrorCodes as readonly string[]).includes(code)) return code as AppErrorCode;
  }
  return 'INTERNAL';
}

/** What a library's errback takes: the error itself, or an Error that says what was thrown. */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Whether trying again with the same link can help. Not for a bad or expired
 * link, a refusal, or a browser that cannot do it: the user needs a new link
 * or another browser, and a retry button would only loop.
 */
export function isRetryable(code: AppErrorCode): boolean {
  switch (code) {
    case 'INVALID_LINK':
    case 'UNAUTHORIZED':
    case 'TOKEN_EXPIRED':
    case 'FORBIDDEN':
    case 'UNSUPPORTED_BROWSER':
    case 'UNSUPPORTED_PROTOCOL':
    case 'REMOVED':
    case 'INVITATION_INVALID':
    case 'INVITATION_EXPIRED':
    case 'INVITATION_USED_UP':
    case 'INVITATIONS_DISABLED':
      return false;
    default:
      return true;
  }
}
