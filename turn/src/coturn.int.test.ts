/**
 * The launcher against a real coturn: TURN over TLS with a certificate made
 * here by openssl, the URLs it hands out, the peers the template lets a
 * credential reach, and the per-user quota.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnAllocate, type TurnClientTransport } from '../../test/turnAllocate.js';
import { makeTestCert, type TestCert } from '../../test/tlsCert.js';
import { checkTlsFiles, Coturn, CoturnConfigError, freeUdpTcpPort, TLS_CIPHERS } from './coturn.js';
import { turnCredential } from './credentials.js';

const SECRET = 'coturn-int-secret-coturn-int-secret-0123456789';

let cert: TestCert;
let other: TestCert;

beforeAll(() => {
  cert = makeTestCert();
  other = makeTestCert();
});

afterAll(() => {
  cert?.remove();
  other?.remove();
});

/** The transport and port a turn:/turns: URI names, as a browser reads it. */
function parseTurnUrl(url: string): { transport: TurnClientTransport; host: string; port: number } {
  const m = /^(turns?):([^:?]+):(\d+)\?transport=(udp|tcp)$/.exec(url);
  if (!m) throw new Error(`not a TURN URI: ${url}`);
  return { transport: m[1] === 'turns' ? 'tls' : (m[4] as 'udp' | 'tcp'), host: m[2]!, port: Number(m[3]) };
}

describe('coturn with a certificate', () => {
  let coturn: Coturn;

  beforeAll(async () => {
    const tlsPort = await freeUdpTcpPort();
    coturn = await Coturn.start({
      secret: SECRET,
      allowLoopbackPeers: true,
      tls: { port: tlsPort, certFile: cert.certFile, keyFile: cert.keyFile },
    });
  });

  afterAll(async () => {
    await coturn?.stop();
  });

  it('relays over TLS for a valid credential, with the configured certificate, in TLS 1.2', async () => {
    const { username, credential } = turnCredential(SECRET, 'u-lea', 600);
    // `ca` makes the client check the chain and the name: the certificate is the one configured.
    const result = await turnAllocate('127.0.0.1', coturn.tlsPort!, username, credential, {
      transport: 'tls',
      ca: cert.certPem,
      servername: 'localhost',
      permissions: ['127.0.0.1'],
    });
    expect(result).toMatchObject({ ok: true, relayedAddress: '127.0.0.1', permissions: { '127.0.0.1': 200 } });
    if (!result.ok) return;
    expect(result.relayedPort).toBeGreaterThanOrEqual(coturn.settings.minPort);
    expect(result.relayedPort).toBeLessThanOrEqual(coturn.settings.maxPort);
    // coturn 4.6.1 stops at TLS 1.2 (1.3 came with 4.6.2); the cipher is one of the template's.
    expect(result.tls).toMatchObject({ protocol: 'TLSv1.2', fingerprint256: cert.fingerprint256 });
    expect(TLS_CIPHERS.split(':')).toContain(result.tls!.cipher);
  });

  it('refuses a forged credential over TLS with 401', async () => {
    const forged = turnCredential('another-secret-another-secret-another-secret', 'u-lea', 600);
    const result = await turnAllocate('127.0.0.1', coturn.tlsPort!, forged.username, forged.credential, { transport: 'tls' });
    expect(result).toMatchObject({ ok: false, code: 401, tls: { protocol: 'TLSv1.2' } });
  });

  it('gives no session to a TLS client that stops at TLS 1.1', async () => {
    // With no-tlsv1_1 coturn never answers such a hello (the client times out);
    // without it, Debian 12's OpenSSL 3 would end it with an alert. Either way: no session.
    const { username, credential } = turnCredential(SECRET, 'u-lea', 600);
    const old = turnAllocate('127.0.0.1', coturn.tlsPort!, username, credential, {
      transport: 'tls',
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
      timeoutMs: 1500,
    });
    await expect(old).rejects.toThrow(/no tls connection|alert|handshake/i);
  });

  it('hands out UDP, TCP and TLS URIs that each get a relay', async () => {
    const urls = coturn.urls();
    expect(urls).toEqual([
      `turn:127.0.0.1:${coturn.port}?transport=udp`,
      `turn:127.0.0.1:${coturn.port}?transport=tcp`,
      `turns:127.0.0.1:${coturn.tlsPort}?transport=tcp`,
    ]);
    const { username, credential } = turnCredential(SECRET, 'u-marc', 600);
    for (const url of urls) {
      const { transport, host, port } = parseTurnUrl(url);
      const result = await turnAllocate(host, port, username, credential, { transport });
      expect(result, url).toMatchObject({ ok: true });
      expect(result.tls?.protocol, url).toBe(transport === 'tls' ? 'TLSv1.2' : undefined);
    }
    expect(coturn.urls('turn.example.org')[2]).toBe(`turns:turn.example.org:${coturn.tlsPort}?transport=tcp`);
    expect(coturn.urls('2001:db8::1')[0]).toBe(`turn:[2001:db8::1]:${coturn.port}?transport=udp`);
  });

  it('tells TLS from plain TCP per connection, on either port (coturn documents its ports as equivalent)', async () => {
    // So the TLS port is not a TLS-only port: what protects the client is that it asked for turns:.
    const { username, credential } = turnCredential(SECRET, 'u-lea', 600);
    const plainOnTlsPort = await turnAllocate('127.0.0.1', coturn.tlsPort!, username, credential, { transport: 'tcp' });
    expect(plainOnTlsPort).toMatchObject({ ok: true });
    expect(plainOnTlsPort.tls).toBeUndefined();
    const tlsOnPlainPort = await turnAllocate('127.0.0.1', coturn.port, username, credential, { transport: 'tls' });
    expect(tlsOnPlainPort).toMatchObject({ ok: true, tls: { protocol: 'TLSv1.2' } });
  });
});

describe('coturn on every interface, behind NAT', () => {
  it('is found ready through loopback, and writes the public address into relayed candidates', async () => {
    const coturn = await Coturn.start({
      secret: SECRET,
      listeningIp: '0.0.0.0',
      externalIp: '203.0.113.7',
      tls: { port: await freeUdpTcpPort('0.0.0.0'), certFile: cert.certFile, keyFile: cert.keyFile },
    });
    try {
      expect(coturn.settings.relayIp).toBeUndefined();
      expect(coturn.urls()).toEqual([
        `turn:127.0.0.1:${coturn.port}?transport=udp`,
        `turn:127.0.0.1:${coturn.port}?transport=tcp`,
        `turns:127.0.0.1:${coturn.tlsPort}?transport=tcp`,
      ]);
      const { username, credential } = turnCredential(SECRET, 'u-nat', 600);
      for (const [transport, port] of [['udp', coturn.port], ['tls', coturn.tlsPort!]] as const) {
        const result = await turnAllocate('127.0.0.1', port, username, credential, { transport });
        expect(result, transport).toMatchObject({ ok: true, relayedAddress: '203.0.113.7' });
      }
    } finally {
      await coturn.stop();
    }
  });
});

describe('coturn behind a TLS front', () => {
  it('relays for clients whose TLS a proxy ends before forwarding plain TCP to coturn', async () => {
    // What the TLS front (nginx) on 443 does in a deployment: coturn itself has no certificate.
    const coturn = await Coturn.start({ secret: SECRET, allowLoopbackPeers: true });
    const front = createTlsServer({ cert: cert.certPem, key: readFileSync(cert.keyFile) }, (client) => {
      const upstream = tcpConnect({ host: '127.0.0.1', port: coturn.port });
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const frontPort = (front.address() as AddressInfo).port;
    try {
      expect(() => coturn.url('tls')).toThrow(/no TLS/);
      expect(coturn.urls()).toHaveLength(2);
      const urls = coturn.urls('127.0.0.1', { publicTlsPort: frontPort });
      expect(urls[2]).toBe(`turns:127.0.0.1:${frontPort}?transport=tcp`);
      const { transport, host, port } = parseTurnUrl(urls[2]!);
      const { username, credential } = turnCredential(SECRET, 'u-front', 600);
      const result = await turnAllocate(host, port, username, credential, {
        transport,
        ca: cert.certPem,
        servername: 'localhost',
        permissions: ['127.0.0.1'],
      });
      // The front speaks TLS 1.3, which coturn 4.6.1 cannot.
      expect(result).toMatchObject({ ok: true, permissions: { '127.0.0.1': 200 }, tls: { protocol: 'TLSv1.3' } });
    } finally {
      await new Promise((resolve) => front.close(resolve));
      await coturn.stop();
    }
  });
});

describe('TLS files are checked before coturn starts', () => {
  it('names a missing, unreadable or mismatched file', async () => {
    const tls = { port: 1, certFile: cert.certFile, keyFile: cert.keyFile };
    expect(checkTlsFiles(tls).fingerprint256).toBe(cert.fingerprint256);
    expect(() => checkTlsFiles({ ...tls, certFile: '/nonexistent/cert.pem' })).toThrow(/certificate \/nonexistent\/cert.pem cannot be read/);
    expect(() => checkTlsFiles({ ...tls, keyFile: other.keyFile })).toThrow(/does not match certificate/);
    const garbage = join(other.dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate\n');
    expect(() => checkTlsFiles({ ...tls, certFile: garbage })).toThrow(/is not a PEM certificate/);
    expect(() => checkTlsFiles({ ...tls, keyFile: garbage })).toThrow(/is not an unencrypted PEM private key/);
    expect(() => checkTlsFiles(tls, new Date(Date.now() + 10 * 86_400_000))).toThrow(/expired/);

    const start = Coturn.start({ secret: SECRET, tls: { ...tls, port: await freeUdpTcpPort(), keyFile: other.keyFile } });
    await expect(start).rejects.toBeInstanceOf(CoturnConfigError);
  });
});

describe('peers a credential may reach', () => {
  const { username, credential } = turnCredential(SECRET, 'u-peers', 600);
  const PRIVATE = ['10.1.2.4', '172.17.0.2', '192.168.1.1', '100.100.100.200', '169.254.169.254', '0.1.2.3', '240.0.0.1', '224.0.0.1'];

  it('production settings: only public addresses and the allowed SFU address, never loopback', async () => {
    const coturn = await Coturn.start({ secret: SECRET, allowedPeerIps: ['10.1.2.3'] });
    try {
      const result = await turnAllocate('127.0.0.1', coturn.port, username, credential, {
        permissions: ['203.0.113.5', '10.1.2.3', '127.0.0.1', '127.1.2.3', ...PRIVATE],
      });
      expect(result.ok && result.permissions).toEqual({
        '203.0.113.5': 200,
        '10.1.2.3': 200,
        '127.0.0.1': 403,
        '127.1.2.3': 403,
        ...Object.fromEntries(PRIVATE.map((ip) => [ip, 403])),
      });
    } finally {
      await coturn.stop();
    }
  });

  it('allow-loopback-peers opens loopback only; a denied 127/8 would close it again', async () => {
    const tests = await Coturn.start({ secret: SECRET, allowLoopbackPeers: true });
    const overridden = await Coturn.start({
      secret: SECRET,
      allowLoopbackPeers: true,
      extraLines: ['denied-peer-ip=127.0.0.0-127.255.255.255'],
    });
    try {
      const open = await turnAllocate('127.0.0.1', tests.port, username, credential, { permissions: ['127.0.0.1', '10.1.2.3'] });
      expect(open.ok && open.permissions).toEqual({ '127.0.0.1': 200, '10.1.2.3': 403 });
      const closed = await turnAllocate('127.0.0.1', overridden.port, username, credential, { permissions: ['127.0.0.1'] });
      expect(closed.ok && closed.permissions).toEqual({ '127.0.0.1': 403 });
    } finally {
      await Promise.all([tests.stop(), overridden.stop()]);
    }
  });
});

describe('allocation quota', () => {
  it('counts per user id, whatever the expiry in the username', async () => {
    const coturn = await Coturn.start({ secret: SECRET, userQuota: 2 });
    try {
      const held = { release: false } as const;
      for (const ttl of [600, 700]) {
        const c = turnCredential(SECRET, 'u-busy', ttl);
        expect(await turnAllocate('127.0.0.1', coturn.port, c.username, c.credential, held)).toMatchObject({ ok: true });
      }
      const third = turnCredential(SECRET, 'u-busy', 800);
      // 486 Allocation Quota Reached.
      expect(await turnAllocate('127.0.0.1', coturn.port, third.username, third.credential, held)).toMatchObject({ ok: false, code: 486 });
      const someoneElse = turnCredential(SECRET, 'u-calm', 600);
      expect(await turnAllocate('127.0.0.1', coturn.port, someoneElse.username, someoneElse.credential, held)).toMatchObject({ ok: true });
    } finally {
      await coturn.stop();
    }
  });
});
