import type { FastifyInstance } from 'fastify';
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { buildApp, type BuildOptions } from '../signaling/src/app.js';
import { mintAccessToken, type MintOptions } from '../signaling/src/auth/tokens.js';
import type { Config } from '../signaling/src/config.js';
import { testConfig } from './config.js';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  /** http://<HOST>:<port>: 127.0.0.1 unless the env given says otherwise (a net lab's hostIp). */
  url: string;
  token(options?: Partial<MintOptions>, secret?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real app on a real config, listening on a free port of HOST (loopback
 * by default; a net lab passes its root-side address as HOST and
 * RTC_LISTEN_IP). `redisUrl`: outside vitest. `build`: buildApp's options
 * (a logStream, with LOG_LEVEL in `env`, for a test that reads the log).
 */
export async function startTestApp(env: Record<string, string> = {}, redisUrl?: string, build: BuildOptions = {}): Promise<TestApp> {
  const config = testConfig(env, redisUrl);
  const app = await buildApp(config, build);
  await app.listen({ host: config.host, port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    config,
    url: `http://${config.host}:${port}`,
    token: (options = {}, secret = config.jwtSecret) =>
      mintAccessToken(
        {
          userId: options.userId ?? `user-${Math.random().toString(36).slice(2, 8)}`,
          displayName: options.displayName ?? 'Test',
          projectId: options.projectId ?? 'p1',
          role: options.role ?? 'member',
          ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {}),
          ...(options.roomId !== undefined ? { roomId: options.roomId } : {}),
          issuer: config.jwt.issuer,
          audience: config.jwt.audience,
        },
        secret,
      ),
    close: async () => {
      await app.close();
      // The temp data dir testConfig made for this app goes with it; one the test gave is the test's.
      if (env.DATA_DIR === undefined) await rm(config.dataDir, { recursive: true, force: true });
    },
  };
}

export interface LoggedTestApp extends TestApp {
  /** Everything the app logged so far (pino's JSON lines). */
  log(): string;
}

/** The real app at LOG_LEVEL trace, its log lines kept for the test to read (what must never be logged). */
export async function startLoggedTestApp(env: Record<string, string> = {}): Promise<LoggedTestApp> {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const started = await startTestApp({ LOG_LEVEL: 'trace', ...env }, undefined, { logStream: stream });
  return { ...started, log: () => lines.join('') };
}
