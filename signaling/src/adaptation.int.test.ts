/**
 * Audio-only peers, viewport-driven consumers and connection quality, on a
 * real app (real mediasoup workers, real Redis). No packets flow here (the
 * browser test does that): these check what the server decides and tells.
 */
import { describe, expect, it } from 'vitest';
import type { RtpParameters } from 'mediasoup/types';
import { audioRtpParameters, deviceRtpCapabilities, dtlsParameters, videoRtpParameters } from '../../test/fakeMedia.js';
import { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import { ErrorCode, PROTOCOL_VERSION } from './protocol/index.js';

const { app: t, clients } = useTestApp();

async function joined(roomId: string, displayName: string, audioOnly?: boolean) {
  const c = await TestClient.connect(t.url);
  clients.push(c);
  const h = await c.request('hello', {
    protocol: PROTOCOL_VERSION,
    token: await t.token({ displayName }),
    projectId: 'p1',
    roomId,
  });
  const j = await c.request('join', {
    rtpCapabilities: deviceRtpCapabilities(h.routerRtpCapabilities!),
    ...(audioOnly === undefined ? {} : { audioOnly }),
  });
  return { c, peerId: h.peerId, peers: j.peers };
}

/** A single-layer video, as a screen share is sent. */
function screenRtpParameters(): RtpParameters {
  const params = videoRtpParameters();
  return { ...params, mid: 'SCREEN', encodings: params.encodings!.slice(0, 1) };
}

/** Alice sends a microphone, a camera (two simulcast layers) and a screen. */
async function sender(roomId: string) {
  const alice = await joined(roomId, 'Alice');
  const send = await alice.c.request('createTransport', { direction: 'send' });
  await alice.c.request('connectTransport', { transportId: send.transportId, dtlsParameters: dtlsParameters() });
  const produce = (kind: 'audio' | 'video', source: 'mic' | 'camera' | 'screen', rtpParameters: RtpParameters) =>
    alice.c.request('produce', { transportId: send.transportId, kind, source, rtpParameters }).then((r) => r.producerId);
  const micId = await produce('audio', 'mic', audioRtpParameters());
  const camId = await produce('video', 'camera', videoRtpParameters());
  const screenId = await produce('video', 'screen', screenRtpParameters());
  return { ...alice, micId, camId, screenId };
}

function mediaPeer(roomId: string, peerId: string) {
  const peer = t.app.rooms.get('p1', roomId)?.media.peers.get(peerId);
  if (!peer) throw new Error(`no media peer ${peerId}`);
  return peer;
}

describe('audio-only', () => {
  it('refuses video to a peer that joined audio-only, gives it audio, and tells others', async () => {
    const alice = await sender('ao-join');
    const bob = await joined('ao-join', 'Bob', true);
    expect(bob.peers.find((p) => p.peerId === alice.peerId)?.audioOnly).toBe(false);
    const seen = await alice.c.waitFor('peerJoined', (d) => d.peer.peerId === bob.peerId);
    expect(seen.peer.audioOnly).toBe(true);

    await bob.c.request('createTransport', { direction: 'recv' });
    for (const producerId of [alice.camId, alice.screenId]) {
      expect((await bob.c.expectError(bob.c.request('consume', { producerId }))).code).toBe(ErrorCode.AUDIO_ONLY);
    }
    const mic = await bob.c.request('consume', { producerId: alice.micId });
    expect(mic.kind).toBe('audio');
    const consumers = [...mediaPeer('ao-join', bob.peerId).consumers.values()];
    expect(consumers.map((c) => c.kind)).toEqual(['audio']);

    // A late joiner learns it from the join answer.
    const carol = await joined('ao-join', 'Carol');
    expect(carol.peers.find((p) => p.peerId === bob.peerId)?.audioOnly).toBe(true);
  });

  it('closes the video consumers when switched on, and consumes video again when switched off', async () => {
    const alice = await sender('ao-switch');
    const bob = await joined('ao-switch', 'Bob');
    await bob.c.request('createTransport', { direction: 'recv' });
    const cam = await bob.c.request('consume', { producerId: alice.camId });
    const screen = await bob.c.request('consume', { producerId: alice.screenId });
    const mic = await bob.c.request('consume', { producerId: alice.micId });
    await bob.c.request('resumeConsumer', { consumerId: cam.consumerId });

    await bob.c.request('setAudioOnly', { audioOnly: true });
    await bob.c.waitFor('consumerClosed', (d) => d.consumerId === cam.consumerId);
    await bob.c.waitFor('consumerClosed', (d) => d.consumerId === screen.consumerId);
    expect(bob.c.notificationsOf('consumerClosed').map((d) => d.consumerId)).not.toContain(mic.consumerId);
    const peer = mediaPeer('ao-switch', bob.peerId);
    expect([...peer.consumers.values()].map((c) => c.id)).toEqual([mic.consumerId]);
    expect(peer.audioOnly).toBe(true);
    expect(await alice.c.waitFor('peerAudioOnly')).toEqual({ peerId: bob.peerId, audioOnly: true });
    expect((await bob.c.expectError(bob.c.request('consume', { producerId: alice.camId }))).code).toBe(
      ErrorCode.AUDIO_ONLY,
    );

    // Saying it twice changes nothing and tells nobody again.
    await bob.c.request('setAudioOnly', { audioOnly: true });
    await bob.c.request('setAudioOnly', { audioOnly: false });
    await alice.c.waitFor('peerAudioOnly', (d) => !d.audioOnly);
    expect(alice.c.notificationsOf('peerAudioOnly')).toHaveLength(2);
    const again = await bob.c.request('consume', { producerId: alice.camId });
    expect(again.kind).toBe('video');
    expect(peer.consumers.has(again.consumerId)).toBe(true);
  });
});

describe('viewport', () => {
  it('pauses what is not shown, picks the layer that fits, and never undoes the client’s own pause', async () => {
    const alice = await sender('vp');
    const bob = await joined('vp', 'Bob');
    await bob.c.request('createTransport', { direction: 'recv' });
    const cam = await bob.c.request('consume', { producerId: alice.camId });
    const screen = await bob.c.request('consume', { producerId: alice.screenId });
    await bob.c.request('resumeConsumer', { consumerId: cam.consumerId });
    await bob.c.request('resumeConsumer', { consumerId: screen.consumerId });
    const peer = mediaPeer('vp', bob.peerId);
    const camConsumer = peer.consumer(cam.consumerId);
    const screenConsumer = peer.consumer(screen.consumerId);
    expect(camConsumer.paused).toBe(false);
    expect(screenConsumer.paused).toBe(false);

    // Only a small camera tile is shown: the screen pauses, the camera gets its 180p layer.
    await bob.c.request('setViewport', { tiles: [{ producerId: alice.camId, width: 320, height: 180 }] });
    expect(screenConsumer.paused).toBe(true);
    expect(camConsumer.paused).toBe(false);
    expect(camConsumer.preferredLayers?.spatialLayer).toBe(0);

    // The camera large, the screen back.
    await bob.c.request('setViewport', {
      tiles: [
        { producerId: alice.camId, width: 1280, height: 720 },
        { producerId: alice.screenId, width: 1600, height: 900 },
      ],
    });
    expect(camConsumer.preferredLayers?.spatialLayer).toBe(1);
    expect(screenConsumer.paused).toBe(false);
    // A single-layer screen has no layers to choose.
    expect(screenConsumer.type).toBe('simple');

    // The client pauses the camera itself: showing it again does not resume it...
    await bob.c.request('pauseConsumer', { consumerId: cam.consumerId });
    await bob.c.request('setViewport', { tiles: [{ producerId: alice.camId, width: 320, height: 180 }] });
    expect(camConsumer.paused).toBe(true);
    expect([...peer.pauseReasons(cam.consumerId)]).toEqual(['client']);
    // ...and the client's resume does not show a hidden one.
    await bob.c.request('setViewport', { tiles: [] });
    await bob.c.request('resumeConsumer', { consumerId: cam.consumerId });
    expect(camConsumer.paused).toBe(true);
    expect([...peer.pauseReasons(cam.consumerId)]).toEqual(['viewport']);
    // A tile of size 0 (collapsed) counts as hidden.
    await bob.c.request('setViewport', { tiles: [{ producerId: alice.camId, width: 0, height: 0 }] });
    expect(camConsumer.paused).toBe(true);
    await bob.c.request('setViewport', { tiles: [{ producerId: alice.camId, width: 320, height: 180 }] });
    expect(camConsumer.paused).toBe(false);
    // Unknown producers are ignored (a tile may outlive its producer by a moment).
    await bob.c.request('setViewport', {
      tiles: [
        { producerId: alice.camId, width: 320, height: 180 },
        { producerId: '00000000-0000-4000-8000-000000000000', width: 10, height: 10 },
      ],
    });
    expect(camConsumer.paused).toBe(false);
  });

  it('answers a malformed setViewport with BAD_REQUEST and keeps the socket', async () => {
    const bob = await joined('vp-bad', 'Bob');
    const bad: unknown[] = [
      {},
      { tiles: 'all' },
      { tiles: [{ producerId: 'x', width: -1, height: 10 }] },
      { tiles: [{ producerId: 'x', width: 10 }] },
      { tiles: [{ producerId: 'x', width: 10, height: 10, extra: 1 }] },
      { tiles: [{ producerId: 'x', width: 1.5, height: 10 }] },
      { tiles: Array.from({ length: 65 }, () => ({ producerId: 'x', width: 1, height: 1 })) },
    ];
    for (const data of bad) {
      expect((await bob.c.expectError(bob.c.rawRequest('setViewport', data))).code).toBe(ErrorCode.BAD_REQUEST);
    }
    expect((await bob.c.expectError(bob.c.rawRequest('setAudioOnly', { audioOnly: 'yes' }))).code).toBe(
      ErrorCode.BAD_REQUEST,
    );
    await bob.c.request('setViewport', { tiles: [] });
    expect(bob.c.closeCode).toBeUndefined();
  });
});

describe('connection quality', () => {
  it('tells the room everyone’s quality, the newcomer included', async () => {
    const alice = await joined('q', 'Alice');
    const bob = await joined('q', 'Bob');
    const update = await alice.c.waitFor(
      'connectionQuality',
      (d) => d.peers.some((p) => p.peerId === bob.peerId),
      6_000,
    );
    expect(update.peers.map((p) => p.peerId).sort()).toEqual([alice.peerId, bob.peerId].sort());
    expect(update.peers.every((p) => p.quality === 'good')).toBe(true);
    await bob.c.waitFor('connectionQuality', (d) => d.peers.some((p) => p.peerId === alice.peerId), 6_000);
    bob.c.close();
    await alice.c.waitFor('connectionQuality', (d) => d.peers.length === 1 && d.peers[0]!.peerId === alice.peerId, 6_000);
  });
});
