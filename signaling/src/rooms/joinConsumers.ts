import type { ConsumerAppData, MediaPeer, ProducerAppData } from '@chantier/sfu';
import type { FastifyBaseLogger } from 'fastify';
import type { Consumer, Producer as MediaProducer } from 'mediasoup/types';
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
 * Consumers made on the join screen (`prepareConsumers`, consumersForLobby
 * below) are the page's already, SDP applied: the join resumes them, audio
 * and video (mediasoup asks each video's sender for a key frame as it
 * resumes), and the answer carries them as they are; one the newcomer may no
 * longer receive (audio-only chosen since) is closed.
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
  if (!receives(peer)) return undefined;
  const prepared = new Map([...peer.consumers.values()].map((consumer) => [consumer.producerId, consumer]));
  const wanted = producersFor(peer, others);
  const wantedIds = new Set(wanted.map((producer) => producer.id));
  for (const [producerId, consumer] of prepared) if (!wantedIds.has(producerId)) consumer.close();
  return made(wanted, log, async (producer) => {
    const ready = prepared.get(producer.id);
    if (ready && !ready.closed) {
      await peer.resumeConsumer(ready.id);
      return ready;
    }
    // Video paused until consumersReady (see above); audio flows at once.
    return peer.consume(producer, { flowing: producer.kind === 'audio' });
  });
}

/**
 * Before join, on the join screen (`prepareConsumers`): a paused consumer of
 * every producer already there, audio included (nothing flows before the
 * join resumes them), so that the page applies their SDP while the person
 * is still on the join screen and the press of "Rejoindre" only resumes
 * them. Producers the peer consumes already (a second call) are not made
 * again. Empty without a receive transport.
 */
export async function consumersForLobby(
  peer: MediaPeer,
  others: readonly Session[],
  log: FastifyBaseLogger,
): Promise<ConsumerParams[]> {
  if (!receives(peer)) return [];
  const consumed = new Set([...peer.consumers.values()].map((consumer) => consumer.producerId));
  const wanted = producersFor(peer, others).filter((producer) => !consumed.has(producer.id));
  return made(wanted, log, (producer) => peer.consume(producer, { flowing: false }));
}

type Producer = MediaProducer<ProducerAppData>;

function receives(peer: MediaPeer): boolean {
  return [...peer.transports.values()].some((t) => (t.appData as { direction?: unknown }).direction === 'recv');
}

/** The others' producers this peer may receive. */
function producersFor(peer: MediaPeer, others: readonly Session[]): Producer[] {
  const producers = others.flatMap((session) => [...(session.media?.producers.values() ?? [])]);
  return producers.filter((producer) => !(peer.audioOnly && producer.kind === 'video'));
}

/** Each producer's consumer as the protocol describes it; one that could not be made is left out (logged). */
async function made(
  producers: readonly Producer[],
  log: FastifyBaseLogger,
  consumerOf: (producer: Producer) => Promise<Consumer>,
): Promise<ConsumerParams[]> {
  const params = await Promise.all(
    producers.map(async (producer): Promise<ConsumerParams | null> => {
      try {
        const consumer = await consumerOf(producer);
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
  return params.filter((c): c is ConsumerParams => c !== null);
}
