/**
 * Chat message ids. The server's are Redis Stream ids ("<ms>-<seq>"), which
 * order the chat; the client's own (clientMessageId) make a retry idempotent.
 */
import { compareStreamIdText } from '@chantier/signaling/protocol';

/** What the protocol accepts for a client message id. */
export const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_-]{8,64}$/;

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * A fresh client message id: 22 base64url characters, 132 random bits, so
 * that two messages of one author never share one (the server keeps one
 * message per author and id).
 */
export function newClientMessageId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(22));
  let id = '';
  for (const byte of bytes) id += BASE64URL[byte & 63];
  return id;
}

/**
 * Orders two stream ids "<ms>-<seq>" numerically (their string order is wrong
 * across digit counts), with the server's own parser (protocol/streamId.ts);
 * anything that is not an id sorts as 0-0.
 */
export function compareMessageIds(a: string, b: string): number {
  return compareStreamIdText(a, b);
}
