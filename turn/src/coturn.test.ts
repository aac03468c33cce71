import { describe, expect, it } from 'vitest';
import { renderCoturnConfig, TLS_CIPHERS, type CoturnSettings } from './coturn.js';

const settings: CoturnSettings = {
  secret: 's'.repeat(40),
  realm: 'chantier',
  listeningIp: '127.0.0.1',
  relayIp: '127.0.0.1',
  port: 34780,
  minPort: 50000,
  maxPort: 50099,
  userQuota: 24,
  totalQuota: 100,
  allowLoopbackPeers: true,
  dir: '/tmp/coturn-x',
};

const tls = { port: 34781, certFile: '/etc/chantier/cert.pem', keyFile: '/etc/chantier/key.pem' };

/** The directives, without comments and blank lines. */
function directives(s: CoturnSettings): string[] {
  return renderCoturnConfig(s)
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
}

const DENIED_RANGES = [
  'denied-peer-ip=0.0.0.0-0.255.255.255',
  'denied-peer-ip=10.0.0.0-10.255.255.255',
  'denied-peer-ip=100.64.0.0-100.127.255.255',
  'denied-peer-ip=169.254.0.0-169.254.255.255',
  'denied-peer-ip=172.16.0.0-172.31.255.255',
  'denied-peer-ip=192.0.0.0-192.0.0.255',
  'denied-peer-ip=192.168.0.0-192.168.255.255',
  'denied-peer-ip=240.0.0.0-255.255.255.255',
  'denied-peer-ip=::ffff:0:0-::ffff:ffff:ffff',
  'denied-peer-ip=64:ff9b::-64:ff9b::ffff:ffff',
  'denied-peer-ip=fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'denied-peer-ip=fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
];

describe('renderCoturnConfig', () => {
  it('writes the settings TESTING.md asks for and the production defaults, without TLS', () => {
    expect(directives(settings)).toEqual([
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      'listening-port=34780',
      'min-port=50000',
      'max-port=50099',
      'realm=chantier',
      'use-auth-secret',
      `static-auth-secret=${'s'.repeat(40)}`,
      'fingerprint',
      'stale-nonce=600',
      'user-quota=24',
      'total-quota=100',
      'no-tls',
      'no-dtls',
      'no-multicast-peers',
      'no-tcp-relay',
      ...DENIED_RANGES,
      'allow-loopback-peers',
      'no-rfc5780',
      'no-stun-backward-compatibility',
      'response-origin-only-with-rfc5780',
      'no-software-attribute',
      'no-cli',
      'log-file=stdout',
      'simple-log',
      'userdb=/tmp/coturn-x/turndb',
      'pidfile=/tmp/coturn-x/turnserver.pid',
    ]);
  });

  it('with a certificate: a TLS port, TLS 1.2 only with ECDHE AEAD ciphers, still no DTLS', () => {
    const lines = directives({ ...settings, tls });
    expect(lines).not.toContain('no-tls');
    const at = lines.indexOf('tls-listening-port=34781');
    expect(lines.slice(at, at + 7)).toEqual([
      'tls-listening-port=34781',
      'cert=/etc/chantier/cert.pem',
      'pkey=/etc/chantier/key.pem',
      `cipher-list=${TLS_CIPHERS}`,
      'no-tlsv1',
      'no-tlsv1_1',
      'no-dtls',
    ]);
    for (const cipher of TLS_CIPHERS.split(':')) expect(cipher).toMatch(/^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
  });

  it('on every interface: no listening-ip, no relay-ip unless given; external-ip when behind NAT', () => {
    const all = directives({ ...settings, listeningIp: '0.0.0.0', relayIp: undefined });
    expect(all.filter((l) => /^(listening|relay|external)-ip=/.test(l))).toEqual([]);

    const natted = directives({ ...settings, listeningIp: '0.0.0.0', relayIp: '172.18.0.5', externalIp: '203.0.113.7/172.18.0.5' });
    expect(natted.filter((l) => /^(listening|relay|external)-ip=/.test(l))).toEqual(['relay-ip=172.18.0.5', 'external-ip=203.0.113.7/172.18.0.5']);
    expect(directives({ ...settings, externalIp: '203.0.113.7' })).toContain('external-ip=203.0.113.7');
  });

  it('denies loopback peers unless allowed (a denied 127/8 would override allow-loopback-peers)', () => {
    const production = directives({ ...settings, allowLoopbackPeers: false });
    expect(production).not.toContain('allow-loopback-peers');
    expect(production).toContain('denied-peer-ip=127.0.0.0-127.255.255.255');
    expect(directives(settings).filter((l) => l.startsWith('denied-peer-ip=127.'))).toEqual([]);
  });

  it('lets the SFU through the denied ranges with allowed-peer-ip', () => {
    const lines = directives({ ...settings, allowedPeerIps: ['192.168.1.20', '10.0.0.1-10.0.0.9'] });
    expect(lines).toContain('allowed-peer-ip=192.168.1.20');
    expect(lines).toContain('allowed-peer-ip=10.0.0.1-10.0.0.9');
  });

  it('refuses a value that would add a directive, and an unknown placeholder', () => {
    expect(() => renderCoturnConfig({ ...settings, dir: '/tmp/x\nno-auth' })).toThrow(/dir contains a newline/);
    expect(() => renderCoturnConfig({ ...settings, tls: { ...tls, certFile: '/tmp/c.pem\nno-auth' } })).toThrow(/tls.*newline/);
    expect(() => renderCoturnConfig({ ...settings, tls: { ...tls, keyFile: '/tmp/k.pem\r' } })).toThrow(/newline/);
    expect(() => renderCoturnConfig({ ...settings, extraLines: ['verbose\nno-auth'] })).toThrow(/newline/);
    expect(() => renderCoturnConfig(settings, 'a={{nope}}')).toThrow(/unknown placeholder/);
    expect(() => renderCoturnConfig(settings, 'a={{tls}}')).toThrow(/alone on its line/);
  });

  it('refuses addresses and ports coturn would misread', () => {
    expect(() => renderCoturnConfig({ ...settings, listeningIp: 'turn.example.org' })).toThrow(/listeningIp must be an IP/);
    expect(() => renderCoturnConfig({ ...settings, relayIp: '127.0.0' })).toThrow(/relayIp/);
    expect(() => renderCoturnConfig({ ...settings, externalIp: 'a/b/c' })).toThrow(/externalIp/);
    expect(() => renderCoturnConfig({ ...settings, externalIp: '203.0.113.7/nat' })).toThrow(/externalIp/);
    expect(() => renderCoturnConfig({ ...settings, allowedPeerIps: ['10.0.0.0/8'] })).toThrow(/allowedPeerIps/);
    expect(() => renderCoturnConfig({ ...settings, port: 70000 })).toThrow(/port/);
    expect(() => renderCoturnConfig({ ...settings, minPort: 50100 })).toThrow(/minPort is above maxPort/);
    expect(() => renderCoturnConfig({ ...settings, tls: { ...tls, port: settings.port } })).toThrow(/must differ/);
    expect(() => renderCoturnConfig({ ...settings, userQuota: -1 })).toThrow(/userQuota/);
    expect(() => renderCoturnConfig({ ...settings, secret: '"quoted-secret-quoted-secret-quoted"' })).toThrow(/secret must be printable/);
    expect(() => renderCoturnConfig({ ...settings, secret: 'with space with space with space 12' })).toThrow(/secret must be printable/);
  });
});
