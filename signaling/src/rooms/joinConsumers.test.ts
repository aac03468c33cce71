import type { MediaPeer } from '@chantier/sfu';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import type { Session } from '../ws/Session.js';
import { consumersForJoin, consumersForLobby } from './joinConsumers.js';

/** A producer of another peer, as MediaPeer.producers holds it. */
function producer(id: string, kind: 'audio' | 'video') {
  return { id, kind, appData: { peerId: 'bob', source: kind === 'audio' ? 'mic' : 'camera' } };
}

/** The newcomer's peer: a receive transport made in the lobby; consume() answers with a consumer of that producer. */
function newcomer(options: { audioOnly?: boolean; receives?: boolean; prepared?: Array<ReturnType<typeof producer>> } = {}) {
  const consume = vi.fn(async (p: ReturnType<typeof producer>, _options?: { flowing?: boolean }) => ({
    id: `consumer-of-${p.id}`,
    kind: p.kind,
    rtpParameters: { codecs: [] },
    producerPaused: false,
    appData: { producerPeerId: 'bob', source: p.appData.source },
  }));
  const pauseConsumer = vi.fn(async () => undefined);
  const resumeConsumer = vi.fn(async (_consumerId: string) => undefined);
  const transports = new Map(options.receives === false ? [] : [['t1', { appData: { direction: 'recv' } }]]);
  // Consumers made on the join screen (prepareConsumers), as MediaPeer.consumers holds them.
  const consumers = new Map(
    (options.prepared ?? []).map((p) => {
      const consumer = {
        id: `prepared-${p.id}`,
        producerId: p.id,
        kind: p.kind,
        closed: false,
        rtpParameters: { codecs: [] },
        producerPaused: false,
        appData: { producerPeerId: 'bob', source: p.appData.source },
        close: vi.fn(() => {
          consumer.closed = true;
          consumers.delete(consumer.id);
        }),
      };
      return [consumer.id, consumer] as const;
    }),
  );
  const peer = { transports, consumers, audioOnly: options.audioOnly ?? false, consume, pauseConsumer, resumeConsumer } as unknown as MediaPeer;
  return { peer, consume, pauseConsumer, resumeConsumer, consumers };
}

const bob = { media: { producers: new Map([['a1', producer('a1', 'audio')], ['v1', producer('v1', 'video')]]) } } as unknown as Session;
const log = { info: vi.fn() } as unknown as FastifyBaseLogger;

describe('consumersForJoin', () => {
  it('makes audio flowing and video paused, asking nothing more of the worker (no key frame before consumersReady)', async () => {
    const { peer, consume, pauseConsumer } = newcomer();
    const made = await consumersForJoin(peer, [bob], log);
    expect(made?.map((c) => [c.kind, c.consumerId])).toEqual([
      ['audio', 'consumer-of-a1'],
      ['video', 'consumer-of-v1'],
    ]);
    const flowing = consume.mock.calls.map(([p, options]) => [p.kind, options?.flowing]);
    expect(flowing).toEqual([
      ['audio', true],
      ['video', false],
    ]);
    expect(pauseConsumer).not.toHaveBeenCalled();
  });

  it('leaves video out for an audio-only newcomer, and carries nothing without a receive transport', async () => {
    const audioOnly = newcomer({ audioOnly: true });
    expect((await consumersForJoin(audioOnly.peer, [bob], log))?.map((c) => c.kind)).toEqual(['audio']);
    const none = newcomer({ receives: false });
    expect(await consumersForJoin(none.peer, [bob], log)).toBeUndefined();
    expect(none.consume).not.toHaveBeenCalled();
  });

  it('resumes the consumers made on the join screen instead of making them again, and closes one no longer wanted', async () => {
    const audioOnly = newcomer({ audioOnly: true, prepared: [producer('a1', 'audio'), producer('v1', 'video')] });
    const video = audioOnly.consumers.get('prepared-v1')!;
    const made = await consumersForJoin(audioOnly.peer, [bob], log);
    expect(made?.map((c) => c.consumerId)).toEqual(['prepared-a1']);
    expect(audioOnly.consume).not.toHaveBeenCalled();
    expect(audioOnly.resumeConsumer.mock.calls).toEqual([['prepared-a1']]);
    expect(video.close).toHaveBeenCalled();

    // One producer prepared, one that came since: the first resumed, the second made as usual.
    const some = newcomer({ prepared: [producer('v1', 'video')] });
    const answer = await consumersForJoin(some.peer, [bob], log);
    expect(answer?.map((c) => c.consumerId)).toEqual(['consumer-of-a1', 'prepared-v1']);
    expect(some.consume.mock.calls.map(([p]) => p.id)).toEqual(['a1']);
    expect(some.resumeConsumer.mock.calls).toEqual([['prepared-v1']]);
  });
});

describe('consumersForLobby', () => {
  it('makes every producer paused, audio included, once, and nothing without a receive transport', async () => {
    const { peer, consume } = newcomer({ prepared: [producer('a1', 'audio')] });
    const made = await consumersForLobby(peer, [bob], log);
    expect(made.map((c) => c.consumerId)).toEqual(['consumer-of-v1']);
    expect(consume.mock.calls.map(([p, options]) => [p.id, options?.flowing])).toEqual([['v1', false]]);
    const fresh = newcomer();
    await consumersForLobby(fresh.peer, [bob], log);
    expect(fresh.consume.mock.calls.map(([p, options]) => [p.kind, options?.flowing])).toEqual([
      ['audio', false],
      ['video', false],
    ]);
    const none = newcomer({ receives: false });
    expect(await consumersForLobby(none.peer, [bob], log)).toEqual([]);
  });
});
