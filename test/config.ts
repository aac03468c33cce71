import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../signaling/src/config.js';
import './provided.js';
import { testTempDir } from './tempDir.js';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/**
 * A real config for a test app: loopback only, ports picked by the system,
 * one mediasoup worker, the run's Redis with a key prefix of its own. Outside
 * vitest (the benchmarks), the caller brings its own Redis.
 */
export function testConfig(env: Record<string, string> = {}, redisUrl?: string): Config {
  return loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: testTempDir('chantier-test-data'),
    REDIS_URL: redisUrl ?? inject('redisUrl'),
    REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
    JWT_SECRET: TEST_JWT_SECRET,
    RTC_LISTEN_IP: '127.0.0.1',
    RTC_PORT: '0',
    MEDIASOUP_WORKERS: '1',
    DEMO_PROJECT: '',
    ...env,
  });
}
