import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { audioRtpParameters, videoRtpParameters } from '../../test/fakeMedia.js';
import { joinRoom, sfuTestConfig } from '../../test/sfuRoom.js';
import { MediaError } from './errors.js';
import { silentLogger } from './logger.js';
import { Sfu } from './Sfu.js';

/** Two workers, and a limit of two consumers per worker: a third participant spreads. */
const config = sfuTestConfig({ maxConsumersPerWorker: 2, socketBufferBytes: 1024 * 1024 });

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function sendMicAndCamera(p: Awaited<ReturnType<typeof joinRoom>>) {
  const mic = await p.peer.produce({ transportId: p.send.transportId, kind: 'audio', rtpParameters: audioRtpParameters(), source: 'mic' });
  const cam = await p.peer.produce({ transportId: p.send.transportId, kind: 'video', rtpParameters: videoRtpParameters(), source: 'camera' });
  return { mic, cam };
}

describe('a room too big for one worker spreads over workers (real mediasoup)', () => {
  let sfu: Sfu;
  beforeEach(async () => {
    sfu = await Sfu.create(config, silentLogger);
  });
  afterEach(() => sfu.close());

  it('places the next participant on another worker, pipes producers lazily, follows pause, closes pipes and the empty router', async () => {
    const room = await sfu.room('big');
    const home = room.slot;
    const other = sfu.pool.slots.find((s) => s !== home)!;

    const alice = await joinRoom(room, 'alice');
    const bob = await joinRoom(room, 'bob');
    expect(alice.peer.slot).toBe(home);
    expect(bob.peer.slot).toBe(home);
    const aliceMedia = await sendMicAndCamera(alice);
    const bobMic = await bob.peer.consume(aliceMedia.mic);
    await bob.peer.consume(aliceMedia.cam);
    // Counted exactly as mediasoup creates them: two consumers, two producers on the home worker.
    expect(home.load.consumers).toBe(2);
    expect(home.load.producers).toBe(2);
    expect(other.load.consumers + other.load.producers + other.load.routers).toBe(0);
    expect(room.spread).toBe(false);

    // The home worker is at its limit: carol's transports go to the other worker.
    const carol = await joinRoom(room, 'carol');
    expect(carol.peer.slot).toBe(other);
    expect(room.spread).toBe(true);
    expect(other.load.routers).toBe(1);
    const carolRouter = room.routers.get(other.index)!.router;
    const carolTransport = carol.peer.transports.get(carol.recv.transportId)!;
    expect((await carolTransport.dump()).id).toBe(carol.recv.transportId);
    expect(carolRouter.closed).toBe(false);
    // ICE candidates on the other worker's WebRtcServer ports.
    expect(carol.recv.iceCandidates.map((c) => `${c.protocol}:${c.port}`)).toEqual(
      expect.arrayContaining([`udp:${other.udpPort}`, `tcp:${other.tcpPort}`]),
    );
    // Nothing is piped before someone there consumes it.
    expect(room.layout().routers.find((r) => r.worker === other.index)?.pipeProducers).toBe(0);
    expect(home.load.pipeTransports).toBe(0);

    const carolMic = await carol.peer.consume(aliceMedia.mic);
    const carolCam = await carol.peer.consume(aliceMedia.cam);
    expect(carolCam.type).toBe('simulcast');
    expect(carolMic.producerId).toBe(aliceMedia.mic.id);
    // One pipe per producer and router; a second consumer of the same producer reuses it.
    expect(room.layout()).toEqual({
      home: home.index,
      routers: expect.arrayContaining([
        { worker: home.index, routerId: room.router.id, peers: ['alice', 'bob'], pipeProducers: 0 },
        { worker: other.index, routerId: carolRouter.id, peers: ['carol'], pipeProducers: 2 },
      ]),
    });
    expect(home.load.pipeTransports).toBe(1);
    expect(other.load.pipeTransports).toBe(1);
    // Home: bob's two consumers + two pipe consumers; other: two pipe producers, carol's two consumers.
    expect(home.load.consumers).toBe(4);
    expect(other.load.producers).toBe(2);
    expect(other.load.consumers).toBe(2);
    const dump = await carolRouter.dump();
    expect(dump.mapProducerIdConsumerIds).toEqual(
      expect.arrayContaining([
        { key: aliceMedia.mic.id, values: [carolMic.id] },
        { key: aliceMedia.cam.id, values: [carolCam.id] },
      ]),
    );

    // Carol sends too: alice (home) consumes her microphone through a pipe the other way.
    const carolMedia = await sendMicAndCamera(carol);
    const aliceOfCarol = await alice.peer.consume(carolMedia.mic);
    expect(aliceOfCarol.kind).toBe('audio');
    await until('carol\'s microphone piped home', () => room.layout().routers.find((r) => r.worker === home.index)?.pipeProducers === 1);

    // Pause of the source reaches the consumer of its pipe producer, and resume too.
    await aliceMedia.cam.pause();
    await until('the piped consumer sees its producer paused', () => carolCam.producerPaused);
    await aliceMedia.cam.resume();
    await until('the piped consumer sees its producer resumed', () => !carolCam.producerPaused);
    // The consumer's own pause and layers work as on the home router.
    await carol.peer.resumeConsumer(carolCam.id);
    expect(carolCam.paused).toBe(false);
    await carol.peer.setViewport([{ producerId: aliceMedia.cam.id, width: 320, height: 180 }]);
    expect(carolCam.preferredLayers?.spatialLayer).toBe(0);

    // Closing the source closes its pipe and the consumers of it on the other worker.
    const closed = new Promise<string>((resolve) => carol.peer.once('consumerclosed', resolve));
    aliceMedia.cam.close();
    expect(await closed).toBe(carolCam.id);
    expect(() => carol.peer.consumer(carolCam.id)).toThrow(MediaError);
    await until('the pipe of the closed camera is gone', () => room.layout().routers.find((r) => r.worker === other.index)?.pipeProducers === 1);
    // Home: bob's microphone, the pipe consumer of alice's microphone, alice's consumer of carol.
    // Other: carol's consumer of alice's microphone, the pipe consumer of carol's microphone.
    await until('pipe producer and consumer closed', () => home.load.consumers === 3 && other.load.consumers === 2);
    expect(bobMic.closed).toBe(false);

    // Carol leaves: her worker's router of the room closes, and the pipes with it.
    carol.peer.close();
    expect(carolRouter.closed).toBe(true);
    expect(room.spread).toBe(false);
    expect([...room.routers.keys()]).toEqual([home.index]);
    await until('pipes closed on both sides', () => home.load.pipeTransports === 0 && other.load.pipeTransports === 0);
    expect(other.load).toMatchObject({ consumers: 0, producers: 0, routers: 0 });
    // Alice's consumer of carol's microphone went with it; bob's consumer of alice's microphone stays.
    await until('alice\'s consumer of carol closed', () => aliceOfCarol.closed);
    expect(home.load.consumers).toBe(1);
    expect(room.closed).toBe(false);

    // Back under the limit with one consumer: the next participant stays home.
    const dave = await joinRoom(room, 'dave');
    expect(dave.peer.slot).toBe(home);
  });

  it('a producer closed before it was consumed on another worker is NOT_FOUND there, and no pipe is left', async () => {
    const room = await sfu.room('big');
    const alice = await joinRoom(room, 'alice');
    const bob = await joinRoom(room, 'bob');
    const media = await sendMicAndCamera(alice);
    await bob.peer.consume(media.mic);
    await bob.peer.consume(media.cam);
    const carol = await joinRoom(room, 'carol');
    expect(carol.peer.slot).not.toBe(alice.peer.slot);
    media.mic.close();
    await expect(carol.peer.consume(media.mic)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(room.layout().routers.every((r) => r.pipeProducers === 0)).toBe(true);
  });

  it('places new rooms by load: a room on a busy worker sends the next room to the other one', async () => {
    const big = await sfu.room('big');
    const alice = await joinRoom(big, 'alice');
    const bob = await joinRoom(big, 'bob');
    const media = await sendMicAndCamera(alice);
    await bob.peer.consume(media.mic);
    // Two idle rooms on the other worker: fewer rooms is not what counts.
    const idle1 = await sfu.room('idle-1');
    expect(idle1.slot).not.toBe(big.slot);
    const idle2 = await sfu.room('idle-2');
    expect(idle2.slot).toBe(idle1.slot);
  });

  it('closes the whole room with worker-died when the worker of its second router dies', async () => {
    const room = await sfu.room('big');
    const alice = await joinRoom(room, 'alice');
    const bob = await joinRoom(room, 'bob');
    const media = await sendMicAndCamera(alice);
    await bob.peer.consume(media.mic);
    await bob.peer.consume(media.cam);
    const carol = await joinRoom(room, 'carol');
    await carol.peer.consume(media.mic);
    const home = room.slot;
    const other = carol.peer.slot;
    expect(other).not.toBe(home);
    const reasons: string[] = [];
    room.on('close', (reason) => reasons.push(reason));
    const replaced = new Promise<number>((resolve) => sfu.pool.once('workerreplaced', (s) => resolve(s.index)));

    process.kill(other.worker.pid, 'SIGKILL');

    await until('the room closed', () => room.closed);
    expect(reasons).toEqual(['worker-died']);
    expect(alice.peer.closed && bob.peer.closed && carol.peer.closed).toBe(true);
    expect(room.router.closed).toBe(true);
    expect(await replaced).toBe(other.index);
    // The home worker lives on, with nothing of the room left on it.
    expect(home.worker.closed).toBe(false);
    expect(home.load).toMatchObject({ consumers: 0, producers: 0, routers: 0, pipeTransports: 0 });
    // Its clients rejoin a fresh room.
    const fresh = await sfu.room('big');
    expect(fresh).not.toBe(room);
    expect(fresh.closed).toBe(false);
  });
});
