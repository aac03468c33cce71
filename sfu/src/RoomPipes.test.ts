import { EventEmitter } from 'node:events';
import type { Producer } from 'mediasoup/types';
import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger.js';
import type { ProducerAppData } from './mediaTypes.js';
import { RoomPipes, type RoomRouter } from './RoomPipes.js';

/** A router whose pipeToRouter the test settles: each call is recorded with its resolve and reject. */
function router(id: string, index: number) {
  const calls: { producerId: string; to: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  const rr = {
    slot: { index },
    router: {
      id,
      closed: false,
      pipeToRouter: ({ producerId, router: to }: { producerId: string; router: { id: string } }) =>
        new Promise((resolve, reject) => {
          calls.push({ producerId, to: to.id, resolve: () => resolve({ pipeProducer: { kind: 'audio' } }), reject });
        }),
    },
  };
  return { rr: rr as unknown as RoomRouter, calls };
}

function producer(id: string): Producer<ProducerAppData> & { fireClose(): void } {
  const observer = new EventEmitter();
  const p = { id, closed: false, observer, fireClose: () => ((p.closed = true), observer.emit('close')) };
  return p as unknown as Producer<ProducerAppData> & { fireClose(): void };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A room's pipes, its home router and another one, and a microphone on the home router. */
function setUp(roomClosed: () => boolean = () => false) {
  return { pipes: new RoomPipes(silentLogger, roomClosed), home: router('home', 0), other: router('other', 1), mic: producer('mic') };
}

describe('RoomPipes', () => {
  it('pipes a producer to a router once, shared by the consumers that ask meanwhile and after', async () => {
    const { pipes, home, other, mic } = setUp();
    const first = pipes.pipe(mic, home.rr, other.rr);
    const second = pipes.pipe(mic, home.rr, other.rr);
    expect(home.calls).toHaveLength(1);
    home.calls[0]!.resolve();
    await Promise.all([first, second]);
    await pipes.pipe(mic, home.rr, other.rr);
    expect(home.calls).toHaveLength(1);
    expect(pipes.countByRouter()).toEqual(new Map([['other', 1]]));
  });

  it('a failed pipe fails its consumers and is tried again by the next one', async () => {
    const { pipes, home, other, mic } = setUp();
    const failed = pipes.pipe(mic, home.rr, other.rr);
    home.calls[0]!.reject(new Error('worker busy'));
    await expect(failed).rejects.toThrow('worker busy');
    const again = pipes.pipe(mic, home.rr, other.rr);
    expect(home.calls).toHaveLength(2);
    home.calls[1]!.resolve();
    await again;
  });

  it('a failure because the producer or the room closed meanwhile says so (NOT_FOUND, CLOSED)', async () => {
    let roomClosed = false;
    const { pipes, home, other, mic } = setUp(() => roomClosed);
    const cam = producer('cam');
    const micPipe = pipes.pipe(mic, home.rr, other.rr);
    const camPipe = pipes.pipe(cam, home.rr, other.rr);
    mic.fireClose();
    home.calls[0]!.reject(new Error('producer not found'));
    await expect(micPipe).rejects.toMatchObject({ code: 'NOT_FOUND' });
    roomClosed = true;
    home.calls[1]!.reject(new Error('router closed'));
    await expect(camPipe).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('forgets the pipes of a closed producer, and the pipes to a closed router', async () => {
    const { pipes, home, other: a, mic } = setUp();
    const b = router('b', 2);
    const cam = producer('cam');
    const made = [pipes.pipe(mic, home.rr, a.rr), pipes.pipe(mic, home.rr, b.rr), pipes.pipe(cam, home.rr, a.rr)];
    for (const call of home.calls) call.resolve();
    await Promise.all(made);
    expect(pipes.countByRouter()).toEqual(new Map([['other', 2], ['b', 1]]));
    pipes.routerClosed('other');
    expect(pipes.countByRouter()).toEqual(new Map([['b', 1]]));
    mic.fireClose();
    await settle();
    expect(pipes.countByRouter()).toEqual(new Map());
    await expect(pipes.pipe(mic, home.rr, b.rr)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
