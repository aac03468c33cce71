import { EventEmitter } from 'node:events';
import type { MediaRoom } from '@chantier/sfu';
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { QualityMonitor } from './QualityMonitor.js';

/** A peer as the monitor reads one: one transport whose stats say what it loses each way; no producers or consumers. */
function fakePeer(id: string, loss: { sent?: number; received?: number }) {
  return {
    id,
    closed: false,
    producers: new Map(),
    consumers: new Map(),
    bandwidthSuspended: new Set<string>(),
    transports: new Map([
      [
        't1',
        {
          iceState: 'connected',
          getStats: async () => [{ bytesReceived: 1_000 + Math.random(), rtpPacketLossSent: loss.sent, rtpPacketLossReceived: loss.received }],
        },
      ],
    ]),
  };
}

const silent = { warn() {} } as unknown as FastifyBaseLogger;
let monitor: QualityMonitor | undefined;
afterEach(() => monitor?.close());

describe('QualityMonitor', () => {
  it('rates a peer whose downlink loses 5 % fair, and one losing 12 % of what it sends poor, once two polls agree', async () => {
    const room = Object.assign(new EventEmitter(), {
      peers: new Map([
        ['weak', fakePeer('weak', { sent: 0.05 })],
        ['worse', fakePeer('worse', { received: 0.12 })],
        ['clean', fakePeer('clean', { sent: 0, received: 0 })],
      ]),
    }) as unknown as MediaRoom;
    const announced: Array<Array<{ peerId: string; quality: string }>> = [];
    monitor = new QualityMonitor(room, (peers) => announced.push(peers), silent, 60_000);
    for (let i = 0; i < 3; i++) await monitor.poll();
    expect(Object.fromEntries(monitor.qualities)).toEqual({ weak: 'fair', worse: 'poor', clean: 'good' });
    expect(announced.at(-1)).toEqual(
      expect.arrayContaining([
        { peerId: 'weak', quality: 'fair' },
        { peerId: 'worse', quality: 'poor' },
      ]),
    );
  });
});
