import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { audioRtpParameters, deviceRtpCapabilities, dtlsParameters, videoRtpParameters } from '../../test/fakeMedia.js';
import { sfuTestConfig } from '../../test/sfuRoom.js';
import { MediaError } from './errors.js';
import { silentLogger } from './logger.js';
import { Sfu } from './Sfu.js';

const config = sfuTestConfig({ maxPeersPerRoom: 3 });

async function peerWithTransports(sfu: Sfu, roomId: string, peerId: string) {
  const room = await sfu.room(roomId);
  const peer = room.createPeer(peerId);
  peer.setRtpCapabilities(deviceRtpCapabilities(room.rtpCapabilities));
  const send = await peer.createTransport('send');
  const recv = await peer.createTransport('recv');
  return { room, peer, send, recv };
}

describe('SFU against real mediasoup workers', () => {
  let sfu: Sfu;
  beforeEach(async () => {
    sfu = await Sfu.create(config, silentLogger);
  });
  afterEach(() => sfu.close());

  it('starts one worker per configured core, each with a WebRtcServer on UDP and TCP', async () => {
    expect(sfu.pool.slots).toHaveLength(2);
    for (const slot of sfu.pool.slots) {
      expect(slot.udpPort).toBeGreaterThan(0);
      expect(slot.tcpPort).toBeGreaterThan(0);
      const dump = await slot.webRtcServer.dump();
      expect(dump.udpSockets[0]?.ip).toBe('127.0.0.1');
      expect(dump.tcpServers[0]?.ip).toBe('127.0.0.1');
    }
  });

  it('gives each worker\'s media socket the configured receive and send buffers, not the kernel default', () => {
    for (const slot of sfu.pool.slots) {
      // ss shows the socket's memory: rb/tb are what the kernel granted, twice the request (its
      // bookkeeping); the default would be net.core.rmem_default (208 KiB), whatever was asked.
      const out = execFileSync('ss', ['-u', '-a', '-n', '-m', 'sport', '=', `:${slot.udpPort}`], { encoding: 'utf8' });
      const rb = Number(/\brb(\d+)/.exec(out)?.[1]);
      const tb = Number(/\btb(\d+)/.exec(out)?.[1]);
      expect(rb, out).toBe(2 * config.socketBufferBytes);
      expect(tb, out).toBe(2 * config.socketBufferBytes);
    }
  });

  it('places rooms on the least-loaded worker and returns the same room to concurrent callers', async () => {
    const [a1, a2] = await Promise.all([sfu.room('a'), sfu.room('a')]);
    expect(a1).toBe(a2);
    const b = await sfu.room('b');
    expect(b.slot.index).not.toBe(a1.slot.index);
    expect(a1.rtpCapabilities.codecs?.map((c) => c.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8', 'video/VP9', 'video/H264']),
    );
  });

  it('offers ICE candidates on the WebRtcServer ports, UDP and TCP', async () => {
    const { send } = await peerWithTransports(sfu, 'r', 'p1');
    const slot = sfu.pool.slots[0]!;
    const ports = send.iceCandidates.map((c) => `${c.protocol}:${c.port}`);
    expect(ports).toEqual(expect.arrayContaining([`udp:${slot.udpPort}`, `tcp:${slot.tcpPort}`]));
  });

  it('produces, consumes paused, and closes consumers when their producer closes', async () => {
    const alice = await peerWithTransports(sfu, 'r', 'alice');
    const bob = await peerWithTransports(sfu, 'r', 'bob');
    await alice.peer.connectTransport(alice.send.transportId, dtlsParameters());

    const mic = await alice.peer.produce({
      transportId: alice.send.transportId,
      kind: 'audio',
      rtpParameters: audioRtpParameters(),
      source: 'mic',
    });
    const cam = await alice.peer.produce({
      transportId: alice.send.transportId,
      kind: 'video',
      rtpParameters: videoRtpParameters(),
      source: 'camera',
    });
    expect(cam.type).toBe('simulcast');
    expect(alice.room.findProducer(mic.id)).toBe(mic);

    const consumer = await bob.peer.consume(cam);
    expect(consumer.paused).toBe(true);
    expect(consumer.appData).toMatchObject({ producerPeerId: 'alice', source: 'camera' });
    await bob.peer.consumer(consumer.id).resume();
    expect(consumer.paused).toBe(false);

    const closed = new Promise<string>((resolve) => bob.peer.once('consumerclosed', resolve));
    alice.peer.producer(cam.id).close();
    // The worker tells the consumer's side asynchronously.
    expect(await closed).toBe(consumer.id);
    expect(() => bob.peer.consumer(consumer.id)).toThrow(MediaError);
  });

  it('refuses what a peer does not own or cannot receive, with coded errors', async () => {
    const alice = await peerWithTransports(sfu, 'r', 'alice');
    const bob = await peerWithTransports(sfu, 'r', 'bob');
    const cam = await alice.peer.produce({
      transportId: alice.send.transportId,
      kind: 'video',
      rtpParameters: videoRtpParameters(),
      source: 'camera',
    });
    const code = async (p: Promise<unknown> | (() => unknown)) => {
      try {
        await (typeof p === 'function' ? p() : p);
      } catch (error) {
        return (error as MediaError).code;
      }
      return 'no error';
    };
    expect(await code(bob.peer.connectTransport(alice.send.transportId, dtlsParameters()))).toBe('NOT_FOUND');
    // Connected once only (found by the fuzz test: the second was an INTERNAL error before).
    expect(await code(alice.peer.connectTransport(alice.send.transportId, dtlsParameters()))).toBe('no error');
    expect(await code(alice.peer.connectTransport(alice.send.transportId, dtlsParameters()))).toBe('BAD_PARAMS');
    expect(await code(() => bob.peer.producer(cam.id))).toBe('NOT_FOUND');
    expect(await code(alice.peer.consume(cam))).toBe('CANNOT_CONSUME');
    expect(
      await code(
        alice.peer.produce({
          transportId: alice.recv.transportId,
          kind: 'audio',
          rtpParameters: audioRtpParameters(),
          source: 'mic',
        }),
      ),
    ).toBe('BAD_PARAMS');
    expect(
      await code(
        alice.peer.produce({
          transportId: alice.send.transportId,
          kind: 'audio',
          rtpParameters: { codecs: [{ mimeType: 'audio/nonsense', payloadType: 5, clockRate: 1 }] } as never,
          source: 'mic',
        }),
      ),
    ).toBe('BAD_PARAMS');
    // A device without VP8 cannot receive a VP8 camera.
    const carol = (await sfu.room('r')).createPeer('carol');
    carol.setRtpCapabilities(deviceRtpCapabilities(alice.room.rtpCapabilities, ['audio/opus', 'video/H264']));
    await carol.createTransport('recv');
    expect(await code(carol.consume(cam))).toBe('CANNOT_CONSUME');
    // Room limit is 3 in this config.
    expect(await code(() => alice.room.createPeer('dave'))).toBe('ROOM_FULL');
  });

  it('close() is idempotent and cascades from room to peers, transports and producers', async () => {
    const alice = await peerWithTransports(sfu, 'r', 'alice');
    const mic = await alice.peer.produce({
      transportId: alice.send.transportId,
      kind: 'audio',
      rtpParameters: audioRtpParameters(),
      source: 'mic',
    });
    const reasons: string[] = [];
    alice.room.on('close', (r) => reasons.push(r));
    alice.room.close('shutdown');
    alice.room.close('shutdown');
    expect(reasons).toEqual(['shutdown']);
    expect(alice.peer.closed).toBe(true);
    expect(mic.closed).toBe(true);
    expect(alice.room.router.closed).toBe(true);
    expect(sfu.rooms.has('r')).toBe(false);
    const again = await sfu.room('r');
    expect(again).not.toBe(alice.room);
  });

  it('replaces a worker killed with SIGKILL and closes its rooms with reason worker-died', async () => {
    const room = await sfu.room('doomed');
    const other = await sfu.room('survivor');
    const slot = room.slot;
    const reasons: string[] = [];
    room.on('close', (reason) => reasons.push(reason));
    const replaced = new Promise<number>((resolve) => sfu.pool.once('workerreplaced', (s) => resolve(s.index)));

    process.kill(slot.worker.pid, 'SIGKILL');

    expect(await replaced).toBe(slot.index);
    expect(reasons).toEqual(['worker-died']);
    expect(room.closed).toBe(true);
    expect(other.closed).toBe(false);
    expect(sfu.pool.slots).toHaveLength(2);
    const fresh = await sfu.room('doomed');
    expect(fresh.closed).toBe(false);
    expect(fresh.router.closed).toBe(false);
  });
});
