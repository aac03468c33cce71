/**
 * The audio level of one RTP packet (RFC 6464, client-to-mixer), read from
 * its header extension (RFC 8285, one- or two-byte form) without copying or
 * parsing the rest of the packet: it runs for every microphone packet of a
 * meeting (LoudestVoices.ts). Hand-written rather than a full RTP parser
 * (rtp.js builds a packet object per call) for that reason; the unit test
 * covers both forms, padding and malformed packets.
 */

/** dBov (-127..0) of the packet, or undefined when it carries no level (or is malformed). */
export function audioLevelOf(packet: Uint8Array, extensionId: number): number | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2 || (packet[0]! & 0x10) === 0) return undefined;
  const csrcCount = packet[0]! & 0x0f;
  let at = 12 + 4 * csrcCount;
  if (packet.length < at + 4) return undefined;
  const profile = (packet[at]! << 8) | packet[at + 1]!;
  const end = at + 4 + 4 * ((packet[at + 2]! << 8) | packet[at + 3]!);
  if (end > packet.length) return undefined;
  at += 4;
  const oneByte = profile === 0xbede;
  if (!oneByte && (profile & 0xfff0) !== 0x1000) return undefined;
  while (at < end) {
    const head = packet[at]!;
    if (head === 0) {
      at++; // padding
      continue;
    }
    let id: number;
    let length: number;
    if (oneByte) {
      id = head >> 4;
      length = (head & 0x0f) + 1;
      if (id === 15) return undefined; // reserved: stop reading (RFC 8285)
      at += 1;
    } else {
      if (at + 1 >= end) return undefined;
      id = head;
      length = packet[at + 1]!;
      at += 2;
    }
    if (at + length > end) return undefined;
    if (id === extensionId) return length >= 1 ? -(packet[at]! & 0x7f) : undefined;
    at += length;
  }
  return undefined;
}
