/**
 * Microphones without a browser, for the loudest-voices tests and bench: a
 * participant's "mic" is an Opus producer on a DirectTransport of the
 * participant's router, fed real RTP packets (40-ms frames, as the client
 * sends) whose RFC 6464 header extension carries the level each test sets.
 * The room treats it as the participant's microphone (MediaRoom.observeSpeaker,
 * as MediaPeer.produce does), so it is piped, observed and consumed as one.
 */
import type { DirectTransport, Producer } from 'mediasoup/types';
import type { ProducerAppData } from '../sfu/src/mediaTypes.js';
import type { MediaPeer } from '../sfu/src/MediaPeer.js';
import type { MediaRoom } from '../sfu/src/MediaRoom.js';
import { audioRtpParameters } from './fakeMedia.js';

/** The audio-level extension's id in audioRtpParameters(). */
const LEVEL_EXTENSION_ID = 10;
const FRAME_MS = 40;

/** One RTP packet: header, the one-byte extension with the level, and an Opus-sized payload. */
export function opusPacket(ssrc: number, seq: number, timestamp: number, levelDbov: number): Buffer {
  const packet = Buffer.alloc(12 + 8 + 60);
  packet[0] = 0x90; // V=2, X=1
  packet[1] = 111;
  packet.writeUInt16BE(seq & 0xffff, 2);
  packet.writeUInt32BE(timestamp >>> 0, 4);
  packet.writeUInt32BE(ssrc, 8);
  packet.writeUInt16BE(0xbede, 12);
  packet.writeUInt16BE(1, 14);
  packet[16] = (LEVEL_EXTENSION_ID << 4) | 0; // one byte of data
  packet[17] = Math.min(127, Math.round(-levelDbov)) | 0x80;
  packet[20] = 0xf8; // Opus TOC: 20-ms CELT frames; the SFU does not decode
  packet.fill(0x5a, 21);
  return packet;
}

export class TalkingMic {
  readonly producer: Producer<ProducerAppData>;
  /** dBov of the next packets; null: DTX, nothing is sent. */
  level: number | null;
  readonly #transport: DirectTransport;
  readonly #ssrc: number;
  /** Packets sent so far. */
  sent = 0;
  #seq = 0;
  #timestamp = 0;

  private constructor(transport: DirectTransport, producer: Producer<ProducerAppData>, level: number | null) {
    this.#transport = transport;
    this.producer = producer;
    this.level = level;
    this.#ssrc = producer.rtpParameters.encodings?.[0]?.ssrc ?? 0;
  }

  /** A microphone of `peer`, on its router, at `level` dBov (null: silent). */
  static async create(room: MediaRoom, peer: MediaPeer, level: number | null): Promise<TalkingMic> {
    const router = room.routers.get(peer.slot.index)?.router;
    if (!router) throw new Error(`no router of ${peer.id}`);
    const transport = await router.createDirectTransport();
    const producer = await transport.produce<ProducerAppData>({
      kind: 'audio',
      rtpParameters: audioRtpParameters(),
      appData: { peerId: peer.id, source: 'mic' },
    });
    room.observeSpeaker(producer);
    return new TalkingMic(transport, producer, level);
  }

  /** One 40-ms frame, if talking. */
  frame(): void {
    this.#timestamp += (48_000 * FRAME_MS) / 1000;
    this.#seq++;
    if (this.level === null || this.producer.closed) return;
    this.producer.send(opusPacket(this.#ssrc, this.#seq, this.#timestamp, this.level));
    this.sent++;
  }

  close(): void {
    this.#transport.close();
  }
}

/** Sends a frame of every mic every 40 ms until the returned function is called. */
export function talk(mics: readonly TalkingMic[]): () => void {
  const timer = setInterval(() => {
    for (const mic of mics) mic.frame();
  }, FRAME_MS);
  return () => clearInterval(timer);
}
