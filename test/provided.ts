/** Values test/globalSetup.ts provides to every test file (vitest's inject()). */
declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's redis-server, as REDIS_URL (unix:///…/redis.sock). */
    redisUrl: string;
  }
}

export {};
