import type { Consumer } from 'mediasoup/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinRoom, sfuTestConfig } from '../../test/sfuRoom.js';
import { until } from '../../test/until.js';
import { talk, TalkingMic } from '../../test/voices.js';
import { silentLogger } from './logger.js';
import type { ConsumerAppData } from './mediaTypes.js';
import type { MediaRoom } from './MediaRoom.js';
import { Sfu } from './Sfu.js';

/** Two workers, one consumer each before a room spreads: the senders land on both. */
const config = sfuTestConfig({ maxConsumersPerWorker: 1 });


type Listener = Awaited<ReturnType<typeof joinRoom>> & { voices: Map<string, Consumer<ConsumerAppData>> };

/**
 * Five senders of different levels on two workers, an audio-only listener
 * and a listener that gets everything (it receives video: not limited).
 * One room for every check, in order.
 */
describe('the loudest voices only, for audio-only listeners (real workers, real RTP levels)', () => {
  let sfu: Sfu;
  let room: MediaRoom;
  const mics = new Map<string, TalkingMic>();
  let phone: Listener;
  let office: Listener;
  let stop = (): void => {};
  /** Most mic consumers of the phone flowing at once, as the worker was told (checked at each pause and resume). */
  let mostFlowing = 0;

  const flowing = (l: Listener): string[] =>
    [...l.voices.entries()].filter(([, c]) => !c.paused).map(([name]) => name).sort();
  /** What the worker itself says of the phone's mic consumers. */
  const flowingInWorker = async (l: Listener): Promise<string[]> => {
    const dumps = await Promise.all([...l.voices.entries()].map(async ([name, c]) => [name, (await c.dump()).paused] as const));
    return dumps.filter(([, paused]) => !paused).map(([name]) => name).sort();
  };

  async function listen(name: string, audioOnly: boolean): Promise<Listener> {
    const l = { ...(await joinRoom(room, name)), voices: new Map<string, Consumer<ConsumerAppData>>() };
    if (audioOnly) l.peer.setAudioOnly(true);
    return l;
  }
  async function consumeAll(l: Listener): Promise<void> {
    for (const [name, mic] of mics) {
      if (l.voices.has(name)) continue;
      const consumer = await l.peer.consume(mic.producer);
      l.voices.set(name, consumer);
      if (l === phone) {
        const count = (): void => void (mostFlowing = Math.max(mostFlowing, flowing(phone).length));
        consumer.observer.on('resume', count);
        consumer.observer.on('pause', count);
      }
      await l.peer.resumeConsumer(consumer.id);
    }
  }

  beforeAll(async () => {
    sfu = await Sfu.create(config, silentLogger);
    room = await sfu.room('voices');
    phone = await listen('phone', true);
    office = await listen('office', false);
    const levels: Record<string, number> = { a: -10, b: -20, c: -30, d: -40, e: -50 };
    for (const [name, level] of Object.entries(levels)) {
      const sender = await joinRoom(room, name);
      mics.set(name, await TalkingMic.create(room, sender.peer, level));
      // A consumer on the home worker, so that the next sender is placed on the other one.
      if (name === 'a') await consumeAll(office);
    }
    await consumeAll(phone);
    await consumeAll(office);
    stop = talk([...mics.values()]);
  });
  afterAll(() => {
    stop();
    for (const mic of mics.values()) mic.close();
    sfu?.close();
  });

  it('spans two workers: levels of voices on the other worker are heard through the pipes', () => {
    const workers = new Set([...room.peers.values()].filter((p) => mics.has(p.id)).map((p) => p.slot.index));
    expect(room.spread).toBe(true);
    expect(workers.size).toBe(2);
  });

  it('the audio-only listener receives exactly the three loudest; the other listener all five', async () => {
    await until(() => flowing(phone).join() === 'a,b,c', 'the three loudest');
    await until(async () => (await flowingInWorker(phone)).join() === 'a,b,c', 'the worker to agree');
    expect(phone.peer.pauseReasons(phone.voices.get('d')!.id)).toEqual(new Set(['voice']));
    expect(phone.peer.pauseReasons(phone.voices.get('a')!.id).size).toBe(0);
    expect(flowing(office)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await flowingInWorker(office)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(room.voices.chosenFor(phone.peer)?.size).toBe(3);
    expect(room.voices.chosenFor(office.peer)).toBeUndefined();
  });

  it('switches when levels change: the quietest becomes the loudest, the loudest falls silent (DTX)', async () => {
    mics.get('e')!.level = -5;
    mics.get('a')!.level = null;
    await until(() => flowing(phone).join() === 'b,c,e', 'e in, a out');
    await until(async () => (await flowingInWorker(phone)).join() === 'b,c,e', 'the worker to agree');
    expect(flowing(office)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('a new talker is let through on its first audible packets when a chosen voice is silent', async () => {
    const b = mics.get('b')!;
    const d = mics.get('d')!;
    // d first, so that it is not still talking (a candidate) when b's silence frees b's place.
    d.level = null;
    await until(() => !room.voices.talking(d.producer.id), 'd silent');
    b.level = null;
    await until(() => !room.voices.talking(b.producer.id), 'b silent');
    // Nobody needed b's place meanwhile: it is still chosen.
    expect(flowing(phone)).toEqual(['b', 'c', 'e']);
    let sentBeforeResume = -1;
    phone.voices.get('d')!.observer.once('resume', () => (sentBeforeResume = d.sent - sentAtStart));
    const sentAtStart = d.sent;
    d.level = -45; // quieter than every chosen voice: it comes in for b's silence, not for its level
    await until(() => flowing(phone).join() === 'c,d,e', 'd in, b out');
    // Resumed on its first audible packet (or the one sent while the resume was on its way).
    expect(sentBeforeResume).toBeGreaterThanOrEqual(1);
    expect(sentBeforeResume).toBeLessThanOrEqual(2);
  });

  it('lets a voice through on a rise of its level, before it is audible, into a silent voice\'s place', async () => {
    const b = mics.get('b')!;
    const e = mics.get('e')!;
    e.level = null;
    await until(() => !room.voices.talking(e.producer.id), 'e silent');
    // b's first syllable: quieter than speech (-55 dBov), 65 dB over its silence.
    b.level = -62;
    await until(() => flowing(phone).join() === 'b,c,d', 'b in on its rise, e out');
    expect(room.voices.talking(b.producer.id)).toBe(false);
    // A rise never counted as talking: e, talking again, takes b's place back at once.
    e.level = -40;
    b.level = null;
    await until(() => flowing(phone).join() === 'c,d,e', 'e back');
  });

  it('never let more than three voices flow to the audio-only listener', () => {
    expect(mostFlowing).toBeGreaterThan(0);
    expect(mostFlowing).toBeLessThanOrEqual(3);
  });

  it('gives everything back when the listener leaves audio-only, and holds again when it returns', async () => {
    phone.peer.setAudioOnly(false);
    await until(() => flowing(phone).length === 5, 'all five');
    expect(room.voices.chosenFor(phone.peer)).toBeUndefined();
    phone.peer.setAudioOnly(true);
    await until(() => flowing(phone).join() === 'c,d,e', 'three again');
  });

  it('screen-share audio is never held, and a closed microphone frees its place', async () => {
    const sharer = await joinRoom(room, 'sharer');
    const screenAudio = await sharer.peer.produce({
      transportId: sharer.send.transportId,
      kind: 'audio',
      rtpParameters: (await import('../../test/fakeMedia.js')).audioRtpParameters(),
      source: 'screen-audio',
    });
    const consumer = await phone.peer.consume(screenAudio);
    await phone.peer.resumeConsumer(consumer.id);
    expect(consumer.paused).toBe(false);
    expect(phone.peer.pauseReasons(consumer.id).size).toBe(0);

    mics.get('b')!.level = -20;
    mics.get('c')!.producer.close();
    phone.voices.delete('c');
    await until(() => flowing(phone).join() === 'b,d,e', 'b takes the free place');
  });
});
