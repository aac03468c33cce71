/**
 * A Janus VideoRoom participant without a browser, the Janus twin of
 * chantierBot.ts: the VideoRoom API over REST (lib/janus.ts), a publisher
 * handle whose werift peer sends the same pre-recorded audio and three VP8
 * layers, and one subscriber handle (Janus 1.1 multistream: every feed of
 * the others in one peer) whose packets are counted like Chantier's.
 * Simulcast the way Janus reads it from Chromium's offers: one video
 * m-section with `a=ssrc-group:SIM` of three SSRCs, lowest layer first.
 */
import { randomInt } from 'node:crypto';
import type { RTCPeerConnection } from 'werift';
import { JanusSession, publishToVideoRoom, startSubscription, subscribeInVideoRoom, type JanusHandle } from './janus.js';
import { VIDEO_LAYERS, type Replayer } from './simulcastClip.js';
import { connected, createPeer, dtlsOf, RtpCounter, rtpSender, type PeerCodecs } from './rtcPeer.js';

const CODECS: PeerCodecs = { opusPayloadType: 111, vp8PayloadType: 96 };

/** Replaces werift's SSRC lines with ours: audio one SSRC, video a SIM group. */
function withSimulcast(sdp: string, audioSsrc: number, videoSsrcs: number[], cname: string): string {
  const sections = sdp.split(/\r\n(?=m=)/);
  return sections
    .map((section) => {
      const lines = section.split('\r\n').filter((l) => l !== '' && !l.startsWith('a=ssrc:') && !l.startsWith('a=ssrc-group:'));
      const msid = lines.find((l) => l.startsWith('a=msid:'))?.slice('a=msid:'.length) ?? `${cname} ${cname}`;
      if (section.startsWith('m=audio')) lines.push(`a=ssrc:${audioSsrc} cname:${cname}`, `a=ssrc:${audioSsrc} msid:${msid}`);
      if (section.startsWith('m=video')) {
        lines.push(`a=ssrc-group:SIM ${videoSsrcs.join(' ')}`);
        for (const ssrc of videoSsrcs) lines.push(`a=ssrc:${ssrc} cname:${cname}`, `a=ssrc:${ssrc} msid:${msid}`);
      }
      return lines.join('\r\n');
    })
    .join('\r\n')
    .concat('\r\n');
}

export interface JanusBot {
  feedId: number;
  counter: RtpCounter;
  /** Subscribes to every feed given (one handle, one peer). */
  subscribeAll(feeds: number[]): Promise<void>;
  close(): Promise<void>;
}

export async function startJanusBot(httpUrl: string, room: number, name: string, replayer: Replayer, offsetMs: number, hostAddress: string): Promise<JanusBot> {
  const session = await JanusSession.create(httpUrl);
  const peers: RTCPeerConnection[] = [];
  const handles: JanusHandle[] = [];
  const counter = new RtpCounter();
  let stopSending: (() => void) | undefined;
  let closed = false;
  const close = async (): Promise<void> => {
    closed = true;
    stopSending?.();
    for (const pc of peers) await pc.close().catch(() => undefined);
    for (const handle of handles) await handle.detach();
    await session.destroy();
  };
  try {
    const publisher = await session.attach();
    handles.push(publisher);
    const sendPc = createPeer(CODECS, hostAddress);
    peers.push(sendPc);
    sendPc.addTransceiver('audio', { direction: 'sendonly' });
    sendPc.addTransceiver('video', { direction: 'sendonly' });
    await sendPc.setLocalDescription(await sendPc.createOffer());
    const base = randomInt(1, 2 ** 30) * 2;
    const ssrcs = [base, base + 1, base + 2, base + 3];
    const offer = withSimulcast(sendPc.localDescription!.sdp, ssrcs[0]!, ssrcs.slice(1), `bot-${name}`);
    const { feedId, answer } = await publishToVideoRoom(publisher, room, name, offer);
    await sendPc.setRemoteDescription({ type: 'answer', sdp: answer });
    await publisher.trickle(null);
    await connected(sendPc, `${name} publisher`);
    const mids = sendPc.getTransceivers().map((t) => t.mid ?? '');
    const write = rtpSender(dtlsOf(sendPc));
    const publishing = replayer.add(
      {
        streams: [
          { ssrc: ssrcs[0]!, payloadType: CODECS.opusPayloadType },
          ...VIDEO_LAYERS.map((_, i) => ({ ssrc: ssrcs[i + 1]!, payloadType: CODECS.vp8PayloadType })),
        ],
        send: (stream, header, payload) => write({ ...header, mid: stream === 0 ? mids[0]! : mids[1]! }, payload),
      },
      offsetMs,
    );
    stopSending = publishing.stop;
    return {
      feedId,
      counter,
      async subscribeAll(feeds) {
        if (closed) throw new Error(`${name}: closed`);
        const subscriber = await session.attach();
        handles.push(subscriber);
        const offerSdp = await subscribeInVideoRoom(subscriber, room, feeds);
        if (closed) throw new Error(`${name}: closed`);
        const recvPc = createPeer(CODECS, hostAddress);
        peers.push(recvPc);
        await recvPc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
        await recvPc.setLocalDescription(await recvPc.createAnswer());
        await startSubscription(subscriber, room, recvPc.localDescription!.sdp);
        await subscriber.trickle(null);
        await connected(recvPc, `${name} subscriber`);
        counter.attach(dtlsOf(recvPc));
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
