/** Values test/globalSetup.ts provides to every test file (vitest's inject()). */
declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's redis-server, as REDIS_URL (unix:///…/redis.sock). */
    redisUrl: string;
    /** The run's temp root (removed at the project's end): test/tempDir.ts makes dirs in it. */
    tempRoot: string;
  }
}

export {};
