/**
 * Recognises the server's envelopes. The server validates what it sends against
 * the protocol's schemas (and its tests check it), so the client checks only
 * the envelope's shape here and trusts `data` to match the protocol's types;
 * a full schema check would put the TypeBox compiler in the bundle.
 */
import { NOTIFICATION_TYPES, type ErrorCode, type NotificationType } from '@chantier/signaling/protocol';
import { toServerErrorCode } from '../errors';

export type ServerEnvelope =
  | { kind: 'res'; id: number | null; ok: true; data: unknown }
  | { kind: 'res'; id: number | null; ok: false; error: { code: ErrorCode; message: string; details?: { url: string } } }
  | { kind: 'ntf'; type: NotificationType; data: unknown; seq?: number };

/** Why a message was dropped, for the log. */
export type ParseFailure = { kind: 'invalid'; reason: string };

const notificationTypes: ReadonlySet<string> = new Set(NOTIFICATION_TYPES);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseServerMessage(text: string): ServerEnvelope | ParseFailure {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  if (!isRecord(message)) return { kind: 'invalid', reason: 'not an object' };

  if (message.kind === 'res') {
    const id = message.id;
    if (id !== null && typeof id !== 'number') return { kind: 'invalid', reason: 'response without id' };
    if (message.ok === true) return { kind: 'res', id, ok: true, data: message.data ?? {} };
    if (message.ok === false && isRecord(message.error)) {
      const { code, message: text, details } = message.error;
      const url = isRecord(details) && typeof details.url === 'string' && details.url.length <= 2048 ? details.url : undefined;
      return {
        kind: 'res',
        id,
        ok: false,
        error: {
          code: toServerErrorCode(typeof code === 'string' ? code : ''),
          message: typeof text === 'string' ? text : '',
          ...(url !== undefined ? { details: { url } } : {}),
        },
      };
    }
    return { kind: 'invalid', reason: 'response without ok/error' };
  }

  if (message.kind === 'ntf') {
    const type = message.type;
    // An unknown notification is a newer server talking: ignore it, do not fail.
    if (typeof type !== 'string' || !notificationTypes.has(type)) {
      return { kind: 'invalid', reason: `unknown notification ${String(type)}` };
    }
    // Meeting sockets number their notifications (resume); a bad number is ignored, not fatal.
    const seq = message.seq;
    const numbered = typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0;
    return { kind: 'ntf', type: type as NotificationType, data: message.data, ...(numbered ? { seq } : {}) };
  }

  return { kind: 'invalid', reason: `unknown kind ${String(message.kind)}` };
}
