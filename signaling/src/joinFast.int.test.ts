/**
 * The fast join (docs/PROTOCOL.md, "Joining fast"), on a real server, real
 * Redis and real mediasoup workers: transports made and connected in the
 * lobby (the probe), a join whose answer carries consumers of what is
 * already there (video started by consumersReady), or resumes those made on
 * the join screen (prepareConsumers), the Redis records written after the answer, the lobby's media freed when the
 * person leaves without joining, and the join's phases in the metrics.
 */
import { describe, expect, it } from 'vitest';
import { audioRtpParameters, deviceRtpCapabilities, dtlsParameters, videoRtpParameters } from '../../test/fakeMedia.js';
import { helloSession, httpJson, type HelloOptions } from '../../test/session.js';
import { useTestApp } from '../../test/useTestApp.js';
import { ErrorCode } from './protocol/index.js';

const PROJECT = 'p1';
const ROOM = 'fast';

const { app: t, clients } = useTestApp({ JOINS_PER_MINUTE: '1000' });

async function helloed(displayName: string, options: Partial<HelloOptions> = {}) {
  const { c, hello } = await helloSession(t, { displayName, projectId: PROJECT, room: ROOM, ...options });
  clients.push(c);
  return { c, hello, peerId: hello.peerId, caps: deviceRtpCapabilities(hello.routerRtpCapabilities!) };
}

function serverPeer(peerId: string) {
  return t.app.rooms.get(PROJECT, ROOM)?.media.peers.get(peerId);
}

describe('joining fast', () => {
  it('makes the transports in the lobby and answers the join with consumers of what is there, video started once the page is ready', async () => {
    // Alice is in, sending her microphone and camera.
    const alice = await helloed('Alice');
    await alice.c.request('join', { rtpCapabilities: alice.caps });
    const send = await alice.c.request('createTransport', { direction: 'send' });
    await alice.c.request('connectTransport', { transportId: send.transportId, dtlsParameters: dtlsParameters() });
    const mic = await alice.c.request('produce', { transportId: send.transportId, kind: 'audio', source: 'mic', rtpParameters: audioRtpParameters() });
    const cam = await alice.c.request('produce', { transportId: send.transportId, kind: 'video', source: 'camera', rtpParameters: videoRtpParameters() });

    // Bob, on the join screen: both transports, once each; nothing sent or received before join.
    const bob = await helloed('Bob');
    const [bobSend, bobRecv] = await Promise.all([
      bob.c.request('createTransport', { direction: 'send' }),
      bob.c.request('createTransport', { direction: 'recv' }),
    ]);
    expect((await bob.c.expectError(bob.c.request('createTransport', { direction: 'recv' }))).code).toBe(ErrorCode.BAD_REQUEST);
    expect((await bob.c.expectError(bob.c.request('consume', { producerId: mic.producerId }))).code).toBe(ErrorCode.NOT_JOINED);
    expect((await bob.c.expectError(bob.c.request('produce', { transportId: bobSend.transportId, kind: 'audio', source: 'mic', rtpParameters: audioRtpParameters() }))).code).toBe(ErrorCode.NOT_JOINED);

    // But they connect there: the probe, a data channel from the send transport back to the receive one.
    const stream = { streamId: 0, ordered: true };
    const probeOn = (transportId: string) => bob.c.request('openProbe', { transportId, sctpStreamParameters: stream });
    expect((await bob.c.expectError(probeOn(bobRecv.transportId))).code).toBe(ErrorCode.BAD_REQUEST); // not a send transport
    const { dataProducerId } = await probeOn(bobSend.transportId);
    expect((await bob.c.expectError(probeOn(bobSend.transportId))).code).toBe(ErrorCode.BAD_REQUEST); // one per person
    const receive = (transportId: string, id = dataProducerId) => bob.c.request('receiveProbe', { transportId, dataProducerId: id });
    expect((await bob.c.expectError(receive(bobSend.transportId))).code).toBe(ErrorCode.BAD_REQUEST);
    expect((await bob.c.expectError(receive(bobRecv.transportId, '0123abcd-0000-4000-8000-000000000000'))).code).toBe(ErrorCode.NOT_FOUND);
    const back = await receive(bobRecv.transportId);
    expect(back).toMatchObject({ dataProducerId, label: 'chantier-probe', sctpStreamParameters: { streamId: 0 } });
    expect((await bob.c.expectError(receive(bobRecv.transportId))).code).toBe(ErrorCode.BAD_REQUEST); // received once
    // Alice cannot receive Bob's probe, nor open one on his transport.
    const aliceRecv = await alice.c.request('createTransport', { direction: 'recv' });
    expect((await alice.c.expectError(alice.c.request('receiveProbe', { transportId: aliceRecv.transportId, dataProducerId }))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await alice.c.expectError(alice.c.request('openProbe', { transportId: bobSend.transportId, sctpStreamParameters: stream }))).code).toBe(ErrorCode.NOT_FOUND);
    for (const transportId of [bobSend.transportId, bobRecv.transportId]) {
      await bob.c.request('connectTransport', { transportId, dtlsParameters: dtlsParameters() });
    }
    const dataOf = async (transportId: string) => (await serverPeer(bob.peerId)!.transports.get(transportId)!.dump());
    expect((await dataOf(bobSend.transportId)).dataProducerIds).toEqual([dataProducerId]);
    expect((await dataOf(bobRecv.transportId)).dataConsumerIds).toEqual([back.dataConsumerId]);
    expect(alice.c.notificationsOf('peerJoined')).toEqual([]); // nobody sees Bob yet

    const answer = await bob.c.request('join', { rtpCapabilities: bob.caps });
    expect(answer.consumers?.map((c) => [c.producerId, c.peerId, c.kind, c.source, c.producerPaused]).sort()).toEqual(
      [
        [mic.producerId, alice.peerId, 'audio', 'mic', false],
        [cam.producerId, alice.peerId, 'video', 'camera', false],
      ].sort(),
    );
    // On the transport made in the lobby: no consume. Audio flows from the start; video waits for the page.
    const bobPeer = serverPeer(bob.peerId)!;
    expect([...bobPeer.transports.keys()].sort()).toEqual([bobSend.transportId, bobRecv.transportId].sort());
    const pausedByKind = () => answer.consumers!.map((c) => [c.kind, bobPeer.consumer(c.consumerId).paused, [...bobPeer.pauseReasons(c.consumerId)]]).sort();
    expect(pausedByKind()).toEqual([['audio', false, []], ['video', true, ['client']]]);
    // Made on the page, they say so: the video starts (from a key frame), once; no resumeConsumer.
    await bob.c.request('consumersReady', { consumerIds: answer.consumers!.map((c) => c.consumerId) });
    expect(pausedByKind()).toEqual([['audio', false, []], ['video', false, []]]);
    await bob.c.request('consumersReady', { consumerIds: answer.consumers!.map((c) => c.consumerId) });
    // The transports made (and connected) in the lobby are the joined peer's: they send.
    const bobMic = await bob.c.request('produce', { transportId: bobSend.transportId, kind: 'audio', source: 'mic', rtpParameters: audioRtpParameters() });
    await alice.c.waitFor('producerAdded', (d) => d.producer.producerId === bobMic.producerId);

    // Audio-only in the lobby and at join: the receive transport starts low, the answer has no video.
    const carol = await helloed('Carol');
    await carol.c.request('createTransport', { direction: 'recv', audioOnly: true });
    const carolAnswer = await carol.c.request('join', { rtpCapabilities: carol.caps, audioOnly: true });
    expect(carolAnswer.consumers?.map((c) => c.producerId).sort()).toEqual([mic.producerId, bobMic.producerId].sort());

    // Without a transport made in the lobby: no consumers in the answer; consumed one by one as before.
    const dave = await helloed('Dave');
    const daveAnswer = await dave.c.request('join', { rtpCapabilities: dave.caps });
    expect(daveAnswer.consumers).toBeUndefined();
    await dave.c.request('createTransport', { direction: 'recv' });
    const consumed = await dave.c.request('consume', { producerId: cam.producerId });
    expect(serverPeer(dave.peerId)!.consumer(consumed.consumerId).paused).toBe(true);

    // The Redis records follow the answer.
    await expect
      .poll(async () => (await t.app.meetingPresence.list(PROJECT, ROOM)).map((e) => e.displayName).sort())
      .toEqual(['Alice', 'Bob', 'Carol', 'Dave']);

    // The join's phases are in the metrics.
    const text = await t.app.metrics.metrics();
    for (const phase of ['queue', 'media', 'records', 'first_produce']) {
      expect(text).toMatch(new RegExp(`chantier_join_phase_seconds_count\\{phase="${phase}"\\} [1-9]`));
    }
  });

  it('makes the meeting\'s consumers on the join screen, all paused; the join resumes them and lists them with what came since', async () => {
    const room = 'prepared';
    const inRoom = async (displayName: string, options: Partial<HelloOptions> = {}) => {
      const { c, hello } = await helloSession(t, { displayName, projectId: PROJECT, room, ...options });
      clients.push(c);
      return { c, peerId: hello.peerId, caps: deviceRtpCapabilities(hello.routerRtpCapabilities!) };
    };
    const peerOf = (peerId: string) => t.app.rooms.get(PROJECT, room)?.media.peers.get(peerId);
    const host = await inRoom('Host', { role: 'owner' });
    await host.c.request('join', { rtpCapabilities: host.caps });
    const send = await host.c.request('createTransport', { direction: 'send' });
    await host.c.request('connectTransport', { transportId: send.transportId, dtlsParameters: dtlsParameters() });
    const mic = await host.c.request('produce', { transportId: send.transportId, kind: 'audio', source: 'mic', rtpParameters: audioRtpParameters() });
    const cam = await host.c.request('produce', { transportId: send.transportId, kind: 'video', source: 'camera', rtpParameters: videoRtpParameters() });

    // Bob, on the join screen: his receive transport made, the meeting's consumers made there, paused.
    const bob = await inRoom('Bob');
    await bob.c.request('createTransport', { direction: 'recv' });
    const prepared = await bob.c.request('prepareConsumers', { rtpCapabilities: bob.caps });
    expect(prepared.consumers.map((c) => [c.producerId, c.kind, c.peerId]).sort()).toEqual(
      [
        [mic.producerId, 'audio', host.peerId],
        [cam.producerId, 'video', host.peerId],
      ].sort(),
    );
    const bobPeer = peerOf(bob.peerId)!;
    expect(prepared.consumers.map((c) => bobPeer.consumer(c.consumerId).paused)).toEqual([true, true]);
    expect((await bob.c.request('prepareConsumers', { rtpCapabilities: bob.caps })).consumers).toEqual([]); // once each
    expect(host.c.notificationsOf('peerJoined')).toEqual([]);

    // Before the press, the camera goes and a share comes.
    await host.c.request('closeProducer', { producerId: cam.producerId });
    const screen = await host.c.request('produce', { transportId: send.transportId, kind: 'video', source: 'screen', rtpParameters: videoRtpParameters() });

    // The join resumes the microphone's prepared consumer and lists it; the share is made as before (video waits for the page).
    const answer = await bob.c.request('join', { rtpCapabilities: bob.caps });
    const micConsumer = prepared.consumers.find((c) => c.kind === 'audio')!.consumerId;
    const listed = answer.consumers!.map((c) => [c.producerId, c.consumerId === micConsumer, bobPeer.consumer(c.consumerId).paused]);
    expect(listed.sort()).toEqual([[mic.producerId, true, false], [screen.producerId, false, true]].sort());
    expect(bobPeer.consumers.size).toBe(2);
    expect((await bob.c.expectError(bob.c.request('prepareConsumers', { rtpCapabilities: bob.caps }))).code).toBe(ErrorCode.ALREADY_JOINED);

    // Refused as join refuses: the meeting locked, a member gets nothing.
    await host.c.request('setRoomPolicy', { locked: true });
    const late = await inRoom('Late');
    expect((await late.c.expectError(late.c.request('prepareConsumers', { rtpCapabilities: late.caps }))).code).toBe(ErrorCode.ROOM_LOCKED);
  });

  it('shows the meeting to what is asked right after the answer, though its records follow it', async () => {
    // A room of its own: this join starts the meeting (its record, the "meeting started" message).
    const room = 'records';
    const { c, hello, token } = await helloSession(t, { displayName: 'Fanny', projectId: PROJECT, room });
    clients.push(c);
    await c.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!) });
    // Asked at once: the same socket's message carries the meeting's id, the project lists who is in.
    const [sent, current] = await Promise.all([
      c.request('chatSend', { clientMessageId: 'records-1', text: 'Je suis là' }),
      httpJson(t.url, `/api/projects/${PROJECT}/meetings/${room}/current`, token),
    ]);
    expect(sent.message.meetingId).toBeTruthy();
    expect(current.status).toBe(200);
    expect((current.body.meeting as { meetingId: string } | null)?.meetingId).toBe(sent.message.meetingId);
    expect((current.body.participants as Array<{ displayName: string }>).map((p) => p.displayName)).toEqual(['Fanny']);
  });

  it('tells a person whose media was made on the join screen everyone\'s connection quality once joined', async () => {
    const alice = await helloed('Alice');
    await alice.c.request('join', { rtpCapabilities: alice.caps });
    const bob = await helloed('Bob');
    await bob.c.request('createTransport', { direction: 'recv' });
    const room = t.app.rooms.get(PROJECT, ROOM)!;
    // A round while Bob is still on the join screen: his media peer is there, his session is not in.
    await room.quality.poll();
    await bob.c.request('join', { rtpCapabilities: bob.caps });
    await room.quality.poll();
    const told = await bob.c.waitFor('connectionQuality', (d) => d.peers.some((p) => p.peerId === bob.peerId));
    expect(told.peers.map((p) => p.peerId).sort()).toEqual([alice.peerId, bob.peerId].sort());
  });

  it('frees the media made in the lobby of someone who leaves without joining, and refuses it to who may not join', async () => {
    const erin = await helloed('Erin');
    await erin.c.request('createTransport', { direction: 'send' });
    expect(serverPeer(erin.peerId)?.transports.size).toBe(1);
    await erin.c.request('leave', {});
    await erin.c.closed;
    await expect.poll(() => serverPeer(erin.peerId)).toBeUndefined();

    // A moderator locks the meeting: a member's lobby gets no transport, as its join would be refused.
    const host = await helloed('Host', { role: 'owner' });
    await host.c.request('join', { rtpCapabilities: host.caps });
    await host.c.request('setRoomPolicy', { locked: true });
    const late = await helloed('Late');
    expect((await late.c.expectError(late.c.request('createTransport', { direction: 'send' }))).code).toBe(ErrorCode.ROOM_LOCKED);
    expect(serverPeer(late.peerId)).toBeUndefined();
  });
});
