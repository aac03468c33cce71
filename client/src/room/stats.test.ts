import { describe, expect, it } from 'vitest';
import { INBOUND_FIELDS, OUTBOUND_FIELDS, receiveDetails, sendDetails, sumStats } from './stats';

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
      totalAudioEnergy: 0,
      concealedSamples: 0,
      totalSamplesReceived: 0,
    });
  });
});

describe('picture details', () => {
  it('gives the codec, size and rate of the top simulcast layer', () => {
    const report = new Map<string, unknown>([
      ['low', { type: 'outbound-rtp', codecId: 'c1', frameWidth: 320, frameHeight: 180, framesPerSecond: 20, qualityLimitationReason: 'none' }],
      ['high', { type: 'outbound-rtp', codecId: 'c1', frameWidth: 640, frameHeight: 360, framesPerSecond: 19, qualityLimitationReason: 'cpu', targetBitrate: 580_000 }],
      ['c1', { type: 'codec', id: 'c1', mimeType: 'video/VP8' }],
    ]);
    expect(sendDetails(report)).toEqual({
      codec: 'video/VP8',
      frameWidth: 640,
      frameHeight: 360,
      framesPerSecond: 19,
      qualityLimitationReason: 'cpu',
      targetBitrate: 580_000,
    });
  });

  it('is all null for audio before anything is known', () => {
    const report = new Map([['a', { type: 'inbound-rtp', packetsReceived: 3 }]]);
    expect(receiveDetails(report)).toEqual({ codec: null, frameWidth: null, frameHeight: null, framesPerSecond: null });
  });
});
