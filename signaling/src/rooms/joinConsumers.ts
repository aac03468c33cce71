import type { ConsumerAppData, MediaPeer } from '@chantier/sfu';
import type { FastifyBaseLogger } from 'fastify';
import type { ConsumerParams } from '../protocol/index.js';
import type { Session } from '../ws/Session.js';

/**
 * The consumers a join's answer carries: one per producer of the others
 * already in, made on the newcomer's receive transport, so that the client
 * needs no consume round trip. Audio flows from the start; video waits for
 * `consumersReady` (the page has made them): the receive transport is
 * connected already (the probe), and a video forwarded before the page's SDP
 * is applied loses its key frame's first packets, which costs the page its
 * own key-frame requests and ~300 ms (the join bench's receiver stats).
 * A video is made paused, so that nothing asks its sender for a key frame
 * before `consumersReady` resumes it: a sender makes one in 30-80 ms (the
 * join bench, server-side key-frame traces), well before the page is ready
 * (100-500 ms after the answer), so one asked at creation came while the
 * consumer was paused and was lost; and a browser ignores a key-frame request
 * that comes within 300 ms of the last one it honoured (libwebrtc's
 * EncoderRtcpFeedback), so the resume's own request was ignored too, and the
 * first frame waited for mediasoup's retry or a layer change (+300-1000 ms).
 * Undefined when the newcomer has no receive transport yet (none made in the
 * lobby): it consumes one by one, as after producerAdded.
 *
 * A producer that cannot be consumed here (video for an audio-only peer, a
 * codec this device lacks, a producer closing meanwhile) is left out; the
 * client consumes what the answer lacks by itself and gets the same coded
 * refusal as before.
 */
export async function consumersForJoin(
  peer: MediaPeer,
  others: readonly Session[],
  log: FastifyBaseLogger,
): Promise<ConsumerParams[] | undefined> {
  const receives = [...peer.transports.values()].some((t) => (t.appData as { direction?: unknown }).direction === 'recv');
  if (!receives) return undefined;
  const producers = others.flatMap((session) => [...(session.media?.producers.values() ?? [])]);
  const wanted = producers.filter((producer) => !(peer.audioOnly && producer.kind === 'video'));
  const made = await Promise.all(
    wanted.map(async (producer): Promise<ConsumerParams | null> => {
      try {
        // Video paused until consumersReady (see above); audio flows at once.
        const consumer = await peer.consume(producer, { flowing: producer.kind === 'audio' });
        const appData = consumer.appData as ConsumerAppData;
        return {
          consumerId: consumer.id,
          producerId: producer.id,
          peerId: appData.producerPeerId,
          kind: consumer.kind,
          source: appData.source,
          rtpParameters: consumer.rtpParameters,
          producerPaused: consumer.producerPaused,
        };
      } catch (error) {
        log.info({ err: error, producerId: producer.id }, 'producer left out of the join answer');
        return null;
      }
    }),
  );
  return made.filter((c): c is ConsumerParams => c !== null);
}
