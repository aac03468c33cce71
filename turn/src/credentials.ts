/**
 * TURN REST credentials (draft-uberti-behave-turn-rest, coturn's
 * `use-auth-secret`): nothing is stored per user. The signaling server and
 * coturn share a secret; the username carries its own expiry and the
 * password is an HMAC of the username, which coturn recomputes.
 */
import { createHmac } from 'node:crypto';

export interface TurnSettings {
  /** turn:/turns: URLs handed to browsers. */
  readonly urls: readonly string[];
  /** Shared with coturn's `static-auth-secret`. */
  readonly secret: string;
  /** How long a handed-out credential stays valid, in seconds. */
  readonly credentialTtlS: number;
}

export interface TurnCredential {
  /** `"<expiry unix seconds>:<userId>"`. */
  readonly username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  readonly credential: string;
  /** Expiry, unix seconds (also the username's prefix). */
  readonly expiresAt: number;
}

/** The credential coturn accepts for `userId` until `nowMs + ttlS`. */
export function turnCredential(secret: string, userId: string, ttlS: number, nowMs: number = Date.now()): TurnCredential {
  const expiresAt = Math.floor(nowMs / 1000) + ttlS;
  const username = `${expiresAt}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}

/** What the hello response's `iceServers` carries: nothing when TURN is not configured. */
export function iceServersFor(
  turn: TurnSettings | undefined,
  userId: string,
  nowMs: number = Date.now(),
): { urls: string[]; username: string; credential: string }[] {
  if (!turn || turn.urls.length === 0) return [];
  const { username, credential } = turnCredential(turn.secret, userId, turn.credentialTtlS, nowMs);
  return [{ urls: [...turn.urls], username, credential }];
}
