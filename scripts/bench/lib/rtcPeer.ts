/**
 * The WebRTC end of a benchmark bot: a werift RTCPeerConnection (pure
 * TypeScript: ICE, DTLS, SRTP; no encoder) that sends pre-recorded RTP
 * packets as they are (rtpClip.ts) and counts the RTP packets it receives.
 * Packets are written straight to the DTLS transport, so the bot chooses its
 * own SSRCs: one per simulcast layer (werift's sender would rewrite them to
 * its single SSRC). Receiving: every SRTP packet is counted by SSRC with its
 * highest sequence number, read from the RTP header (which SRTP leaves in
 * clear), which gives loss as RTP receivers compute it (expected from
 * sequence numbers minus received). Received media is then dropped without
 * decryption: decrypting in JavaScript was most of a bot's CPU, and the
 * load generator must not starve the SFU on 2 cores. So receivers send no
 * NACK: the loss measured is the SFU's raw loss, without retransmission.
 */
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  SrtpAuthenticationError,
  type RTCDtlsTransport,
} from 'werift';

export interface PeerCodecs {
  opusPayloadType: number;
  vp8PayloadType: number;
}

export const MID_EXTENSION_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
export const MID_EXTENSION_ID = 1;

/** Loopback only: no STUN server (werift would use a public one by default), 127.0.0.1 as a host candidate. */
export function createPeer(codecs: PeerCodecs, hostAddress = '127.0.0.1'): RTCPeerConnection {
  return new RTCPeerConnection({
    iceServers: [],
    iceAdditionalHostAddresses: [hostAddress],
    iceUseIpv6: false,
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: codecs.opusPayloadType })],
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/VP8',
          clockRate: 90000,
          payloadType: codecs.vp8PayloadType,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
        }),
      ],
    },
    headerExtensions: {
      audio: [{ uri: MID_EXTENSION_URI, id: MID_EXTENSION_ID }],
      video: [{ uri: MID_EXTENSION_URI, id: MID_EXTENSION_ID }],
    },
  });
}

/** Resolves when the peer's ICE and DTLS are up (bounded). */
export async function connected(pc: RTCPeerConnection, what: string, timeoutMs = 30_000): Promise<void> {
  if (pc.connectionState === 'connected') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not connected within ${timeoutMs} ms (${pc.connectionState})`)), timeoutMs);
    const { unSubscribe } = pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        clearTimeout(timer);
        unSubscribe();
        resolve();
      } else if (state === 'failed' || state === 'closed') {
        clearTimeout(timer);
        unSubscribe();
        reject(new Error(`${what}: connection ${state}`));
      }
    });
  });
}

export function dtlsOf(pc: RTCPeerConnection): RTCDtlsTransport {
  const dtls = pc.getTransceivers()[0]?.sender.dtlsTransport;
  if (!dtls) throw new Error('the peer has no DTLS transport');
  return dtls;
}

/** The local SDP's sha-256 fingerprint and ICE credentials. */
export function localSdpFacts(sdp: string): { fingerprint: string; ufrag: string; pwd: string } {
  const find = (re: RegExp): string => {
    const m = re.exec(sdp);
    if (!m?.[1]) throw new Error(`no ${re.source} in the local SDP`);
    return m[1];
  };
  return { fingerprint: find(/a=fingerprint:sha-256 ([0-9A-Fa-f:]+)/), ufrag: find(/a=ice-ufrag:(\S+)/), pwd: find(/a=ice-pwd:(\S+)/) };
}

export const AUDIO_LEVEL_EXTENSION_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
export const AUDIO_LEVEL_EXTENSION_ID = 2;

/**
 * Sends raw RTP through a connected peer's DTLS-SRTP transport, with the mid
 * extension when given, and the audio level (RFC 6464, dBov ≤ 0, with the
 * voice-activity bit set above -127) when given.
 */
export function rtpSender(dtls: RTCDtlsTransport): (header: { payloadType: number; ssrc: number; sequenceNumber: number; timestamp: number; marker: boolean; mid?: string; audioLevel?: number }, payload: Buffer) => void {
  return (h, payload) => {
    const extensions = [
      ...(h.mid !== undefined ? [{ id: MID_EXTENSION_ID, payload: Buffer.from(h.mid) }] : []),
      ...(h.audioLevel !== undefined
        ? [{ id: AUDIO_LEVEL_EXTENSION_ID, payload: Buffer.from([(h.audioLevel > -127 ? 0x80 : 0) | Math.min(127, Math.round(-h.audioLevel))]) }]
        : []),
    ];
    const header = new RtpHeader({
      payloadType: h.payloadType,
      ssrc: h.ssrc,
      sequenceNumber: h.sequenceNumber,
      timestamp: h.timestamp,
      marker: h.marker,
      ...(extensions.length > 0 ? { extension: true, extensionProfile: 0xbede, extensions } : {}),
    });
    void dtls.sendRtp(payload, header);
  };
}

const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

interface StreamCount {
  received: number;
  /** Extended highest sequence number, and the first one. */
  highest: number;
  first: number;
}

/** Counts received RTP by SSRC: packets, and packets expected from sequence numbers. */
export class RtpCounter {
  readonly #streams = new Map<number, StreamCount>();

  /** Counts the SRTP packets `dtls` receives; call once it is connected (SRTP started). */
  attach(dtls: RTCDtlsTransport): void {
    // A bot's event loop can be late by a few hundred ms on a busy 2-core
    // machine: a larger receive buffer (capped by net.core.rmem_max) keeps
    // that lateness from counting as the SFU's loss. werift keeps its UDP
    // sockets private: reached by duck typing, skipped if its shape changes.
    const protocols = (dtls.iceTransport.connection as unknown as { protocols?: Array<{ transport?: { socket?: { setRecvBufferSize?: (n: number) => void } } }> }).protocols;
    for (const protocol of protocols ?? []) {
      try {
        protocol.transport?.socket?.setRecvBufferSize?.(RECEIVE_BUFFER_BYTES);
      } catch {
        // not a UDP socket, or closed
      }
    }
    dtls.iceTransport.connection.onData.subscribe((data: Buffer) => {
      // RTP: version 2, and not RTCP (payload types 192..208 in the second byte).
      if (data.length < 12 || data[0]! >> 6 !== 2 || (data[1]! >= 192 && data[1]! <= 208)) return;
      this.count(data.readUInt32BE(8), data.readUInt16BE(2));
    });
    // werift's own handler would decrypt each packet next: make it drop them at once.
    dtls.srtp.decrypt = () => {
      throw new SrtpAuthenticationError('not decrypted (benchmark receiver)');
    };
  }

  count(ssrc: number, seq: number): void {
    const s = this.#streams.get(ssrc);
    if (!s) {
      this.#streams.set(ssrc, { received: 1, highest: seq, first: seq });
      return;
    }
    s.received++;
    // Extend the 16-bit sequence number around the highest seen.
    const delta = ((seq - (s.highest & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    if (delta > 0) s.highest += delta;
  }

  /** Per stream, for diagnosis. */
  perStream(): Array<{ ssrc: number; received: number; expected: number }> {
    return [...this.#streams.entries()].map(([ssrc, s]) => ({ ssrc, received: s.received, expected: s.highest - s.first + 1 }));
  }

  /** Totals so far: received packets, expected packets, streams seen. */
  snapshot(): { received: number; expected: number; streams: number } {
    let received = 0;
    let expected = 0;
    for (const s of this.#streams.values()) {
      received += s.received;
      expected += s.highest - s.first + 1;
    }
    return { received, expected, streams: this.#streams.size };
  }
}
