/**
 * A protocol client that has said hello, for integration tests: a socket on
 * the test app, a token minted for the given identity, and the hello's answer.
 */
import { expect } from 'vitest';
import type { MintOptions } from '../signaling/src/auth/tokens.js';
import { PROTOCOL_VERSION, type ResponseData } from '../signaling/src/protocol/index.js';
import type { TestApp } from './app.js';
import { TestClient } from './TestClient.js';

export interface HelloSession {
  c: TestClient;
  hello: ResponseData<'hello'>;
  token: string;
}

export interface HelloOptions extends Partial<MintOptions> {
  projectId: string;
  /** A meeting socket for this room (no join); unset: a project page's socket. */
  room?: string;
  /** A token to use instead of minting one. */
  token?: string;
}

/** Connects, mints (or takes) a token and says hello; the caller closes `c`. */
export async function helloSession(t: TestApp, options: HelloOptions): Promise<HelloSession> {
  const token = options.token ?? (await t.token(options));
  const c = await TestClient.connect(t.url);
  try {
    const hello = await c.request('hello', {
      protocol: PROTOCOL_VERSION,
      token,
      projectId: options.projectId,
      ...(options.room !== undefined ? { roomId: options.room } : {}),
    });
    return { c, hello, token };
  } catch (error) {
    c.close();
    throw error;
  }
}

/** An HTTP request with a bearer token; the body parsed as JSON (empty: {}). */
export async function httpJson(
  url: string,
  path: string,
  token: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Closes the clients a test opened (and empties the list), after checking that all the server sent them matched the protocol. */
export function closeCheckedClients(clients: TestClient[]): void {
  for (const c of clients) {
    expect(c.violations, 'server messages must match the protocol').toEqual([]);
    c.close();
  }
  clients.length = 0;
}
