import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const base = () => ({ DATA_DIR: mkdtempSync(join(tmpdir(), 'chantier-config-')) });

describe('loadConfig', () => {
  it('has defaults that run the embedded service', () => {
    const env = base();
    const config = loadConfig(env);
    expect(config.port).toBe(3000);
    expect(config.redisUrl).toBeUndefined();
    expect(config.sfu.port).toBe(40000);
    expect(config.sfu.numWorkers).toBeGreaterThan(0);
    expect(config.demo).toEqual({ projectId: 'demo', roomId: 'reunion' });
    expect(Object.isFrozen(config) && Object.isFrozen(config.sfu)).toBe(true);
  });

  it('creates the JWT secret once in the data dir and keeps it across restarts', () => {
    const env = base();
    const first = loadConfig(env).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(env.DATA_DIR, 'jwt-secret'), 'utf8').trim()).toBe(first);
    expect(loadConfig(env).jwtSecret).toBe(first);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be an integer/],
    [{ PORT: '70000' }, /PORT must be between/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ JWT_SECRET: 'short' }, /at least 32/],
    [{ MEDIASOUP_WORKERS: '0' }, /MEDIASOUP_WORKERS/],
  ])('refuses %o with a clear message', (env, message) => {
    expect(() => loadConfig({ ...base(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base(), ...env })).toThrow(message);
  });

  it('announces the listen address when it is a specific one', () => {
    const config = loadConfig({ ...base(), RTC_LISTEN_IP: '127.0.0.1' });
    expect(config.sfu.announcedAddress).toBeUndefined();
    expect(loadConfig({ ...base(), RTC_ANNOUNCED_ADDRESS: 'meet.example.fr' }).sfu.announcedAddress).toBe(
      'meet.example.fr',
    );
  });
});
