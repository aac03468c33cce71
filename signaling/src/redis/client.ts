import type { createClient } from '@redis/client';

/**
 * The application's Redis client (made and bounded by plugins/redis.ts). Its type lives here, in
 * the Redis layer, so that the stores and the plugin that builds them both import it downward.
 */
export type RedisClient = ReturnType<typeof createClient>;
