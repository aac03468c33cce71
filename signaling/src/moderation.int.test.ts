/**
 * Moderation and raised hands through the real server (real Redis, real
 * mediasoup): each request for each role (owner = moderator; member, guest),
 * and each effect as the SFU holds it, not only as notifications say.
 */
import type { RtpParameters } from 'mediasoup/types';
import { describe, expect, it } from 'vitest';
import { audioRtpParameters, deviceRtpCapabilities, dtlsParameters, videoRtpParameters } from '../../test/fakeMedia.js';
import { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import {
  ErrorCode,
  PROTOCOL_VERSION,
  WsCloseCode,
  type RequestType,
  type ResponseData,
  type Role,
} from './protocol/index.js';

const PROJECT = 'p1';

// Guests here are participants like the others; the lobby they would wait in is lobby.int.test.ts's.
const { app: t, clients } = useTestApp({ GUEST_LOBBY: 'off' });

interface Joined {
  c: TestClient;
  hello: ResponseData<'hello'>;
  join: ResponseData<'join'>;
  token: string;
  userId: string;
  peerId: string;
}

async function hello(roomId: string, displayName: string, role: Role, userId?: string) {
  const c = await TestClient.connect(t.url);
  clients.push(c);
  const id = userId ?? `u-${displayName}-${Math.random().toString(36).slice(2, 7)}`;
  const token = await t.token({ displayName, userId: id, projectId: PROJECT, role });
  const h = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, roomId });
  return { c, hello: h, token, userId: id };
}

async function joined(roomId: string, displayName: string, role: Role, userId?: string): Promise<Joined> {
  const h = await hello(roomId, displayName, role, userId);
  const join = await h.c.request('join', { rtpCapabilities: deviceRtpCapabilities(h.hello.routerRtpCapabilities!) });
  return { ...h, join, peerId: h.hello.peerId };
}

/** A single-layer video, as a screen share is sent. */
function screenRtpParameters(): RtpParameters {
  const params = videoRtpParameters();
  return { ...params, mid: 'SCREEN', encodings: params.encodings!.slice(0, 1) };
}

/** Sends a microphone, a camera and a screen (no packets: the SFU's objects are what is checked). */
async function sendAll(who: Joined) {
  const send = await who.c.request('createTransport', { direction: 'send' });
  await who.c.request('connectTransport', { transportId: send.transportId, dtlsParameters: dtlsParameters() });
  const produce = (kind: 'audio' | 'video', source: 'mic' | 'camera' | 'screen', rtpParameters: RtpParameters, paused?: boolean) =>
    who.c
      .request('produce', { transportId: send.transportId, kind, source, rtpParameters, ...(paused === undefined ? {} : { paused }) })
      .then((r) => r.producerId);
  const mic = await produce('audio', 'mic', audioRtpParameters());
  const camera = await produce('video', 'camera', videoRtpParameters());
  const screen = await produce('video', 'screen', screenRtpParameters());
  return { transportId: send.transportId, mic, camera, screen, produce };
}

function serverSession(roomId: string, peerId: string) {
  return t.app.rooms.get(PROJECT, roomId)?.joinedSessions.get(peerId);
}

let roomCounter = 0;
const newRoom = (name: string) => `${name}-${++roomCounter}`;

const moderatorRequests: Array<{ type: RequestType; data: (target: string) => unknown }> = [
  { type: 'moderate', data: (peerId) => ({ peerId, action: 'mute' }) },
  { type: 'moderate', data: (peerId) => ({ peerId, action: 'stopCamera' }) },
  { type: 'moderate', data: (peerId) => ({ peerId, action: 'stopScreen' }) },
  { type: 'moderate', data: (peerId) => ({ peerId, action: 'remove' }) },
  { type: 'setRoomPolicy', data: () => ({ locked: true }) },
  { type: 'setRoomPolicy', data: () => ({ allowSelfUnmute: false }) },
  { type: 'endMeeting', data: () => ({}) },
];

describe('who may moderate', () => {
  for (const role of ['member', 'guest'] as const) {
    it(`a ${role} gets FORBIDDEN for every moderation request, and nothing changes`, async () => {
      const room = newRoom(`forbidden-${role}`);
      const owner = await joined(room, 'Olga', 'owner');
      const target = await joined(room, 'Tom', 'member');
      const media = await sendAll(target);
      const asker = await joined(room, 'Ivan', role);
      for (const { type, data } of moderatorRequests) {
        const error = await asker.c.expectError(asker.c.rawRequest(type, data(target.peerId)));
        expect(error.code, `${type} ${JSON.stringify(data(target.peerId))}`).toBe(ErrorCode.FORBIDDEN);
      }
      const session = serverSession(room, target.peerId)!;
      expect(session.media!.producers.get(media.mic)?.paused).toBe(false);
      expect(session.media!.producers.has(media.camera)).toBe(true);
      expect(session.media!.producers.has(media.screen)).toBe(true);
      expect(t.app.rooms.get(PROJECT, room)!.policy).toEqual({ locked: false, allowSelfUnmute: true, guestLobby: false });
      expect(target.c.notificationsOf('moderated')).toEqual([]);
      // Everyone may still raise a hand.
      await asker.c.request('raiseHand', { raised: true });
      await owner.c.waitFor('handRaised', (d) => d.peerId === asker.peerId && d.raised);
    });
  }

  it('a project moderator (not an owner) moderates like an owner, and cannot remove an owner', async () => {
    const room = newRoom('moderator-role');
    const owner = await joined(room, 'Olga', 'owner');
    const moderator = await joined(room, 'Marc', 'moderator');
    const target = await joined(room, 'Tom', 'member');
    await moderator.c.request('moderate', { peerId: target.peerId, action: 'mute' });
    await target.c.waitFor('moderated', (d) => d.peerId === target.peerId && d.action === 'mute' && d.by.peerId === moderator.peerId);
    const { policy } = await moderator.c.request('setRoomPolicy', { locked: true });
    expect(policy.locked).toBe(true);
    expect((await moderator.c.expectError(moderator.c.request('moderate', { peerId: owner.peerId, action: 'remove' }))).code).toBe(
      ErrorCode.FORBIDDEN,
    );
  });

  it('an owner acting on a peer that is not in this room gets NOT_FOUND; a moderator cannot be removed', async () => {
    const room = newRoom('not-found');
    const owner = await joined(room, 'Olga', 'owner');
    const elsewhere = await joined(newRoom('elsewhere'), 'Eve', 'member');
    for (const action of ['mute', 'stopCamera', 'stopScreen', 'remove'] as const) {
      const error = await owner.c.expectError(owner.c.request('moderate', { peerId: elsewhere.peerId, action }));
      expect(error.code).toBe(ErrorCode.NOT_FOUND);
    }
    const other = await joined(room, 'Oscar', 'owner');
    expect((await owner.c.expectError(owner.c.request('moderate', { peerId: other.peerId, action: 'remove' }))).code).toBe(
      ErrorCode.FORBIDDEN,
    );
    expect((await owner.c.expectError(owner.c.request('moderate', { peerId: owner.peerId, action: 'remove' }))).code).toBe(
      ErrorCode.BAD_REQUEST,
    );
    // Requests before join are refused like any media request.
    const lobby = await hello(room, 'Lea', 'owner');
    expect((await lobby.c.expectError(lobby.c.request('endMeeting', {}))).code).toBe(ErrorCode.NOT_JOINED);
  });

  it('malformed moderation requests are BAD_REQUEST', async () => {
    const owner = await joined(newRoom('bad'), 'Olga', 'owner');
    const bad: Array<[RequestType, unknown]> = [
      ['moderate', { peerId: 'x', action: 'explode' }],
      ['moderate', { action: 'mute' }],
      ['setRoomPolicy', { locked: 'yes' }],
      ['setRoomPolicy', { locked: true, extra: 1 }],
      ['raiseHand', {}],
      ['endMeeting', { now: true }],
    ];
    for (const [type, data] of bad) {
      expect((await owner.c.expectError(owner.c.rawRequest(type, data))).code, `${type}`).toBe(ErrorCode.BAD_REQUEST);
    }
  });
});

describe('mute', () => {
  it('pauses the microphone on the SFU and tells the target and the room; self-unmute works while allowed', async () => {
    const room = newRoom('mute');
    const owner = await joined(room, 'Olga', 'owner');
    const target = await joined(room, 'Tom', 'member');
    const media = await sendAll(target);
    const guest = await joined(room, 'Gus', 'guest');

    await owner.c.request('moderate', { peerId: target.peerId, action: 'mute' });
    const mic = serverSession(room, target.peerId)!.media!.producers.get(media.mic)!;
    expect(mic.paused).toBe(true);
    // Only the microphone.
    expect(serverSession(room, target.peerId)!.media!.producers.get(media.camera)!.paused).toBe(false);
    const by = { peerId: owner.peerId, displayName: 'Olga' };
    expect(await target.c.waitFor('moderated')).toEqual({ peerId: target.peerId, action: 'mute', by });
    await guest.c.waitFor('moderated', (d) => d.peerId === target.peerId && d.action === 'mute');
    await guest.c.waitFor('producerPaused', (d) => d.producerId === media.mic);

    // Allowed by default: the target turns it back on.
    await target.c.request('resumeProducer', { producerId: media.mic });
    expect(mic.paused).toBe(false);
    await guest.c.waitFor('producerResumed', (d) => d.producerId === media.mic);
  });

  it('with self-unmute disallowed, the target cannot resume nor re-produce its microphone until a moderator allows it', async () => {
    const room = newRoom('mute-locked');
    const owner = await joined(room, 'Olga', 'owner');
    const target = await joined(room, 'Tom', 'member');
    const media = await sendAll(target);
    const other = await joined(room, 'Mia', 'member');
    const otherMedia = await sendAll(other);

    const { policy } = await owner.c.request('setRoomPolicy', { allowSelfUnmute: false });
    expect(policy).toEqual({ locked: false, allowSelfUnmute: false, guestLobby: false });
    await target.c.waitFor('roomPolicy', (d) => !d.policy.allowSelfUnmute && d.by.peerId === owner.peerId);
    await owner.c.request('moderate', { peerId: target.peerId, action: 'mute' });

    const mic = serverSession(room, target.peerId)!.media!.producers.get(media.mic)!;
    const refused = await target.c.expectError(target.c.request('resumeProducer', { producerId: media.mic }));
    expect(refused.code).toBe(ErrorCode.UNMUTE_NOT_ALLOWED);
    expect(mic.paused).toBe(true);
    // Closing the microphone and sending a new one does not get round it...
    await target.c.request('closeProducer', { producerId: media.mic });
    const again = await target.c.expectError(target.c.request('produce', {
      transportId: media.transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: audioRtpParameters(),
    }));
    expect(again.code).toBe(ErrorCode.UNMUTE_NOT_ALLOWED);
    // ...though a paused one may be prepared.
    const pausedMic = await media.produce('audio', 'mic', audioRtpParameters(), true);
    // Other sources, and other participants, are not affected.
    await target.c.request('pauseProducer', { producerId: media.camera });
    await target.c.request('resumeProducer', { producerId: media.camera });
    await other.c.request('pauseProducer', { producerId: otherMedia.mic });
    await other.c.request('resumeProducer', { producerId: otherMedia.mic });

    await owner.c.request('setRoomPolicy', { allowSelfUnmute: true });
    await target.c.request('resumeProducer', { producerId: pausedMic });
    expect(serverSession(room, target.peerId)!.media!.producers.get(pausedMic)!.paused).toBe(false);
    // Disallowing again later does not revive a mute the target already got out of.
    await owner.c.request('setRoomPolicy', { allowSelfUnmute: false });
    await target.c.request('pauseProducer', { producerId: pausedMic });
    await target.c.request('resumeProducer', { producerId: pausedMic });
  });
});

describe('stop camera / screen', () => {
  it('closes those producers on the SFU; others get producerClosed, everyone moderated', async () => {
    const room = newRoom('stop');
    const owner = await joined(room, 'Olga', 'owner');
    const target = await joined(room, 'Tom', 'guest');
    const media = await sendAll(target);
    await owner.c.waitFor('producerAdded', (d) => d.producer.producerId === media.screen);

    await owner.c.request('moderate', { peerId: target.peerId, action: 'stopCamera' });
    const producers = serverSession(room, target.peerId)!.media!.producers;
    expect(producers.has(media.camera)).toBe(false);
    expect(producers.has(media.screen)).toBe(true);
    await owner.c.waitFor('producerClosed', (d) => d.producerId === media.camera);
    await target.c.waitFor('moderated', (d) => d.action === 'stopCamera');

    await owner.c.request('moderate', { peerId: target.peerId, action: 'stopScreen' });
    expect(producers.has(media.screen)).toBe(false);
    expect(producers.has(media.mic)).toBe(true);
    await owner.c.waitFor('producerClosed', (d) => d.producerId === media.screen);
    await target.c.waitFor('moderated', (d) => d.action === 'stopScreen');
    // A participant who joins now does not see them.
    const late = await joined(room, 'Lou', 'member');
    const seen = late.join.peers.find((p) => p.peerId === target.peerId)!;
    expect(seen.producers.map((p) => p.producerId)).toEqual([media.mic]);
  });
});

describe('remove', () => {
  it('ends the session (4007, removed first), voids its resume secret and keeps the user out of this meeting', async () => {
    const room = newRoom('remove');
    const owner = await joined(room, 'Olga', 'owner');
    const target = await joined(room, 'Tom', 'member');
    const media = await sendAll(target);
    const other = await joined(room, 'Mia', 'member');

    await owner.c.request('moderate', { peerId: target.peerId, action: 'remove' });
    expect(await target.c.closed).toBe(WsCloseCode.REMOVED);
    expect(target.c.notificationsOf('removed')).toEqual([
      { by: { peerId: owner.peerId, displayName: 'Olga' }, reason: 'removed' },
    ]);
    // `removed` is the last thing the target heard.
    expect(target.c.notifications.at(-1)?.type).toBe('removed');
    await other.c.waitFor('peerLeft', (d) => d.peerId === target.peerId && d.reason === 'removed');
    await other.c.waitFor('moderated', (d) => d.peerId === target.peerId && d.action === 'remove');
    await other.c.waitFor('producerClosed', (d) => d.producerId === media.mic);
    expect(serverSession(room, target.peerId)).toBeUndefined();

    // The old session cannot be resumed.
    const resumer = await TestClient.connect(t.url);
    clients.push(resumer);
    const resumed = resumer.request('hello', {
      protocol: PROTOCOL_VERSION,
      token: target.token,
      projectId: PROJECT,
      roomId: room,
      resume: { peerId: target.peerId, secret: target.hello.resumeSecret!, lastSeq: 0 },
    });
    expect((await resumer.expectError(resumed)).code).toBe(ErrorCode.RESUME_FAILED);
    expect(await resumer.closed).toBe(WsCloseCode.HELLO_REFUSED);

    // The same token, and a fresh token of the same user, cannot join again.
    const back = await hello(room, 'Tom', 'member', target.userId);
    const refused = await back.c.expectError(
      back.c.request('join', { rtpCapabilities: deviceRtpCapabilities(back.hello.routerRtpCapabilities!) }),
    );
    expect(refused.code).toBe(ErrorCode.REMOVED);
    // Another meeting room of the project is not affected.
    await joined(newRoom('other-room'), 'Tom', 'member', target.userId);

    // Once the meeting is over (everyone gone), the list goes with it.
    for (const c of [owner.c, other.c, back.c]) c.close();
    await Promise.all([owner.c.closed, other.c.closed, back.c.closed]);
    await waitUntil(() => t.app.rooms.get(PROJECT, room) === undefined, 'the room to close');
    await joined(room, 'Tom', 'member', target.userId);
  });

  it('removes every session of that user in the meeting, also one waiting for a resume', async () => {
    const room = newRoom('remove-all');
    const owner = await joined(room, 'Olga', 'owner');
    const tab1 = await joined(room, 'Tom', 'member');
    const tab2 = await joined(room, 'Tom', 'member', tab1.userId);
    tab2.c.ws.terminate(); // its session waits for a resume now
    await tab2.c.closed;
    await owner.c.request('moderate', { peerId: tab1.peerId, action: 'remove' });
    expect(await tab1.c.closed).toBe(WsCloseCode.REMOVED);
    await owner.c.waitFor('peerLeft', (d) => d.peerId === tab2.peerId && d.reason === 'removed');
    expect(t.app.rooms.get(PROJECT, room)!.joinedSessions.size).toBe(1);
  });
});

describe('lock', () => {
  it('refuses new joins with ROOM_LOCKED, except moderators; unlocking lets them in', async () => {
    const room = newRoom('lock');
    const owner = await joined(room, 'Olga', 'owner');
    const inside = await joined(room, 'Mia', 'member');
    await owner.c.request('setRoomPolicy', { locked: true });
    await inside.c.waitFor('roomPolicy', (d) => d.policy.locked);

    for (const role of ['member', 'guest'] as const) {
      const late = await hello(room, `Late-${role}`, role);
      const error = await late.c.expectError(
        late.c.request('join', { rtpCapabilities: deviceRtpCapabilities(late.hello.routerRtpCapabilities!) }),
      );
      expect(error.code).toBe(ErrorCode.ROOM_LOCKED);
    }
    const otherOwner = await joined(room, 'Oscar', 'owner');
    expect(otherOwner.join.policy).toEqual({ locked: true, allowSelfUnmute: true, guestLobby: false });

    await owner.c.request('setRoomPolicy', { locked: false });
    const member = await joined(room, 'Max', 'member');
    expect(member.join.policy).toEqual({ locked: false, allowSelfUnmute: true, guestLobby: false });
  });
});

describe('end for all', () => {
  it('sends roomClosed {reason: ended} to everyone and closes every socket; the room is gone', async () => {
    const room = newRoom('end');
    const owner = await joined(room, 'Olga', 'owner');
    const member = await joined(room, 'Mia', 'member');
    const guest = await joined(room, 'Gus', 'guest');
    const lobby = await hello(room, 'Lea', 'member');
    await sendAll(member);

    await owner.c.request('endMeeting', {});
    for (const c of [owner.c, member.c, guest.c, lobby.c]) {
      expect(await c.closed).toBe(WsCloseCode.ROOM_CLOSED);
      expect(c.notificationsOf('roomClosed')).toEqual([{ reason: 'ended' }]);
    }
    await waitUntil(() => t.app.rooms.get(PROJECT, room) === undefined, 'the room to close');
    expect(await t.app.meetingPresence.list(PROJECT, room)).toEqual([]);
    // A new meeting may start in the same room.
    const next = await joined(room, 'Mia', 'member');
    expect(next.join.peers).toEqual([]);
  });
});

describe('raise hand', () => {
  it('is broadcast (the raiser included) and part of the peer info late joiners get', async () => {
    const room = newRoom('hand');
    const owner = await joined(room, 'Olga', 'owner');
    const guest = await joined(room, 'Gus', 'guest');
    await guest.c.request('raiseHand', { raised: true });
    await owner.c.waitFor('handRaised', (d) => d.peerId === guest.peerId && d.raised);
    await guest.c.waitFor('handRaised', (d) => d.peerId === guest.peerId && d.raised);
    // Raising twice says nothing new.
    await guest.c.request('raiseHand', { raised: true });

    const late = await joined(room, 'Lou', 'member');
    expect(late.join.peers.find((p) => p.peerId === guest.peerId)?.handRaised).toBe(true);
    expect(late.join.peers.find((p) => p.peerId === owner.peerId)?.handRaised).toBeUndefined();

    await guest.c.request('raiseHand', { raised: false });
    await late.c.waitFor('handRaised', (d) => d.peerId === guest.peerId && !d.raised);
    const later = await joined(room, 'Lia', 'member');
    expect(later.join.peers.find((p) => p.peerId === guest.peerId)?.handRaised).toBeUndefined();
    expect(owner.c.notificationsOf('handRaised').filter((d) => d.peerId === guest.peerId)).toEqual([
      { peerId: guest.peerId, raised: true },
      { peerId: guest.peerId, raised: false },
    ]);
  });
});

async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
