import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const made: string[] = [];
const base = () => {
  const dir = mkdtempSync(join(tmpdir(), 'chantier-config-'));
  made.push(dir);
  return { DATA_DIR: dir };
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

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

  it('gives invitation sessions 12 h by default, INVITATION_SESSION_TTL_S within 60 s to 7 days', () => {
    expect(loadConfig(base()).invitationSessionTtlS).toBe(12 * 3600);
    expect(loadConfig({ ...base(), INVITATION_SESSION_TTL_S: '3600' }).invitationSessionTtlS).toBe(3600);
    expect(() => loadConfig({ ...base(), INVITATION_SESSION_TTL_S: '59' })).toThrow(/INVITATION_SESSION_TTL_S/);
    expect(() => loadConfig({ ...base(), INVITATION_SESSION_TTL_S: '1h' })).toThrow(/INVITATION_SESSION_TTL_S/);
  });

  it('waits 1 s for Redis by default (REDIS_TIMEOUT_MS, 50 ms to 60 s)', () => {
    const config = loadConfig(base());
    expect(config.redisTimeoutMs).toBe(1_000);
    expect(loadConfig({ ...base(), REDIS_TIMEOUT_MS: '250' }).redisTimeoutMs).toBe(250);
    expect(() => loadConfig({ ...base(), REDIS_TIMEOUT_MS: '0' })).toThrow(/REDIS_TIMEOUT_MS/);
    expect(() => loadConfig({ ...base(), REDIS_TIMEOUT_MS: '1s' })).toThrow(/REDIS_TIMEOUT_MS/);
  });

  it('gives the media sockets 4 MiB buffers, RTC_SOCKET_BUFFER_BYTES from 64 KiB', () => {
    expect(loadConfig(base()).sfu.socketBufferBytes).toBe(4 * 1024 * 1024);
    expect(loadConfig({ ...base(), RTC_SOCKET_BUFFER_BYTES: '1048576' }).sfu.socketBufferBytes).toBe(1048576);
    expect(() => loadConfig({ ...base(), RTC_SOCKET_BUFFER_BYTES: '1000' })).toThrow(/RTC_SOCKET_BUFFER_BYTES/);
  });

  it('gives each mediasoup worker 500 consumers before a room spreads, SFU_MAX_CONSUMERS_PER_WORKER from 1', () => {
    expect(loadConfig(base()).sfu.maxConsumersPerWorker).toBe(500);
    expect(loadConfig({ ...base(), SFU_MAX_CONSUMERS_PER_WORKER: '4' }).sfu.maxConsumersPerWorker).toBe(4);
    expect(() => loadConfig({ ...base(), SFU_MAX_CONSUMERS_PER_WORKER: '0' })).toThrow(/SFU_MAX_CONSUMERS_PER_WORKER/);
    expect(() => loadConfig({ ...base(), SFU_MAX_CONSUMERS_PER_WORKER: 'many' })).toThrow(/SFU_MAX_CONSUMERS_PER_WORKER/);
  });

  it('fsyncs the embedded Redis every second by default, on every write with REDIS_APPENDFSYNC=always', () => {
    expect(loadConfig(base()).redisAppendfsync).toBe('everysec');
    expect(loadConfig({ ...base(), REDIS_APPENDFSYNC: 'always' }).redisAppendfsync).toBe('always');
    expect(loadConfig({ ...base(), REDIS_APPENDFSYNC: 'everysec' }).redisAppendfsync).toBe('everysec');
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
    [{ REDIS_APPENDFSYNC: 'no' }, /REDIS_APPENDFSYNC must be one of/],
  ])('refuses %o with a clear message', (env, message) => {
    expect(() => loadConfig({ ...base(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base(), ...env })).toThrow(message);
  });

  it('verifies HS256 tokens only by default, RS256/ES256 from a JWKS when one is set', () => {
    expect(loadConfig(base()).jwt).toEqual({
      algorithms: ['HS256'],
      jwksUrl: undefined,
      issuer: undefined,
      audience: undefined,
      clockToleranceS: 30,
    });
    const jwks = loadConfig({ ...base(), JWT_JWKS_URL: 'https://platform.example/.well-known/jwks.json' }).jwt;
    expect(jwks.algorithms).toEqual(['RS256', 'ES256']);
    expect(jwks.jwksUrl).toBe('https://platform.example/.well-known/jwks.json');
    const both = loadConfig({
      ...base(),
      JWT_JWKS_URL: 'http://127.0.0.1:8080/jwks',
      JWT_ALGORITHMS: 'HS256, ES256',
      JWT_ISSUER: 'https://platform.example',
      JWT_AUDIENCE: 'chantier',
      JWT_CLOCK_TOLERANCE_S: '5',
    }).jwt;
    expect(both).toMatchObject({ algorithms: ['HS256', 'ES256'], issuer: 'https://platform.example', audience: 'chantier', clockToleranceS: 5 });
  });

  it('names the node (NODE_ID, random by default), its URL (NODE_URL, default PUBLIC_URL) and the cluster (CLUSTER_URLS)', () => {
    const alone = loadConfig({ ...base(), PUBLIC_URL: 'https://chantier.example.org/' });
    expect(alone.cluster.nodeId).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    expect(loadConfig(base()).cluster.nodeId).not.toBe(alone.cluster.nodeId);
    expect(alone.cluster.nodeUrl).toBe('https://chantier.example.org');
    expect(alone.cluster.clusterUrls).toEqual([]);
    const node = loadConfig({
      ...base(),
      NODE_ID: 'node-b',
      NODE_URL: 'https://b.chantier.example.org',
      CLUSTER_URLS: 'https://a.chantier.example.org, https://b.chantier.example.org/',
    });
    expect(node.cluster).toEqual({
      nodeId: 'node-b',
      nodeUrl: 'https://b.chantier.example.org',
      clusterUrls: ['https://a.chantier.example.org', 'https://b.chantier.example.org'],
    });
    expect(() => loadConfig({ ...base(), NODE_ID: 'a b' })).toThrow(/NODE_ID/);
    expect(() => loadConfig({ ...base(), NODE_URL: 'https://b.example.org/app' })).toThrow(/NODE_URL/);
    expect(() => loadConfig({ ...base(), CLUSTER_URLS: 'b.example.org' })).toThrow(/CLUSTER_URLS/);
    // The node's own URL must be in the cluster's list.
    expect(() => loadConfig({ ...base(), NODE_URL: 'https://c.example.org', CLUSTER_URLS: 'https://a.example.org' })).toThrow(
      /CLUSTER_URLS must list/,
    );
  });

  it('reads the embedding origins', () => {
    expect(loadConfig(base()).embedOrigins).toEqual([]);
    expect(loadConfig({ ...base(), EMBED_ORIGINS: 'https://platform.example, http://localhost:5173/' }).embedOrigins).toEqual([
      'https://platform.example',
      'http://localhost:5173',
    ]);
  });

  it.each([
    [{ JWT_JWKS_URL: 'http://platform.example/jwks' }, /https/],
    [{ JWT_JWKS_URL: 'not a url' }, /JWT_JWKS_URL must be a URL/],
    [{ JWT_ALGORITHMS: 'RS256' }, /need JWT_JWKS_URL/],
    [{ JWT_ALGORITHMS: 'none' }, /"none" is not one of/],
    [{ JWT_ALGORITHMS: 'HS512' }, /"HS512" is not one of/],
    [{ JWT_ALGORITHMS: ' , ' }, /at least one/],
    [{ JWT_CLOCK_TOLERANCE_S: '3600' }, /JWT_CLOCK_TOLERANCE_S/],
    [{ EMBED_ORIGINS: 'https://platform.example/app' }, /EMBED_ORIGINS/],
    [{ EMBED_ORIGINS: 'platform.example' }, /EMBED_ORIGINS/],
    [{ EMBED_ORIGINS: '*' }, /EMBED_ORIGINS/],
  ])('refuses token settings %o', (env, message) => {
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
      [{ TURN_MODE: 'always' }, /TURN_MODE must be one of off, external, embedded/],
      [{ TURN_MODE: 'external' }, /TURN_MODE=external needs TURN_URLS/],
      [{ TURN_MODE: 'embedded', TURN_SECRET: 'short' }, /TURN_SECRET must be at least 32/],
      [{ TURN_MODE: 'embedded', TURN_TLS_CERT: '/etc/ssl/turn.pem' }, /TURN_TLS_CERT and TURN_TLS_KEY go together/],
      [{ TURN_MODE: 'embedded', TURN_TLS_CERT: 'c.pem', TURN_TLS_KEY: 'k.pem', TURN_TLS_PORT: '3478' }, /TURN_TLS_PORT must differ/],
      [{ TURN_MODE: 'embedded', TURN_RELAY_PORTS: '49160' }, /TURN_RELAY_PORTS must be a port range/],
      [{ TURN_MODE: 'embedded', TURN_RELAY_PORTS: '50000-49000' }, /TURN_RELAY_PORTS must be a port range/],
      [{ TURN_MODE: 'embedded', TURN_RELAY_PORTS: '80-90' }, /TURN_RELAY_PORTS must be a port range/],
      [{ TURN_MODE: 'embedded', TURN_EXTERNAL_IP: 'turn.example.fr' }, /TURN_EXTERNAL_IP must be an IP address/],
      [{ PUBLIC_URL: 'not a url' }, /PUBLIC_URL must be a URL/],
      [{ TURN_MODE: 'embedded', TURN_SECRET: '"quoted-secret-quoted-secret-quoted-secret"' }, /TURN_SECRET must be printable ASCII without spaces or quotes/],
      [{ TURN_MODE: 'embedded', TURN_SECRET: '=leading-equals-leading-equals-leading-equals' }, /TURN_SECRET must be printable ASCII/],
      [{ TURN_MODE: 'embedded', TURN_REALM: 'my realm' }, /TURN_REALM must be printable ASCII/],
      [{ TURN_MODE: 'embedded', TURN_RELAY_IP: 'eth0' }, /TURN_RELAY_IP must be an IP address/],
      [{ TURN_MODE: 'embedded', TURN_EXTERNAL_IP: '203.0.113.5/10.0.0.5/1.2.3.4' }, /TURN_EXTERNAL_IP must be an IP address/],
    ])('refuses %o', (env, message) => {
      expect(() => loadConfig({ ...base(), ...env })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base(), ...env })).toThrow(message);
    });

    it('embedded: runs coturn on 3478 with a secret kept in the data dir, and hands out its URLs', () => {
      const env = { ...base(), TURN_MODE: 'embedded', RTC_ANNOUNCED_ADDRESS: '192.0.2.7', PUBLIC_URL: 'https://reunion.example.fr' };
      const config = loadConfig(env);
      expect(config.turnMode).toBe('embedded');
      expect(config.turnServer).toEqual({
        secret: readFileSync(join(env.DATA_DIR, 'turn-secret'), 'utf8').trim(),
        realm: 'reunion.example.fr',
        listenIp: '0.0.0.0',
        port: 3478,
        minPort: 49160,
        maxPort: 49400,
        externalIp: undefined,
        tls: undefined,
        relayIp: undefined, // 192.0.2.7 is not this machine's
        allowLoopbackPeers: false,
        // The SFU's address may be private (a LAN): coturn must still relay to it.
        allowedPeerIps: ['192.0.2.7'],
      });
      expect(config.turn).toEqual({
        urls: ['turn:192.0.2.7:3478?transport=udp', 'turn:192.0.2.7:3478?transport=tcp'],
        secret: config.turnServer!.secret,
        credentialTtlS: 43200,
      });
      // Same secret on the next start: credentials handed out before a restart stay valid.
      expect(loadConfig(env).turnServer!.secret).toBe(config.turnServer!.secret);
    });

    it('embedded with TLS: a turns: URL on the TLS port, the host name browsers know', () => {
      const config = loadConfig({
        ...base(),
        TURN_MODE: 'embedded',
        TURN_SECRET: SECRET,
        TURN_HOST: 'turn.example.fr',
        TURN_TLS_CERT: '/etc/ssl/turn.pem',
        TURN_TLS_KEY: '/etc/ssl/turn.key',
        TURN_TLS_PORT: '443',
        TURN_EXTERNAL_IP: '203.0.113.5',
      });
      expect(config.turn!.urls).toEqual([
        'turn:turn.example.fr:3478?transport=udp',
        'turn:turn.example.fr:3478?transport=tcp',
        'turns:turn.example.fr:443?transport=tcp',
      ]);
      expect(config.turnServer).toMatchObject({
        secret: SECRET,
        externalIp: '203.0.113.5',
        tls: { port: 443, certFile: '/etc/ssl/turn.pem', keyFile: '/etc/ssl/turn.key' },
      });
    });

    it('embedded on a machine whose media address is loopback: relays to loopback peers', () => {
      const config = loadConfig({ ...base(), TURN_MODE: 'embedded', RTC_LISTEN_IP: '127.0.0.1' });
      expect(config.turnServer!.allowLoopbackPeers).toBe(true);
      expect(config.turn!.urls[0]).toBe('turn:127.0.0.1:3478?transport=udp');
    });

    it('external: TURN_URLS as given, and the coturn settings for npm run coturn', () => {
      const config = loadConfig({ ...base(), TURN_URLS: 'turn:turn.example.fr:3478', TURN_SECRET: SECRET, TURN_RELAY_PORTS: '50000-50100' });
      expect(config.turnMode).toBe('external');
      expect(config.turn!.urls).toEqual(['turn:turn.example.fr:3478']);
      expect(config.turnServer).toMatchObject({ secret: SECRET, minPort: 50000, maxPort: 50100 });
    });

    it('off: no TURN even when URLs are set', () => {
      const config = loadConfig({ ...base(), TURN_MODE: 'off', TURN_URLS: 'turn:turn.example.fr', TURN_SECRET: SECRET });
      expect(config.turn).toBeUndefined();
    });
  });
});

describe('the edge settings', () => {
  it('default to no embedder and generous per-IP limits, read from the environment', () => {
    const defaults = loadConfig(base());
    expect(defaults.embedOrigins).toEqual([]);
    expect(defaults.edge).toEqual({
      trustProxy: false,
      httpRequestsPerMinute: 1200,
      uploadsPerMinute: 30,
      wsConnections: 200,
      wsConnectsPerMinute: 300,
      joinsPerMinute: 120,
      chatMessagesPerMinute: 300,
    });
    const set = loadConfig({ ...base(), TRUST_PROXY: 'true', JOINS_PER_MINUTE: '5', WS_CONNECTIONS_PER_IP: '7' });
    expect(set.edge).toMatchObject({ trustProxy: true, joinsPerMinute: 5, wsConnections: 7 });
    expect(Object.isFrozen(set.edge)).toBe(true);
  });

  it('takes EMBED_ORIGINS as a list of origins, normalised', () => {
    const config = loadConfig({ ...base(), EMBED_ORIGINS: ' https://Platform.example.com/ ,http://10.0.0.5:8080' });
    expect(config.embedOrigins).toEqual(['https://platform.example.com', 'http://10.0.0.5:8080']);
  });

  it.each(['platform.example.com', 'https://platform.example.com/app', 'ftp://files.example.com', 'https://a.example.com?x=1', 'https://user@a.example.com', '*'])(
    'refuses %s in EMBED_ORIGINS',
    (origin) => {
      expect(() => loadConfig({ ...base(), EMBED_ORIGINS: origin })).toThrow(ConfigError);
    },
  );
});

describe('the guests\' lobby', () => {
  it('is on by default (guests wait to be admitted); GUEST_LOBBY=off turns it off; anything else is refused', () => {
    expect(loadConfig(base()).guestLobby).toBe(true);
    expect(loadConfig({ ...base(), GUEST_LOBBY: 'on' }).guestLobby).toBe(true);
    expect(loadConfig({ ...base(), GUEST_LOBBY: 'off' }).guestLobby).toBe(false);
    for (const value of ['false', 'yes', 'OFF']) {
      expect(() => loadConfig({ ...base(), GUEST_LOBBY: value }), value).toThrow(ConfigError);
    }
  });
});

describe('the metrics token', () => {
  it('is unset by default (/metrics off); METRICS_TOKEN must be 32+ printable characters without spaces', () => {
    expect(loadConfig(base()).metricsToken).toBeUndefined();
    const token = 'm'.repeat(31) + '~';
    expect(loadConfig({ ...base(), METRICS_TOKEN: token }).metricsToken).toBe(token);
    expect(() => loadConfig({ ...base(), METRICS_TOKEN: 'm'.repeat(31) })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base(), METRICS_TOKEN: `${'m'.repeat(20)} ${'m'.repeat(20)}` })).toThrow(/METRICS_TOKEN/);
  });
});
