import fp from 'fastify-plugin';
import { join } from 'node:path';
import { createClient } from 'redis';
import type { Config } from '../config.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../redis/embedded.js';
import { makeKeys, type Keys } from '../store/keys.js';
import { MeetingPresence } from '../store/meetingPresence.js';

export type RedisClient = ReturnType<typeof createClient>;

declare module 'fastify' {
  interface FastifyInstance {
    redis: RedisClient;
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
      embedded = await startEmbeddedRedis({ dir: join(config.dataDir, 'redis'), log: app.log, appendfsync: config.redisAppendfsync });
    }
    const socketPath = embedded?.socketPath ?? unixSocketPath(config.redisUrl);
    const client: RedisClient = socketPath
      ? createClient({ socket: { path: socketPath, tls: false } })
      : createClient({ url: config.redisUrl });
    // The client reconnects by itself; errors are logged, never thrown at the process.
    client.on('error', (error: Error) => app.log.warn({ err: error }, 'redis client error'));
    try {
      await client.connect();
    } catch (error) {
      await embedded?.stop();
      throw error;
    }
    app.decorate('redis', client);
    app.decorate('keys', makeKeys(config.redisKeyPrefix));
    app.decorate('meetingPresence', new MeetingPresence(client, app.keys));
    app.addHook('onClose', async () => {
      try {
        await client.close();
      } catch {
        client.destroy();
      }
      await embedded?.stop();
    });
  },
  { name: 'redis' },
);

/** REDIS_URL may name a Unix socket as unix:///path/to/redis.sock. */
function unixSocketPath(url: string | undefined): string | undefined {
  return url?.startsWith('unix://') ? url.slice('unix://'.length) : undefined;
}
