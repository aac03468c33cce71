/**
 * A bot's microphone (the audio-only bench's talkers), without a network:
 * the client's pace (one 40-ms packet for two of the clip's 20-ms ones),
 * Opus DTX's when silent (a packet every 400 ms, at -127 dBov, sequence
 * numbers without gaps), and the new talker's start: the first voiced
 * packet, not the call to start.
 */
import { describe, expect, it } from 'vitest';
import { BotVoice, TALKING_DBOV, type ShapedAudio } from './botVoice.js';

const SPEECH = [Buffer.from([0x7a, 1, 2, 3]), Buffer.from([0x7a, 4, 5, 6])];

/** What the voice sends for `n` of the clip's packets (20 ms apart): [slot, packet]. */
function run(voice: BotVoice, n: number): Array<[number, ShapedAudio]> {
  const out: Array<[number, ShapedAudio]> = [];
  for (let i = 0; i < n; i++) {
    const shaped = voice.shape();
    if (shaped) out.push([i, shaped]);
  }
  return out;
}

describe('BotVoice', () => {
  it('talking: one packet of speech every 40 ms at a speech level, with consecutive sequence numbers', () => {
    const sent = run(new BotVoice(SPEECH), 8);
    expect(sent.map(([slot]) => slot)).toEqual([0, 2, 4, 6]);
    expect(sent.map(([, p]) => p.payload)).toEqual([SPEECH[0], SPEECH[1], SPEECH[0], SPEECH[1]]);
    expect(sent.every(([, p]) => p.audioLevel === TALKING_DBOV)).toBe(true);
    const seqs = sent.map(([, p]) => p.sequenceNumber);
    expect(seqs.slice(1).map((s, i) => (s - seqs[i]! + 65536) % 65536)).toEqual([1, 1, 1]);
  });

  it('silent: a 1-byte packet (TOC, code 0) every 400 ms at -127 dBov, and no gap in sequence numbers', () => {
    const voice = new BotVoice(SPEECH);
    const talking = run(voice, 2);
    void voice.setTalking(false);
    const silent = run(voice, 50);
    expect(silent.map(([slot]) => slot)).toEqual([0, 20, 40]);
    expect(silent.every(([, p]) => p.payload.length === 1 && p.payload[0] === 0x78 && p.audioLevel === -127)).toBe(true);
    const seqs = [...talking, ...silent].map(([, p]) => p.sequenceNumber);
    expect(seqs.slice(1).map((s, i) => (s - seqs[i]! + 65536) % 65536)).toEqual([1, 1, 1]);
  });

  it('starting again resolves when the first voiced packet is sent, not before', async () => {
    const voice = new BotVoice(SPEECH, false);
    run(voice, 3);
    let startedAt: number | null = null;
    const started = voice.setTalking(true).then((at) => (startedAt = at));
    await Promise.resolve();
    expect(startedAt).toBeNull();
    // The next slot of the clip is between two 40-ms packets: nothing yet.
    expect(voice.shape()).toBeNull();
    await Promise.resolve();
    expect(startedAt).toBeNull();
    const first = voice.shape();
    expect(first?.audioLevel).toBe(TALKING_DBOV);
    await started;
    expect(startedAt).not.toBeNull();
  });
});
