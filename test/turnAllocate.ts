/**
 * A minimal TURN client (RFC 5766 / 8656 Allocate, RFC 5389 long-term
 * credentials) over UDP, TCP or TLS, just enough to ask coturn for a relay
 * with a given username and password, see whether it says yes, and ask for
 * permissions towards peers. Written here rather than taken from npm: the few
 * STUN packages there are unmaintained or WebRTC stacks far larger than these
 * ~250 lines, and the test must show exactly what is sent.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect as tcpConnect, isIPv4, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

const MAGIC_COOKIE = 0x2112a442;
const METHOD = { ALLOCATE: 0x0003, REFRESH: 0x0004, CREATE_PERMISSION: 0x0008 } as const;
const SUCCESS = 0x0100;
const ERROR = 0x0110;
const ATTR = {
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  LIFETIME: 0x000d,
  XOR_PEER_ADDRESS: 0x0012,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_TRANSPORT: 0x0019,
} as const;

type Attribute = [type: number, value: Buffer];
type Parsed = { type: number; transactionId: Buffer; attributes: Map<number, Buffer> };

function attribute(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  const padding = Buffer.alloc((4 - (value.length % 4)) % 4);
  return Buffer.concat([header, value, padding]);
}

/** A STUN message; with `key`, MESSAGE-INTEGRITY (HMAC-SHA1 over everything before it) comes last. */
function message(type: number, transactionId: Buffer, attributes: Attribute[], key?: Buffer): Buffer {
  const body = Buffer.concat(attributes.map(([t, v]) => attribute(t, v)));
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  // The length counts the MESSAGE-INTEGRITY attribute (4 + 20 bytes) when there is one.
  header.writeUInt16BE(body.length + (key ? 24 : 0), 2);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(header, 8);
  const unsigned = Buffer.concat([header, body]);
  if (!key) return unsigned;
  const integrity = createHmac('sha1', key).update(unsigned).digest();
  return Buffer.concat([unsigned, attribute(ATTR.MESSAGE_INTEGRITY, integrity)]);
}

function parse(msg: Buffer): Parsed {
  const attributes = new Map<number, Buffer>();
  const end = 20 + msg.readUInt16BE(2);
  for (let offset = 20; offset + 4 <= end; ) {
    const type = msg.readUInt16BE(offset);
    const length = msg.readUInt16BE(offset + 2);
    if (!attributes.has(type)) attributes.set(type, msg.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { type: msg.readUInt16BE(0), transactionId: msg.subarray(8, 20), attributes };
}

/** XOR-MAPPED/RELAYED/PEER-ADDRESS value of an IPv4 address (RFC 5389 §15.2). */
function xorAddress(ip: string, port: number): Buffer {
  if (!isIPv4(ip)) throw new Error(`only IPv4 peers here, got ${ip}`);
  const value = Buffer.alloc(8);
  value.writeUInt8(0x01, 1);
  value.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
  const octets = ip.split('.').map(Number);
  value.writeUInt32BE((((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) ^ MAGIC_COOKIE) >>> 0, 4);
  return value;
}

function unxorAddress(value: Buffer): { address: string; port: number } {
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const n = (value.readUInt32BE(4) ^ MAGIC_COOKIE) >>> 0;
  return { address: [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), port };
}

function errorOf(answer: Parsed): { code: number; reason: string } {
  const error = answer.attributes.get(ATTR.ERROR_CODE);
  if ((answer.type & 0x0110) !== ERROR || !error) throw new Error(`unexpected answer type 0x${answer.type.toString(16)}`);
  // ERROR-CODE: 2 reserved bytes, class (hundreds), number, then a UTF-8 reason.
  return { code: (error[2]! & 0x7) * 100 + error[3]!, reason: error.subarray(4).toString() };
}

/** How STUN messages go to the server and come back: datagrams, or a byte stream framed by the STUN length. */
interface Channel {
  send(msg: Buffer): void;
  onMessage(listener: (msg: Buffer) => void): () => void;
  close(): void;
}

function udpChannel(host: string, port: number): Channel {
  const socket = createSocket('udp4');
  return {
    send: (msg) => socket.send(msg, port, host),
    onMessage(listener) {
      socket.on('message', listener);
      return () => socket.off('message', listener);
    },
    close: () => socket.close(),
  };
}

/** STUN over TCP/TLS (RFC 5389 §7.2.2): messages back to back, each 20 bytes + its length field. */
function streamChannel(socket: Socket): Channel {
  const listeners = new Set<(msg: Buffer) => void>();
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 20 && pending.length >= 20 + pending.readUInt16BE(2)) {
      const size = 20 + pending.readUInt16BE(2);
      const msg = pending.subarray(0, size);
      pending = pending.subarray(size);
      for (const listener of listeners) listener(msg);
    }
  });
  socket.on('error', () => {});
  return {
    send: (msg) => void socket.write(msg),
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => socket.destroy(),
  };
}

export type TurnClientTransport = 'udp' | 'tcp' | 'tls';

export interface TurnAllocateOptions {
  /** Default 'udp'. The relay itself is always UDP. */
  transport?: TurnClientTransport;
  timeoutMs?: number;
  /** TLS: trust this CA (PEM) and check the certificate; default: any certificate. */
  ca?: string | Buffer;
  /** TLS: the name to check the certificate against (default: the host). */
  servername?: string;
  /** TLS: protocol limits, to see what the server refuses. */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  ciphers?: string;
  /** After a successful Allocate, one CreatePermission per peer IPv4 address; the answers come back by address. */
  permissions?: readonly string[];
  /**
   * UDP: release the allocation (Refresh, lifetime 0) before returning
   * (default true); false leaves it counting against the user's quota.
   */
  release?: boolean;
  /**
   * TCP or TLS: keep a granted allocation (its connection left open) until
   * the result's `close()`: it counts against coturn's quotas meanwhile.
   */
  hold?: boolean;
}

/** What the TLS handshake gave: protocol, cipher, and the SHA-256 fingerprint of the server's certificate. */
export interface TlsInfo {
  protocol: string | null;
  cipher: string;
  fingerprint256: string;
}

export type AllocateResult =
  | {
      ok: true;
      relayedAddress: string;
      relayedPort: number;
      /** Per peer address asked for: 200, or the error code (403: denied peer). */
      permissions: Record<string, number>;
      tls?: TlsInfo;
      /** With `hold`: closes the connection, and with it the allocation. */
      close?: () => void;
    }
  | { ok: false; code: number; reason: string; tls?: TlsInfo };

async function open(host: string, port: number, options: TurnAllocateOptions, timeoutMs: number): Promise<{ channel: Channel; tls?: TLSSocket }> {
  const transport = options.transport ?? 'udp';
  if (transport === 'udp') return { channel: udpChannel(host, port) };
  const socket: Socket = await new Promise((resolve, reject) => {
    const s =
      transport === 'tcp'
        ? tcpConnect({ host, port })
        : tlsConnect({
            host,
            port,
            ca: options.ca,
            rejectUnauthorized: options.ca !== undefined,
            ...(options.servername ? { servername: options.servername } : {}),
            ...(options.minVersion ? { minVersion: options.minVersion } : {}),
            ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
            ...(options.ciphers ? { ciphers: options.ciphers } : {}),
          });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no ${transport} connection to ${host}:${port} in ${timeoutMs} ms`));
    }, timeoutMs);
    s.once(transport === 'tcp' ? 'connect' : 'secureConnect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return { channel: streamChannel(socket), ...(transport === 'tls' ? { tls: socket as TLSSocket } : {}) };
}

/**
 * Allocate a UDP relay: the first request goes without credentials and gets
 * 401 with REALM and NONCE; the second carries USERNAME, REALM, NONCE and
 * MESSAGE-INTEGRITY keyed with MD5(username:realm:password). A UDP
 * allocation is released (Refresh, lifetime 0) before returning; a TCP or TLS
 * one goes with its connection.
 */
export async function turnAllocate(
  host: string,
  port: number,
  username: string,
  password: string,
  options: TurnAllocateOptions | number = {},
): Promise<AllocateResult> {
  const opts = typeof options === 'number' ? { timeoutMs: options } : options;
  const timeoutMs = opts.timeoutMs ?? 3000;
  if (opts.hold && (opts.transport ?? 'udp') === 'udp') throw new Error('hold needs TCP or TLS: a UDP allocation outlives its socket');
  const { channel, tls } = await open(host, port, opts, timeoutMs);
  let held = false;
  const tlsInfo = tls
    ? { tls: { protocol: tls.getProtocol(), cipher: tls.getCipher().name, fingerprint256: tls.getPeerCertificate().fingerprint256 } }
    : {};
  const exchange = (request: Buffer, transactionId: Buffer): Promise<Parsed> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no TURN answer from ${host}:${port} in ${timeoutMs} ms`));
      }, timeoutMs);
      const off = channel.onMessage((msg) => {
        if (msg.length < 20 || msg.readUInt32BE(4) !== MAGIC_COOKIE) return;
        const parsed = parse(msg);
        if (!parsed.transactionId.equals(transactionId)) return;
        clearTimeout(timer);
        off();
        resolve(parsed);
      });
      channel.send(request);
    });
  // REQUESTED-TRANSPORT: protocol 17 (UDP), then three reserved bytes.
  const udp: Attribute = [ATTR.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0])];
  try {
    const firstId = randomBytes(12);
    const challenge = await exchange(message(METHOD.ALLOCATE, firstId, [udp]), firstId);
    const realm = challenge.attributes.get(ATTR.REALM);
    const nonce = challenge.attributes.get(ATTR.NONCE);
    if (challenge.type !== (METHOD.ALLOCATE | ERROR) || !realm || !nonce) {
      throw new Error(`expected a 401 challenge with REALM and NONCE, got type 0x${challenge.type.toString(16)}`);
    }
    const key = createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
    const auth: Attribute[] = [[ATTR.USERNAME, Buffer.from(username)], [ATTR.REALM, realm], [ATTR.NONCE, nonce]];
    const request = async (method: number, attributes: Attribute[]): Promise<Parsed> => {
      const id = randomBytes(12);
      return exchange(message(method, id, [...attributes, ...auth], key), id);
    };

    const answer = await request(METHOD.ALLOCATE, [udp]);
    if (answer.type !== (METHOD.ALLOCATE | SUCCESS)) return { ok: false, ...errorOf(answer), ...tlsInfo };
    const relayed = answer.attributes.get(ATTR.XOR_RELAYED_ADDRESS);
    if (!relayed) throw new Error('allocation succeeded without XOR-RELAYED-ADDRESS');
    const { address: relayedAddress, port: relayedPort } = unxorAddress(relayed);

    const permissions: Record<string, number> = {};
    for (const peer of opts.permissions ?? []) {
      const result = await request(METHOD.CREATE_PERMISSION, [[ATTR.XOR_PEER_ADDRESS, xorAddress(peer, 9)]]);
      permissions[peer] = result.type === (METHOD.CREATE_PERMISSION | SUCCESS) ? 200 : errorOf(result).code;
    }
    if ((opts.transport ?? 'udp') === 'udp' && opts.release !== false) {
      await request(METHOD.REFRESH, [[ATTR.LIFETIME, Buffer.from([0, 0, 0, 0])]]).catch(() => undefined);
    }
    if (opts.hold) {
      held = true;
      return { ok: true, relayedAddress, relayedPort, permissions, ...tlsInfo, close: () => channel.close() };
    }
    return { ok: true, relayedAddress, relayedPort, permissions, ...tlsInfo };
  } finally {
    if (!held) channel.close();
  }
}
