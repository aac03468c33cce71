/**
 * A platform's key server for tests: a JWKS on 127.0.0.1 (node:http), whose
 * keys can be added and withdrawn (rotation), and a signer for each key.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

export interface PlatformKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  /** Signs `claims` with this key; `header` overrides the protected header (e.g. no kid). */
  sign(claims: JWTPayload, options?: { expiresInS?: number; header?: Record<string, unknown> }): Promise<string>;
}

export interface JwksServer {
  /** http://127.0.0.1:<port>/.well-known/jwks.json */
  readonly url: string;
  /** How many times the key set was fetched. */
  readonly fetches: number;
  addKey(alg: 'RS256' | 'ES256', kid?: string): Promise<PlatformKey>;
  /** Stops publishing a key (its tokens then fail once the verifier refetches). */
  removeKey(kid: string): void;
  /** The published public keys (as served). */
  keys(): JWK[];
  close(): Promise<void>;
}

let kidCounter = 0;

export async function startJwksServer(): Promise<JwksServer> {
  const published = new Map<string, JWK>();
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    if (request.url !== '/.well-known/jwks.json') {
      response.writeHead(404).end();
      return;
    }
    fetches++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [...published.values()] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get fetches() {
      return fetches;
    },
    async addKey(alg, kid = `k${++kidCounter}-${alg.toLowerCase()}`) {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      published.set(kid, { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' });
      return {
        kid,
        alg,
        sign: (claims, options = {}) =>
          new SignJWT(claims)
            .setProtectedHeader({ alg, kid, typ: 'JWT', ...options.header } as { alg: string })
            .setIssuedAt()
            .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInS ?? 3600))
            .sign(privateKey),
      };
    },
    removeKey(kid) {
      published.delete(kid);
    },
    keys: () => [...published.values()],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
