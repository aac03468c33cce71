/**
 * A Chantier participant without a browser: the real signaling protocol
 * (test/TestClient.ts, hello → join → createTransport → produce / consume),
 * and werift peers for the media (rtcPeer.ts). mediasoup is ICE-lite and
 * takes its transports' parameters over signaling, so the bot writes the
 * server's side of the SDP from those parameters (what mediasoup-client
 * does in a browser). Simulcast: the video producer declares three
 * encodings by SSRC (as Chromium does), and the bot sends the three
 * recorded layers with those SSRCs.
 */
import { randomInt } from 'node:crypto';
import type { RtpCapabilities, RtpParameters } from 'mediasoup/types';
import type { RTCPeerConnection } from 'werift';
import { PROTOCOL_VERSION, type ResponseData } from '../../../signaling/src/protocol/index.js';
import { TestClient } from '../../../test/TestClient.js';
import { VIDEO_LAYERS, type Replayer, type ReplaySink } from './simulcastClip.js';
import type { BotVoice } from './botVoice.js';
import { AUDIO_LEVEL_EXTENSION_ID, AUDIO_LEVEL_EXTENSION_URI, connected, createPeer, dtlsOf, localSdpFacts, MID_EXTENSION_URI, RtpCounter, rtpSender, type PeerCodecs } from './rtcPeer.js';

type TransportInfo = ResponseData<'createTransport'>;

export interface ChantierPlace {
  url: string;
  projectId: string;
  /** An access token (role member) for this user on this server. */
  token(userId: string, displayName: string): Promise<string>;
}

/**
 * What the bot tells the server it can receive: Opus and VP8 with NACK and
 * PLI, the mid extension only. No transport-cc nor REMB: without bandwidth
 * feedback mediasoup forwards each consumer's preferred (highest) layer, as
 * Janus does by default, so both SFUs forward the same streams.
 */
function botCapabilities(router: RtpCapabilities): RtpCapabilities {
  return {
    codecs: (router.codecs ?? [])
      .filter((c) => c.mimeType === 'audio/opus' || c.mimeType === 'video/VP8')
      .map((c) => ({ ...c, rtcpFeedback: (c.rtcpFeedback ?? []).filter((f) => f.type === 'nack') })),
    headerExtensions: (router.headerExtensions ?? []).filter((h) => h.uri === MID_EXTENSION_URI),
  };
}

function codecsOf(router: RtpCapabilities): PeerCodecs {
  const pt = (mime: string): number => {
    const codec = (router.codecs ?? []).find((c) => c.mimeType === mime);
    if (codec?.preferredPayloadType === undefined) throw new Error(`the router has no ${mime}`);
    return codec.preferredPayloadType;
  };
  return { opusPayloadType: pt('audio/opus'), vp8PayloadType: pt('video/VP8') };
}

function sessionLines(transport: TransportInfo, mids: string[]): string[] {
  return ['v=0', `o=- ${randomInt(1, 2 ** 31)} 1 IN IP4 127.0.0.1`, 's=-', 't=0 0', 'a=ice-lite', `a=group:BUNDLE ${mids.join(' ')}`, 'a=msid-semantic: WMS *'];
}

function transportLines(transport: TransportInfo, setup: 'passive' | 'actpass'): string[] {
  const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256');
  if (!fingerprint) throw new Error('the server offers no sha-256 fingerprint');
  return [
    'c=IN IP4 127.0.0.1',
    `a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
    `a=ice-pwd:${transport.iceParameters.password}`,
    `a=fingerprint:sha-256 ${fingerprint.value}`,
    `a=setup:${setup}`,
    'a=rtcp-mux',
    ...transport.iceCandidates
      .filter((c) => c.protocol === 'udp')
      .map((c) => `a=candidate:${c.foundation} 1 udp ${c.priority} ${c.address} ${c.port} typ host`),
    'a=end-of-candidates',
  ];
}

function udpPort(transport: TransportInfo): number {
  return transport.iceCandidates.find((c) => c.protocol === 'udp')?.port ?? 9;
}

function codecLines(rtp: RtpParameters): string[] {
  return rtp.codecs.flatMap((c) => {
    const name = c.mimeType.split('/')[1];
    const lines = [`a=rtpmap:${c.payloadType} ${name}/${c.clockRate}${c.channels && c.channels > 1 ? `/${c.channels}` : ''}`];
    const params = Object.entries(c.parameters ?? {}).map(([k, v]) => `${k}=${String(v)}`);
    if (params.length > 0) lines.push(`a=fmtp:${c.payloadType} ${params.join(';')}`);
    for (const f of c.rtcpFeedback ?? []) lines.push(`a=rtcp-fb:${c.payloadType} ${f.type}${f.parameter ? ` ${f.parameter}` : ''}`);
    return lines;
  });
}

export interface ChantierBot {
  peerId: string;
  producerIds: string[];
  counter: RtpCounter;
  /** Stops or restarts the video layers (as a camera turned off at the device: the producer stays). */
  setCamera(on: boolean): void;
  /** Consumes every producer given (one negotiation), resumes them. */
  consumeAll(producerIds: string[]): Promise<void>;
  close(): Promise<void>;
}

export interface BotOptions {
  /** How many of the video layers it sends, lowest first (default: all three). */
  videoLayers?: number;
  /** Its microphone as a talker (audio levels, DTX when silent); default: the clip as it is, without levels. */
  voice?: BotVoice;
}

/** Joins, publishes audio and the video layers from the replayer, receives nothing yet. */
export async function startChantierBot(
  place: ChantierPlace,
  roomId: string,
  name: string,
  replayer: Replayer,
  offsetMs: number,
  hostAddress: string,
  options: BotOptions = {},
): Promise<ChantierBot> {
  const layers = VIDEO_LAYERS.slice(0, options.videoLayers ?? VIDEO_LAYERS.length);
  const voice = options.voice;
  const token = await place.token(`bot-${name}`, name);
  const client = await TestClient.connect(place.url);
  const peers: RTCPeerConnection[] = [];
  const counter = new RtpCounter();
  let stopSending: (() => void) | undefined;
  let closed = false;
  try {
    const hello = await client.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: place.projectId, roomId });
    const router = hello.routerRtpCapabilities!;
    const codecs = codecsOf(router);
    await client.request('join', { rtpCapabilities: botCapabilities(router) });

    // Sending: the bot offers (sendonly audio and video), the server answers.
    const send = await client.request('createTransport', { direction: 'send' });
    const sendPc = createPeer(codecs, hostAddress);
    peers.push(sendPc);
    sendPc.addTransceiver('audio', { direction: 'sendonly' });
    sendPc.addTransceiver('video', { direction: 'sendonly' });
    const offer = await sendPc.createOffer();
    await sendPc.setLocalDescription(offer);
    const local = localSdpFacts(sendPc.localDescription!.sdp);
    const mids = sendPc.getTransceivers().map((t) => t.mid ?? '');
    const answer = [
      ...sessionLines(send, mids),
      `m=audio ${udpPort(send)} UDP/TLS/RTP/SAVPF ${codecs.opusPayloadType}`,
      ...transportLines(send, 'passive'),
      `a=mid:${mids[0]}`,
      'a=recvonly',
      `a=rtpmap:${codecs.opusPayloadType} opus/48000/2`,
      `a=extmap:1 ${MID_EXTENSION_URI}`,
      ...(voice ? [`a=extmap:${AUDIO_LEVEL_EXTENSION_ID} ${AUDIO_LEVEL_EXTENSION_URI}`] : []),
      `m=video ${udpPort(send)} UDP/TLS/RTP/SAVPF ${codecs.vp8PayloadType}`,
      ...transportLines(send, 'passive'),
      `a=mid:${mids[1]}`,
      'a=recvonly',
      `a=rtpmap:${codecs.vp8PayloadType} VP8/90000`,
      `a=rtcp-fb:${codecs.vp8PayloadType} nack`,
      `a=rtcp-fb:${codecs.vp8PayloadType} nack pli`,
      `a=extmap:1 ${MID_EXTENSION_URI}`,
      '',
    ].join('\r\n');
    await client.request('connectTransport', {
      transportId: send.transportId,
      dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: local.fingerprint }] },
    });
    await sendPc.setRemoteDescription({ type: 'answer', sdp: answer });
    await connected(sendPc, `${name} send`);

    const base = randomInt(1, 2 ** 30) * 2;
    const ssrcs = [base, base + 1, base + 2, base + 3];
    // A browser takes the CNAME as the msid's stream id: no spaces ("Sender 2").
    const cname = `bot-${name.replace(/[^\w-]/g, '-')}`;
    const audio = await client.request('produce', {
      transportId: send.transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: {
        mid: mids[0],
        codecs: [{ mimeType: 'audio/opus', payloadType: codecs.opusPayloadType, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
        headerExtensions: [
          { uri: MID_EXTENSION_URI, id: 1 },
          ...(voice ? [{ uri: AUDIO_LEVEL_EXTENSION_URI, id: AUDIO_LEVEL_EXTENSION_ID }] : []),
        ],
        encodings: [{ ssrc: ssrcs[0]! }],
        rtcp: { cname },
      } as RtpParameters as never,
    });
    const video = await client.request('produce', {
      transportId: send.transportId,
      kind: 'video',
      source: 'camera',
      rtpParameters: {
        mid: mids[1],
        codecs: [
          {
            mimeType: 'video/VP8',
            payloadType: codecs.vp8PayloadType,
            clockRate: 90000,
            parameters: {},
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
          },
        ],
        headerExtensions: [{ uri: MID_EXTENSION_URI, id: 1 }],
        encodings: layers.map((layer, i) => ({ ssrc: ssrcs[i + 1]!, maxBitrate: layer.kbps * 1000 * 1.2 })),
        rtcp: { cname },
      } as RtpParameters as never,
    });
    const write = rtpSender(dtlsOf(sendPc));
    const videoStreams = VIDEO_LAYERS.map((_, i) => (i < layers.length ? { ssrc: ssrcs[i + 1]!, payloadType: codecs.vp8PayloadType } : null));
    const sink: ReplaySink = {
      streams: [{ ssrc: ssrcs[0]!, payloadType: codecs.opusPayloadType }, ...videoStreams],
      send: (stream, header, payload) => {
        if (stream !== 0 || !voice) {
          write({ ...header, mid: stream === 0 ? mids[0]! : mids[1]! }, payload);
          return;
        }
        const shaped = voice.shape();
        if (shaped) write({ ...header, sequenceNumber: shaped.sequenceNumber, mid: mids[0]!, audioLevel: shaped.audioLevel }, shaped.payload);
      },
    };
    const publishing = replayer.add(sink, offsetMs);
    stopSending = publishing.stop;

    let recv: TransportInfo | null = null;
    return {
      peerId: hello.peerId,
      producerIds: [audio.producerId, video.producerId],
      counter,
      setCamera(on) {
        sink.streams.splice(1, videoStreams.length, ...(on ? videoStreams : videoStreams.map(() => null)));
      },
      async consumeAll(producerIds) {
        recv = await client.request('createTransport', { direction: 'recv' });
        const consumers = [];
        for (const producerId of producerIds) consumers.push(await client.request('consume', { producerId }));
        if (closed) throw new Error(`${name}: closed`);
        const recvPc = createPeer(codecs, hostAddress);
        peers.push(recvPc);
        const consumerMids = consumers.map((c) => c.rtpParameters.mid ?? '');
        const offerSdp = [
          ...sessionLines(recv, consumerMids),
          ...consumers.flatMap((c) => {
            const rtp = c.rtpParameters;
            const encoding = rtp.encodings?.[0];
            return [
              `m=${c.kind} ${udpPort(recv!)} UDP/TLS/RTP/SAVPF ${rtp.codecs.map((codec) => codec.payloadType).join(' ')}`,
              ...transportLines(recv!, 'actpass'),
              `a=mid:${rtp.mid}`,
              'a=sendonly',
              ...codecLines(rtp),
              ...(rtp.headerExtensions ?? []).map((h) => `a=extmap:${h.id} ${h.uri}`),
              `a=msid:${c.peerId} ${c.consumerId}`,
              `a=ssrc:${encoding?.ssrc} cname:${rtp.rtcp?.cname ?? c.peerId}`,
              `a=ssrc:${encoding?.ssrc} msid:${c.peerId} ${c.consumerId}`,
            ];
          }),
          '',
        ].join('\r\n');
        await recvPc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
        const recvAnswer = await recvPc.createAnswer();
        await recvPc.setLocalDescription(recvAnswer);
        const facts = localSdpFacts(recvPc.localDescription!.sdp);
        await client.request('connectTransport', {
          transportId: recv.transportId,
          dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: facts.fingerprint }] },
        });
        await connected(recvPc, `${name} recv`);
        counter.attach(dtlsOf(recvPc));
        for (const c of consumers) await client.request('resumeConsumer', { consumerId: c.consumerId });
      },
      async close() {
        closed = true;
        stopSending?.();
        for (const pc of peers) await pc.close().catch(() => undefined);
        client.close();
      },
    };
  } catch (error) {
    for (const pc of peers) await pc.close().catch(() => undefined);
    client.close();
    throw error;
  }
}
