import { EventEmitter } from 'node:events';
import type { Producer, RtpCapabilities, WebRtcTransport } from 'mediasoup/types';
import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger.js';
import type { ProducerAppData } from './mediaTypes.js';
import { PeerConsumers } from './PeerConsumers.js';

/** A consumer as PeerConsumers uses one, whose pause the worker refuses. No worker. */
function fakeConsumer(id: string, producerId: string) {
  const observer = new EventEmitter();
  return {
    id,
    producerId,
    kind: 'audio' as const,
    type: 'simple' as const,
    appData: { peerId: 'listener', producerPeerId: 'talker', source: 'mic' as const },
    closed: false,
    observer,
    on() {},
    async pause() {
      throw new Error('Channel request handler with ID xyz not found');
    },
    close() {
      if (this.closed) return;
      this.closed = true;
      observer.emit('close');
    },
  };
}

function rig() {
  const producer = {
    id: 'mic-of-talker',
    kind: 'audio',
    closed: false,
    appData: { peerId: 'talker', source: 'mic' },
    rtpParameters: { encodings: [{}] },
    observer: new EventEmitter(),
  } as unknown as Producer<ProducerAppData>;
  const made: Array<ReturnType<typeof fakeConsumer>> = [];
  const transport = {
    async consume() {
      const consumer = fakeConsumer(`consumer-${made.length + 1}`, producer.id);
      made.push(consumer);
      return consumer;
    },
  } as unknown as WebRtcTransport;
  const consumers = new PeerConsumers({
    peerId: 'listener',
    log: silentLogger,
    closed: () => false,
    recvTransport: () => transport as WebRtcTransport<never>,
    canConsume: () => true,
    pipe: async () => {},
    // The loudest-voices choice holds this voice: a join answer's flowing consumer is paused at once.
    voiceHeld: () => true,
    activeSpeaker: () => null,
    onConsumerClosed: () => {},
    onLimited: () => {},
    onScreenStill: () => {},
  });
  consumers.setRtpCapabilities({ codecs: [] } as RtpCapabilities);
  return { consumers, producer, made };
}

describe('PeerConsumers.consume', () => {
  it('closes and forgets a consumer whose set-up fails after it was made (the client never learns its id)', async () => {
    const { consumers, producer, made } = rig();
    await expect(consumers.consume(producer, { flowing: true })).rejects.toThrow(/not found/);
    expect(made).toHaveLength(1);
    expect(made[0]!.closed).toBe(true);
    expect(consumers.consumers.size).toBe(0);
    expect([...consumers.pauseReasons(made[0]!.id)]).toEqual([]);
  });

  it('answers NOT_FOUND when the producer closed while its consumer was being set up', async () => {
    const { consumers, producer, made } = rig();
    (producer as unknown as { closed: boolean }).closed = true;
    await expect(consumers.consume(producer, { flowing: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(made[0]!.closed).toBe(true);
    expect(consumers.consumers.size).toBe(0);
  });
});
