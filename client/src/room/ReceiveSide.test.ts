import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Transport } from 'mediasoup-client/types';
import type { ConsumerParams } from '@chantier/signaling/protocol';
import type { SignalingChannel } from '../signaling/Connection';
import { ReceiveSide } from './ReceiveSide';

function params(consumerId: string, producerId: string, producerPaused = false): ConsumerParams {
  return { consumerId, producerId, peerId: `peer-of-${producerId}`, kind: 'video', source: 'camera', rtpParameters: {}, producerPaused } as unknown as ConsumerParams;
}

/** A receive transport whose consumers are plain records; which were made, and closed. */
function fakeTransport() {
  const closed: string[] = [];
  const consume = vi.fn(async ({ id, producerId }: { id: string; producerId: string }) => ({
    id,
    producerId,
    track: { id: `track-${id}` } as unknown as MediaStreamTrack,
    close: () => closed.push(id),
    on: () => undefined,
  }));
  return { transport: { consume } as unknown as Transport, consume, closed };
}

/** A signaling channel answering each request type with `answers[type]`; the requests, in order. */
function fakeSignaling(answers: Record<string, (data: unknown) => Promise<unknown>>) {
  const requests: Array<[string, unknown]> = [];
  const request = vi.fn((type: string, data: unknown) => {
    requests.push([type, data]);
    return answers[type]?.(data) ?? Promise.resolve({});
  });
  return { channel: { request } as unknown as SignalingChannel, requests };
}

function receiveSide(signaling: SignalingChannel, transport: Transport | null) {
  return new ReceiveSide({ signaling, recvTransport: () => transport, rtpCapabilities: () => ({ codecs: [] }) as never });
}

describe('ReceiveSide', () => {
  // prepareConsumers marks the join's timeline: performance's marks are the worker's.
  afterEach(() => performance.clearMarks());

  it('makes no consumer for a producer closed while its consume was on its way', async () => {
    let answer: (info: ConsumerParams) => void = () => undefined;
    const signaling = fakeSignaling({ consume: () => new Promise((resolve) => (answer = resolve)) });
    const { transport, consume } = fakeTransport();
    const side = receiveSide(signaling.channel, transport);
    side.transportsMade(transport);

    const consuming = side.consume('p1');
    await vi.waitFor(() => expect(signaling.requests.map(([type]) => type)).toEqual(['consume']));
    expect(side.isReceiving('p1')).toBe(true);
    expect(side.closeConsumersOfProducer('p1')).toEqual([]);
    answer(params('c1', 'p1'));

    await expect(consuming).resolves.toBeNull();
    expect(consume).not.toHaveBeenCalled();
    expect(side.isReceiving('p1')).toBe(false);
    expect(signaling.requests.map(([type]) => type)).toEqual(['consume']); // no resumeConsumer
  });

  it('ends, on close, the consumes waiting for the transports', async () => {
    const signaling = fakeSignaling({});
    const side = receiveSide(signaling.channel, null);
    const consuming = side.consume('p1');
    side.close();
    await expect(consuming).resolves.toBeNull();
    expect(signaling.requests).toEqual([]);
    expect(side.isReceiving('p1')).toBe(false);
  });

  it("lets the join take the join screen's consumers, close those it no longer lists and make the rest", async () => {
    const signaling = fakeSignaling({
      prepareConsumers: async () => ({ consumers: [params('c1', 'p1'), params('c2', 'p2')] }),
    });
    const { transport, consume, closed } = fakeTransport();
    const side = receiveSide(signaling.channel, transport);
    await side.prepareConsumers(false);
    expect(consume.mock.calls.map(([o]) => o.id)).toEqual(['c1', 'c2']);

    // The answer: c1 (its producer paused meanwhile) and c3, a newcomer's; c2's producer went.
    const joined = await side.receiveJoined([params('c1', 'p1', true), params('c3', 'p3')]);

    expect(joined.map((c) => [c.consumerId, c.producerPaused])).toEqual([
      ['c1', true],
      ['c3', false],
    ]);
    expect(consume.mock.calls.map(([o]) => o.id)).toEqual(['c1', 'c2', 'c3']);
    expect(closed).toEqual(['c2']);
    await vi.waitFor(() => expect(signaling.requests.at(-1)).toEqual(['consumersReady', { consumerIds: ['c3'] }]));
    expect(['p1', 'p2', 'p3'].map((p) => side.isReceiving(p))).toEqual([true, false, true]);

    expect(side.closeConsumer('c3')).toEqual({ consumerId: 'c3', peerId: 'peer-of-p3', source: 'camera' });
    expect(closed).toEqual(['c2', 'c3']);
    expect(side.isReceiving('p3')).toBe(false);
    expect(side.closeConsumer('c3')).toBeNull();
  });
});
