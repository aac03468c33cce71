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
  describe('TURN', () => {
    const SECRET = 'turn-secret-turn-secret-turn-secret-0123';

    it('has no TURN by default (empty iceServers, as before)', () => {
      expect(loadConfig(base()).turn).toBeUndefined();
      expect(loadConfig({ ...base(), TURN_URLS: ' , ' }).turn).toBeUndefined();
    });

    it('reads comma-separated URLs, the secret and a 12 h credential lifetime by default', () => {
      const config = loadConfig({
        ...base(),
        TURN_URLS: 'turn:turn.example.fr:3478?transport=udp, turn:turn.example.fr:3478?transport=tcp,turns:[2001:db8::1]:443',
        TURN_SECRET: SECRET,
      });
      expect(config.turn).toEqual({
        urls: ['turn:turn.example.fr:3478?transport=udp', 'turn:turn.example.fr:3478?transport=tcp', 'turns:[2001:db8::1]:443'],
        secret: SECRET,
        credentialTtlS: 43_200,
      });
      expect(Object.isFrozen(config.turn) && Object.isFrozen(config.turn!.urls)).toBe(true);
      expect(loadConfig({ ...base(), TURN_URLS: 'turn:127.0.0.1', TURN_SECRET: SECRET, TURN_CREDENTIAL_TTL_S: '600' }).turn!.credentialTtlS).toBe(600);
    });

    it.each([
      [{ TURN_URLS: 'turn:127.0.0.1:3478' }, /TURN_SECRET must be at least 32/],
      [{ TURN_URLS: 'turn:127.0.0.1:3478', TURN_SECRET: 'short' }, /TURN_SECRET must be at least 32/],
      [{ TURN_URLS: 'stun:127.0.0.1:3478', TURN_SECRET: SECRET }, /not a turn: or turns: URL/],
      [{ TURN_URLS: 'turn:127.0.0.1:3478?transport=sctp', TURN_SECRET: SECRET }, /not a turn: or turns: URL/],
      [{ TURN_URLS: 'https://turn.example.fr', TURN_SECRET: SECRET }, /not a turn: or turns: URL/],
      [{ TURN_SECRET: SECRET }, /TURN_SECRET is set but TURN_URLS is empty/],
      [{ TURN_URLS: 'turn:127.0.0.1', TURN_SECRET: SECRET, TURN_CREDENTIAL_TTL_S: '9' }, /TURN_CREDENTIAL_TTL_S must be between 10 and 86400/],
      [{ TURN_URLS: 'turn:127.0.0.1', TURN_SECRET: SECRET, TURN_CREDENTIAL_TTL_S: '86401' }, /TURN_CREDENTIAL_TTL_S must be between/],
    ])('refuses %o', (env, message) => {
      expect(() => loadConfig({ ...base(), ...env })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base(), ...env })).toThrow(message);
    });
  });
});
