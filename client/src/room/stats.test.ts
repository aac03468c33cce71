import { describe, expect, it } from 'vitest';
import { INBOUND_FIELDS, OUTBOUND_FIELDS, sumStats } from './stats';

describe('sumStats', () => {
  it('adds up the fields of the entries of one type only', () => {
    const report = new Map<string, unknown>([
      ['a', { type: 'outbound-rtp', packetsSent: 10, framesEncoded: 5, bytesSent: 1000 }],
      ['b', { type: 'outbound-rtp', packetsSent: 20, framesEncoded: 7, bytesSent: 3000 }],
      ['c', { type: 'remote-inbound-rtp', packetsSent: 99 }],
      ['d', { type: 'transport', bytesSent: 5 }],
    ]);
    expect(sumStats(report, 'outbound-rtp', OUTBOUND_FIELDS)).toEqual({
      packetsSent: 30,
      framesEncoded: 12,
      bytesSent: 4000,
    });
  });

  it('counts a missing field (framesDecoded of audio) as zero', () => {
    const report = new Map([['x', { type: 'inbound-rtp', packetsReceived: 50, bytesReceived: 4000 }]]);
    expect(sumStats(report, 'inbound-rtp', INBOUND_FIELDS)).toEqual({
      packetsReceived: 50,
      framesDecoded: 0,
      bytesReceived: 4000,
    });
  });
});
