/**
 * SRTP protection of RTP packets in Node, for the forwarding benchmark's
 * load generator (it stands in for publishers, so it encrypts the way a
 * browser would): AES_CM_128_HMAC_SHA1_80 (RFC 3711) and AEAD_AES_128_GCM /
 * AEAD_AES_256_GCM (RFC 7714). Keys come from the master key and salt through
 * the AES-CM key derivation (RFC 3711 §4.3, key derivation rate 0). No MKI,
 * no RTCP: the generator sends RTP only.
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';

export type SrtpSuite = 'AES_CM_128_HMAC_SHA1_80' | 'AEAD_AES_128_GCM' | 'AEAD_AES_256_GCM';

interface SuiteShape {
  keyBytes: number;
  saltBytes: number;
}

const SHAPES: Record<SrtpSuite, SuiteShape> = {
  AES_CM_128_HMAC_SHA1_80: { keyBytes: 16, saltBytes: 14 },
  AEAD_AES_128_GCM: { keyBytes: 16, saltBytes: 12 },
  AEAD_AES_256_GCM: { keyBytes: 32, saltBytes: 12 },
};

/** A random master key and salt for `suite`, base64 as mediasoup's srtpParameters want it. */
export function randomKeyBase64(suite: SrtpSuite): string {
  const shape = SHAPES[suite];
  return randomBytes(shape.keyBytes + shape.saltBytes).toString('base64');
}

/** AES-CM PRF of RFC 3711 §4.3.1: IV = (salt XOR label at byte 7) * 2^16, salt zero-padded to 14 bytes. */
function deriveKey(masterKey: Buffer, masterSalt: Buffer, label: number, length: number): Buffer {
  const iv = Buffer.alloc(16);
  masterSalt.copy(iv, 0);
  iv[7] = (iv[7] ?? 0) ^ label;
  const cipher = createCipheriv(`aes-${masterKey.length * 8}-ctr`, masterKey, iv);
  return cipher.update(Buffer.alloc(length));
}

/** Protects one RTP packet (`headerLength` = fixed header + CSRCs + extension), given its rollover counter. */
export type Protect = (packet: Buffer, headerLength: number, rollover: number) => Buffer;

export function makeProtect(suite: SrtpSuite, keyBase64: string): Protect {
  const shape = SHAPES[suite];
  const material = Buffer.from(keyBase64, 'base64');
  if (material.length !== shape.keyBytes + shape.saltBytes) throw new Error(`${suite}: wrong key length`);
  const masterKey = material.subarray(0, shape.keyBytes);
  const masterSalt = material.subarray(shape.keyBytes);
  const encryptionKey = deriveKey(masterKey, masterSalt, 0, shape.keyBytes);
  const salt = deriveKey(masterKey, masterSalt, 2, shape.saltBytes);

  if (suite === 'AES_CM_128_HMAC_SHA1_80') {
    const authKey = deriveKey(masterKey, masterSalt, 1, 20);
    return (packet, headerLength, rollover) => {
      // IV = salt*2^16 XOR SSRC*2^64 XOR (ROC||SEQ)*2^16
      const iv = Buffer.alloc(16);
      salt.copy(iv, 0);
      for (let i = 0; i < 4; i++) iv[4 + i]! ^= packet[8 + i]!;
      iv[8]! ^= (rollover >>> 24) & 0xff;
      iv[9]! ^= (rollover >>> 16) & 0xff;
      iv[10]! ^= (rollover >>> 8) & 0xff;
      iv[11]! ^= rollover & 0xff;
      iv[12]! ^= packet[2]!;
      iv[13]! ^= packet[3]!;
      const out = Buffer.allocUnsafe(packet.length + 10);
      packet.copy(out, 0, 0, headerLength);
      createCipheriv('aes-128-ctr', encryptionKey, iv).update(packet.subarray(headerLength)).copy(out, headerLength);
      const roc = Buffer.allocUnsafe(4);
      roc.writeUInt32BE(rollover >>> 0);
      createHmac('sha1', authKey).update(out.subarray(0, packet.length)).update(roc).digest().copy(out, packet.length, 0, 10);
      return out;
    };
  }
  return (packet, headerLength, rollover) => {
    // IV = (00 00 || SSRC || ROC || SEQ) XOR salt; the header is the associated data.
    const iv = Buffer.alloc(12);
    packet.copy(iv, 2, 8, 12);
    iv.writeUInt32BE(rollover >>> 0, 6);
    iv[10] = packet[2]!;
    iv[11] = packet[3]!;
    for (let i = 0; i < 12; i++) iv[i]! ^= salt[i]!;
    const cipher = createCipheriv(shape.keyBytes === 16 ? 'aes-128-gcm' : 'aes-256-gcm', encryptionKey, iv);
    cipher.setAAD(packet.subarray(0, headerLength));
    const body = cipher.update(packet.subarray(headerLength));
    cipher.final();
    return Buffer.concat([packet.subarray(0, headerLength), body, cipher.getAuthTag()]);
  };
}
