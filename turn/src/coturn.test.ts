import { describe, expect, it } from 'vitest';
import { renderCoturnConfig, type CoturnSettings } from './coturn.js';

const settings: CoturnSettings = {
  secret: 's'.repeat(40),
  realm: 'chantier',
  listeningIp: '127.0.0.1',
  relayIp: '127.0.0.1',
  port: 34780,
  minPort: 50000,
  maxPort: 50099,
  dir: '/tmp/coturn-x',
  extraLines: ['allow-loopback-peers'],
};

describe('renderCoturnConfig', () => {
  it('writes every setting TESTING.md asks for', () => {
    const lines = renderCoturnConfig(settings).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual([
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      'listening-port=34780',
      'min-port=50000',
      'max-port=50099',
      'realm=chantier',
      'use-auth-secret',
      `static-auth-secret=${'s'.repeat(40)}`,
      'fingerprint',
      'no-tls',
      'no-dtls',
      'no-cli',
      'log-file=stdout',
      'simple-log',
      'userdb=/tmp/coturn-x/turndb',
      'pidfile=/tmp/coturn-x/turnserver.pid',
      'allow-loopback-peers',
    ]);
  });

  it('refuses a value that would add a directive, and an unknown placeholder', () => {
    expect(() => renderCoturnConfig({ ...settings, realm: 'x\nno-auth' })).toThrow(/newline/);
    expect(() => renderCoturnConfig(settings, 'a={{nope}}')).toThrow(/unknown placeholder/);
  });
});
