import fp from 'fastify-plugin';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import type { Config } from '../config.js';
import { bounded, boundedClientOptions, closeWithin } from '../redis/bounded.js';
import type { RedisClient } from '../redis/client.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../redis/embedded.js';
import { RedisLink } from '../redis/RedisLink.js';
import { makeKeys, type Keys } from '../store/keys.js';
import { MeetingPresence } from '../store/meetingPresence.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every command bounded by REDIS_TIMEOUT_MS, failing with UNAVAILABLE (redis/bounded.ts). */
    redis: RedisClient;
    /** Whether Redis is reachable; `restored` after an outage (redis/RedisLink.ts). */
    redisLink: RedisLink;
    keys: Keys;
    meetingPresence: MeetingPresence;
  }
}

/**
 * Connects to REDIS_URL, or starts the embedded redis-server when it is unset.
 * Closed last on shutdown (after rooms, which write presence on their way out).
 */
export const redisPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    let embedded: EmbeddedRedis | undefined;
    if (!config.redisUrl) {
      embedded = await startEmbeddedRedis({
        dir: join(config.dataDir, 'redis'),
        log: app.log,
        appendfsync: config.redisAppendfsync,
      });
    }
    const socketPath = embedded?.socketPath ?? unixSocketPath(config.redisUrl);
    // While Redis is unreachable commands fail at once (UNAVAILABLE) rather
    // than queue for its return; each one waits at most REDIS_TIMEOUT_MS.
    const { socket: socketOptions, ...options } = boundedClientOptions(config.redisTimeoutMs);
    const socket = { ...socketOptions, ...(socketPath ? { path: socketPath, tls: false as const } : {}) };
    const client: RedisClient = socketPath
      ? createClient({ ...options, socket })
      : createClient({ ...options, url: config.redisUrl, socket });
    // The client reconnects by itself; the link logs each change once, never throws at the process.
    const link = new RedisLink(client, app.log.child({ component: 'redis' }));
    try {
      await client.connect();
    } catch (error) {
      await embedded?.stop();
      throw error;
    }
    app.decorate('redis', bounded(client, config.redisTimeoutMs));
    app.decorate('redisLink', link);
    app.decorate('keys', makeKeys(config.redisKeyPrefix));
    app.decorate('meetingPresence', new MeetingPresence(app.redis, app.keys));
    app.addHook('onClose', async () => {
      link.closing();
      // close() waits for pending commands, forever while Redis is down.
      await closeWithin(client, config.redisTimeoutMs);
      await embedded?.stop();
    });
  },
  { name: 'redis' },
);

/** REDIS_URL may name a Unix socket as unix:///path/to/redis.sock. */
function unixSocketPath(url: string | undefined): string | undefined {
  return url?.startsWith('unix://') ? url.slice('unix://'.length) : undefined;
}
