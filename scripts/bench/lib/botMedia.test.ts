/**
 * The bots' media bookkeeping, without a network: the replayer's pacing and
 * RTP rewriting (what the SFUs see as a real stream) and the receivers'
 * loss count from sequence numbers (what the benchmark reports as loss).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RtpCounter } from './rtcPeer.js';
import { Replayer, type Clip, type ClipPacket } from './simulcastClip.js';

function packet(stream: number, tMs: number, relSeq: number): ClipPacket {
  const rate = stream === 0 ? 48 : 90;
  return { stream, tMs, relTs: tMs * rate, relSeq, marker: false, payload: Buffer.from([stream, relSeq]) };
}

/** 100 ms of media: audio every 20 ms, one video layer every 33 ms. */
function clip(): Clip {
  const packets = [
    ...[0, 20, 40, 60, 80].map((t, i) => packet(0, t, i)),
    ...[0, 33, 66].map((t, i) => packet(3, t, i)),
  ].sort((a, b) => a.tMs - b.tMs || a.stream - b.stream);
  return { packets, durationMs: 100, perStream: [5, 0, 0, 3] };
}

interface Sent {
  stream: number;
  ssrc: number;
  payloadType: number;
  seq: number;
  ts: number;
}

describe('Replayer', () => {
  afterEach(() => vi.useRealTimers());

  it('sends each stream at its pace with its own SSRC, consecutive sequence numbers and timestamps that keep growing across loops', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const sent: Sent[] = [];
    const replayer = new Replayer(clip());
    const publisher = replayer.add({
      streams: [{ ssrc: 11, payloadType: 111 }, null, null, { ssrc: 33, payloadType: 96 }],
      send: (stream, h) => sent.push({ stream, ssrc: h.ssrc, payloadType: h.payloadType, seq: h.sequenceNumber, ts: h.timestamp }),
    });
    vi.advanceTimersByTime(250); // two and a half loops

    const audio = sent.filter((s) => s.stream === 0);
    const video = sent.filter((s) => s.stream === 3);
    // 2.5 loops: 5 + 5 + 3 (t = 0, 20, 40 of the third) audio, 3 + 3 + 2 video, give or take the 5-ms tick.
    expect(audio.length).toBeGreaterThanOrEqual(12);
    expect(audio.length).toBeLessThanOrEqual(14);
    expect(video.length).toBeGreaterThanOrEqual(7);
    expect(video.length).toBeLessThanOrEqual(9);
    expect(publisher.sent()).toBe(sent.length);
    expect(replayer.sentByStream()).toEqual([audio.length, 0, 0, video.length]);
    replayer.stop();
    expect(new Set(audio.map((s) => `${s.ssrc}/${s.payloadType}`))).toEqual(new Set(['11/111']));
    expect(new Set(video.map((s) => `${s.ssrc}/${s.payloadType}`))).toEqual(new Set(['33/96']));
    for (const list of [audio, video]) {
      for (let i = 1; i < list.length; i++) {
        expect((list[i]!.seq - list[i - 1]!.seq) & 0xffff).toBe(1);
        expect(((list[i]!.ts - list[i - 1]!.ts) >>> 0) > 0).toBe(true);
      }
    }
    // Across the loop, audio's timestamp goes on by one packet (20 ms at 48 kHz), not back to the start.
    expect((audio[5]!.ts - audio[4]!.ts) >>> 0).toBe(20 * 48);
  });

  it('stops a publisher without stopping the others', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const counts = [0, 0];
    const replayer = new Replayer(clip());
    const sink = (i: number) => ({ streams: [{ ssrc: i, payloadType: 111 }, null, null, null], send: () => void counts[i]!++ });
    const first = replayer.add(sink(0));
    replayer.add(sink(1));
    vi.advanceTimersByTime(100);
    first.stop();
    const stoppedAt = counts[0]!;
    vi.advanceTimersByTime(100);
    replayer.stop();
    expect(counts[0]).toBe(stoppedAt);
    expect(counts[1]).toBeGreaterThan(stoppedAt);
  });
});

describe('RtpCounter', () => {
  it('counts a gap in sequence numbers as loss, across the 16-bit wrap', () => {
    const counter = new RtpCounter();
    for (const seq of [65533, 65534, 65535, 0, 2, 3]) counter.count(7, seq); // 1 is lost
    expect(counter.snapshot()).toEqual({ received: 6, expected: 7, streams: 1 });
  });

  it('keeps streams apart and does not go back on a late (reordered) packet', () => {
    const counter = new RtpCounter();
    for (const seq of [10, 12, 11]) counter.count(1, seq);
    for (const seq of [500, 501]) counter.count(2, seq);
    expect(counter.snapshot()).toEqual({ received: 5, expected: 5, streams: 2 });
  });
});
