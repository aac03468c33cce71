import type { MediaPeer } from '@chantier/sfu';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import type { Session } from '../ws/Session.js';
import { consumersForJoin } from './joinConsumers.js';

/** A producer of another peer, as MediaPeer.producers holds it. */
function producer(id: string, kind: 'audio' | 'video') {
  return { id, kind, appData: { peerId: 'bob', source: kind === 'audio' ? 'mic' : 'camera' } };
}

/** The newcomer's peer: a receive transport made in the lobby; consume() answers with a consumer of that producer. */
function newcomer(options: { audioOnly?: boolean; receives?: boolean } = {}) {
  const consume = vi.fn(async (p: ReturnType<typeof producer>, _options?: { flowing?: boolean }) => ({
    id: `consumer-of-${p.id}`,
    kind: p.kind,
    rtpParameters: { codecs: [] },
    producerPaused: false,
    appData: { producerPeerId: 'bob', source: p.appData.source },
  }));
  const pauseConsumer = vi.fn(async () => undefined);
  const transports = new Map(options.receives === false ? [] : [['t1', { appData: { direction: 'recv' } }]]);
  const peer = { transports, audioOnly: options.audioOnly ?? false, consume, pauseConsumer } as unknown as MediaPeer;
  return { peer, consume, pauseConsumer };
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
});
