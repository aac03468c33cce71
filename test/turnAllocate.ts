/**
 * A minimal TURN client (RFC 5766 / 8656 Allocate over UDP, RFC 5389 long-term
 * credentials), just enough to ask coturn for a relay with a given username
 * and password and see whether it says yes. Written here rather than taken
 * from npm: the few STUN packages there are unmaintained or WebRTC stacks far
 * larger than these ~100 lines, and the test must show exactly what is sent.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

const MAGIC_COOKIE = 0x2112a442;
const ALLOCATE_REQUEST = 0x0003;
const ALLOCATE_SUCCESS = 0x0103;
const ALLOCATE_ERROR = 0x0113;
const ATTR = {
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_TRANSPORT: 0x0019,
} as const;

type Attribute = [type: number, value: Buffer];

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

function parse(msg: Buffer): { type: number; transactionId: Buffer; attributes: Map<number, Buffer> } {
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

export type AllocateResult = { ok: true; relayedPort: number } | { ok: false; code: number; reason: string };

/**
 * Allocate a UDP relay: the first request goes without credentials and gets
 * 401 with REALM and NONCE; the second carries USERNAME, REALM, NONCE and
 * MESSAGE-INTEGRITY keyed with MD5(username:realm:password).
 */
export async function turnAllocate(
  host: string,
  port: number,
  username: string,
  password: string,
  timeoutMs = 3000,
): Promise<AllocateResult> {
  const socket = createSocket('udp4');
  const exchange = (request: Buffer, transactionId: Buffer): Promise<ReturnType<typeof parse>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.off('message', onMessage);
        reject(new Error(`no TURN answer from ${host}:${port} in ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (msg: Buffer): void => {
        if (msg.length < 20 || msg.readUInt32BE(4) !== MAGIC_COOKIE) return;
        const parsed = parse(msg);
        if (!parsed.transactionId.equals(transactionId)) return;
        clearTimeout(timer);
        socket.off('message', onMessage);
        resolve(parsed);
      };
      socket.on('message', onMessage);
      socket.send(request, port, host);
    });
  // REQUESTED-TRANSPORT: protocol 17 (UDP), then three reserved bytes.
  const udp: Attribute = [ATTR.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0])];
  try {
    const firstId = randomBytes(12);
    const challenge = await exchange(message(ALLOCATE_REQUEST, firstId, [udp]), firstId);
    const realm = challenge.attributes.get(ATTR.REALM);
    const nonce = challenge.attributes.get(ATTR.NONCE);
    if (challenge.type !== ALLOCATE_ERROR || !realm || !nonce) {
      throw new Error(`expected a 401 challenge with REALM and NONCE, got type 0x${challenge.type.toString(16)}`);
    }
    const key = createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
    const secondId = randomBytes(12);
    const answer = await exchange(
      message(
        ALLOCATE_REQUEST,
        secondId,
        [udp, [ATTR.USERNAME, Buffer.from(username)], [ATTR.REALM, realm], [ATTR.NONCE, nonce]],
        key,
      ),
      secondId,
    );
    if (answer.type === ALLOCATE_SUCCESS) {
      const relayed = answer.attributes.get(ATTR.XOR_RELAYED_ADDRESS);
      if (!relayed) throw new Error('allocation succeeded without XOR-RELAYED-ADDRESS');
      // Port XORed with the cookie's top 16 bits.
      return { ok: true, relayedPort: relayed.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16) };
    }
    const error = answer.attributes.get(ATTR.ERROR_CODE);
    if (answer.type !== ALLOCATE_ERROR || !error) throw new Error(`unexpected answer type 0x${answer.type.toString(16)}`);
    // ERROR-CODE: 2 reserved bytes, class (hundreds), number, then a UTF-8 reason.
    return { ok: false, code: (error[2]! & 0x7) * 100 + error[3]!, reason: error.subarray(4).toString() };
  } finally {
    socket.close();
  }
}
