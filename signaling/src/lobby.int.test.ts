/**
 * The guests' lobby through the real server (real Redis, real mediasoup):
 * guests knock and wait until a moderator admits them; the server refuses
 * their join until then (ADMISSION_REQUIRED), a refusal holds for a while
 * (ADMISSION_DENIED), nobody else ever waits, and the lobby can be turned
 * off per meeting (GUEST_LOBBY sets the default).
 */
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.js';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import {
  ErrorCode,
  MAX_LOBBY_WAITING,
  PROTOCOL_VERSION,
  WsCloseCode,
  type ResponseData,
  type Role,
} from './protocol/index.js';

const PROJECT = 'p1';
/** The default: a lobby for guests. Joins (and knocks, counted as joins) unthrottled: the test makes many. */
const { app: t, clients } = useTestApp({ JOINS_PER_MINUTE: '100000' });
/** GUEST_LOBBY=off: guests come straight in unless a moderator turns the lobby on (its clients go in `clients` too). */
const { app: open } = useTestApp({ GUEST_LOBBY: 'off' });

interface Hello {
  c: TestClient;
  hello: ResponseData<'hello'>;
  token: string;
  userId: string;
  peerId: string;
  name: string;
}

async function hello(roomId: string, name: string, role: Role, options: { userId?: string; app?: TestApp } = {}): Promise<Hello> {
  const app = options.app ?? t;
  const c = await TestClient.connect(app.url);
  clients.push(c);
  const userId = options.userId ?? `u-${name}-${Math.random().toString(36).slice(2, 7)}`;
  const token = await app.token({ displayName: name, userId, projectId: PROJECT, role });
  const h = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, roomId });
  return { c, hello: h, token, userId, peerId: h.peerId, name };
}

function join(who: Hello): Promise<ResponseData<'join'>> {
  return who.c.request('join', { rtpCapabilities: deviceRtpCapabilities(who.hello.routerRtpCapabilities!) });
}

async function joined(roomId: string, name: string, role: Role, app?: TestApp) {
  const h = await hello(roomId, name, role, { app });
  return { ...h, join: await join(h) };
}

/** The last `lobby` notification's peer ids (what a moderator's page shows). */
function lastLobby(c: TestClient): string[] | undefined {
  return c.notificationsOf('lobby').at(-1)?.waiting.map((w) => w.peerId);
}

/** Waits until the moderator's last `lobby` notification lists exactly these peers. */
async function lobbyShows(c: TestClient, peerIds: string[]): Promise<void> {
  await c.until(() => JSON.stringify(lastLobby(c)) === JSON.stringify(peerIds), `lobby ${JSON.stringify(peerIds)}`);
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let roomCounter = 0;
const newRoom = (name: string) => `${name}-${++roomCounter}`;

describe('a guest in a meeting with a lobby (the default)', () => {
  it('waits; the moderator sees them (notification and join answer), admits them, and their join succeeds', async () => {
    const room = newRoom('admit');
    const member = await joined(room, 'Mia', 'member');
    const guest = await hello(room, 'Gus', 'guest');
    // Nobody who can admit is here yet: the guest is told so.
    expect(await guest.c.request('knock', { displayName: 'Gus (plombier)' })).toEqual({ status: 'waiting', moderatorsPresent: 0 });
    expect((await guest.c.expectError(join(guest))).code).toBe(ErrorCode.ADMISSION_REQUIRED);

    const owner = await joined(room, 'Olga', 'owner');
    expect(owner.join.lobby).toEqual([{ peerId: guest.peerId, displayName: 'Gus (plombier)', since: expect.any(Number) }]);
    // A moderator came: the waiting guest learns it.
    await guest.c.waitFor('lobbyStatus', (d) => d.moderatorsPresent === 1);
    // Knocking again changes nothing (same place, no new notification to moderators).
    expect(await guest.c.request('knock', {})).toEqual({ status: 'waiting', moderatorsPresent: 1 });

    const late = await hello(room, 'Gil', 'guest');
    await late.c.request('knock', {});
    await lobbyShows(owner.c, [guest.peerId, late.peerId]);
    expect(owner.c.notificationsOf('lobby').at(-1)!.waiting[1]).toEqual({ peerId: late.peerId, displayName: 'Gil', since: expect.any(Number) });

    await owner.c.request('admit', { peerId: guest.peerId, allow: true });
    expect(await guest.c.waitFor('admission')).toEqual({ granted: true, by: { peerId: owner.peerId, displayName: 'Olga' } });
    await lobbyShows(owner.c, [late.peerId]);
    const answer = await join(guest);
    expect(answer.peers.map((p) => p.peerId).sort()).toEqual([member.peerId, owner.peerId].sort());
    // Only moderators get the list.
    expect(answer.lobby).toBeUndefined();
    expect(member.c.notificationsOf('lobby')).toEqual([]);
    await owner.c.waitFor('peerJoined', (d) => d.peer.peerId === guest.peerId && d.peer.role === 'guest');
    // Once in, knocking is pointless.
    expect((await guest.c.expectError(guest.c.request('knock', {}))).code).toBe(ErrorCode.ALREADY_JOINED);
  });

  it('is refused: told so, and knocks and joins are refused (ADMISSION_DENIED) during the back-off, from any socket', async () => {
    const room = newRoom('deny');
    const owner = await joined(room, 'Olga', 'owner');
    const guest = await hello(room, 'Gus', 'guest');
    expect(await guest.c.request('knock', {})).toEqual({ status: 'waiting', moderatorsPresent: 1 });
    await lobbyShows(owner.c, [guest.peerId]);

    await owner.c.request('admit', { peerId: guest.peerId, allow: false });
    expect(await guest.c.waitFor('admission')).toEqual({ granted: false, by: { peerId: owner.peerId, displayName: 'Olga' } });
    await lobbyShows(owner.c, []);
    expect((await guest.c.expectError(guest.c.request('knock', {}))).code).toBe(ErrorCode.ADMISSION_DENIED);
    expect((await guest.c.expectError(join(guest))).code).toBe(ErrorCode.ADMISSION_DENIED);
    // A new socket of the same user does not get round it.
    const again = await hello(room, 'Gus', 'guest', { userId: guest.userId });
    expect((await again.c.expectError(again.c.request('knock', {}))).code).toBe(ErrorCode.ADMISSION_DENIED);
    // Deciding twice: the guest no longer waits.
    expect((await owner.c.expectError(owner.c.request('admit', { peerId: guest.peerId, allow: true }))).code).toBe(ErrorCode.NOT_FOUND);
    // The moderators were not pestered by the refused knocks.
    expect(lastLobby(owner.c)).toEqual([]);
    expect(t.app.rooms.get(PROJECT, room)!.lobby).toEqual([]);
  });

  it('cannot join without knocking and being admitted (ADMISSION_REQUIRED), even with no moderator present', async () => {
    const room = newRoom('required');
    const guest = await hello(room, 'Gus', 'guest');
    expect((await guest.c.expectError(join(guest))).code).toBe(ErrorCode.ADMISSION_REQUIRED);
    await guest.c.request('knock', {});
    expect((await guest.c.expectError(join(guest))).code).toBe(ErrorCode.ADMISSION_REQUIRED);
    expect(t.app.rooms.get(PROJECT, room)!.joinedSessions.size).toBe(0);
  });

  it('admission is the user\'s for this meeting: a second tab of the admitted guest comes straight in', async () => {
    const room = newRoom('second-tab');
    const owner = await joined(room, 'Olga', 'owner');
    const guest = await hello(room, 'Gus', 'guest');
    await guest.c.request('knock', {});
    await lobbyShows(owner.c, [guest.peerId]);
    await owner.c.request('admit', { peerId: guest.peerId, allow: true });
    await guest.c.waitFor('admission');
    const tab = await hello(room, 'Gus', 'guest', { userId: guest.userId });
    expect(await tab.c.request('knock', {})).toEqual({ status: 'admitted' });
    await join(tab);
  });

  it('disappears from the list when their socket closes, is lost (kept for a resume) or leaves', async () => {
    const room = newRoom('gone');
    const owner = await joined(room, 'Olga', 'owner');
    const closes = await hello(room, 'Cleo', 'guest');
    const drops = await hello(room, 'Dan', 'guest');
    const leaves = await hello(room, 'Lea', 'guest');
    for (const g of [closes, drops, leaves]) await g.c.request('knock', {});
    await lobbyShows(owner.c, [closes.peerId, drops.peerId, leaves.peerId]);

    closes.c.close();
    await lobbyShows(owner.c, [drops.peerId, leaves.peerId]);
    // No close frame: the session is kept for a resume, but no longer waits.
    drops.c.ws.terminate();
    await lobbyShows(owner.c, [leaves.peerId]);
    expect(t.app.rooms.get(PROJECT, room)!.findAttached(drops.peerId)).toBeDefined();
    await leaves.c.request('leave', {});
    expect(await leaves.c.closed).toBe(WsCloseCode.LEFT);
    await lobbyShows(owner.c, []);
    expect((await owner.c.expectError(owner.c.request('admit', { peerId: drops.peerId, allow: true }))).code).toBe(ErrorCode.NOT_FOUND);
  });

  it('hears when the last moderator leaves and when one comes back', async () => {
    const room = newRoom('moderators');
    const owner = await joined(room, 'Olga', 'owner');
    const member = await joined(room, 'Mia', 'member');
    const guest = await hello(room, 'Gus', 'guest');
    expect(await guest.c.request('knock', {})).toEqual({ status: 'waiting', moderatorsPresent: 1 });
    await owner.c.request('leave', {});
    await guest.c.waitFor('lobbyStatus', (d) => d.moderatorsPresent === 0);
    // A member coming or going is nothing to the guest.
    await member.c.request('leave', {});
    const moderator = await joined(room, 'Marc', 'moderator');
    expect(moderator.join.lobby!.map((w) => w.peerId)).toEqual([guest.peerId]);
    await guest.c.waitFor('lobbyStatus', (d) => d.moderatorsPresent === 1);
    expect(guest.c.notificationsOf('lobbyStatus')).toEqual([{ moderatorsPresent: 0 }, { moderatorsPresent: 1 }]);
    // A project moderator admits like an owner.
    await moderator.c.request('admit', { peerId: guest.peerId, allow: true });
    await guest.c.waitFor('admission', (d) => d.granted);
    await join(guest);
  });

  it('keeps their admission across a resume, and a waiting guest who resumes knocks again', async () => {
    const room = newRoom('resume');
    const owner = await joined(room, 'Olga', 'owner');
    const guest = await hello(room, 'Gus', 'guest');
    await guest.c.request('knock', {});
    await lobbyShows(owner.c, [guest.peerId]);

    // Waiting, the socket is lost; the session is taken back on a new one.
    guest.c.ws.terminate();
    await guest.c.closed;
    await lobbyShows(owner.c, []);
    // Each resume hands out the secret for the next one.
    let secret = guest.hello.resumeSecret!;
    const resume = async (from: TestClient) => {
      const c = await TestClient.connect(t.url);
      clients.push(c);
      const lastSeq = Math.max(0, ...from.notifications.map((n) => n.seq ?? 0));
      const h = await c.request('hello', {
        protocol: PROTOCOL_VERSION,
        token: guest.token,
        projectId: PROJECT,
        roomId: room,
        resume: { peerId: guest.peerId, secret, lastSeq },
      });
      secret = h.resumeSecret!;
      return { c, hello: h };
    };
    const first = await resume(guest.c);
    expect(first.hello.resumed).toEqual({ joined: false });
    expect(await first.c.request('knock', {})).toEqual({ status: 'waiting', moderatorsPresent: 1 });
    await lobbyShows(owner.c, [guest.peerId]);

    // Admitted while its socket is lost again: the admission is replayed on the resume, and the join works.
    first.c.ws.terminate();
    await first.c.closed;
    await lobbyShows(owner.c, []);
    // It left the list with its socket: the moderator can no longer pick it...
    expect((await owner.c.expectError(owner.c.request('admit', { peerId: guest.peerId, allow: true }))).code).toBe(ErrorCode.NOT_FOUND);
    // ...so it comes back, knocks, is admitted, and loses its socket before joining.
    const second = await resume(first.c);
    await second.c.request('knock', {});
    await lobbyShows(owner.c, [guest.peerId]);
    await owner.c.request('admit', { peerId: guest.peerId, allow: true });
    await second.c.waitFor('admission', (d) => d.granted);
    second.c.ws.terminate();
    await second.c.closed;
    const third = await resume(second.c);
    expect(third.hello.peerId).toBe(guest.peerId);
    expect(await third.c.request('knock', {})).toEqual({ status: 'admitted' });
    const answer = await third.c.request('join', { rtpCapabilities: deviceRtpCapabilities(third.hello.routerRtpCapabilities!) });
    expect(answer.peers.map((p) => p.peerId)).toEqual([owner.peerId]);
    await owner.c.waitFor('peerJoined', (d) => d.peer.peerId === guest.peerId);

    // Joined, then lost and resumed: still in, nothing to admit.
    third.c.ws.terminate();
    await third.c.closed;
    const fourth = await resume(third.c);
    expect(fourth.hello.resumed).toEqual({ joined: true });
    expect(owner.c.notificationsOf('peerLeft')).toEqual([]);
  });

  it('is refused at the knock when removed from the meeting or when the meeting is locked', async () => {
    const room = newRoom('refusals');
    const owner = await joined(room, 'Olga', 'owner');
    const guest = await hello(room, 'Gus', 'guest');
    await guest.c.request('knock', {});
    await lobbyShows(owner.c, [guest.peerId]);
    await owner.c.request('admit', { peerId: guest.peerId, allow: true });
    await join(guest);
    await owner.c.request('moderate', { peerId: guest.peerId, action: 'remove' });
    await guest.c.closed;
    const back = await hello(room, 'Gus', 'guest', { userId: guest.userId });
    expect((await back.c.expectError(back.c.request('knock', {}))).code).toBe(ErrorCode.REMOVED);

    await owner.c.request('setRoomPolicy', { locked: true });
    const other = await hello(room, 'Gil', 'guest');
    expect((await other.c.expectError(other.c.request('knock', {}))).code).toBe(ErrorCode.ROOM_LOCKED);
    const member = await hello(room, 'Mia', 'member');
    expect((await member.c.expectError(member.c.request('knock', {}))).code).toBe(ErrorCode.ROOM_LOCKED);
    expect(t.app.rooms.get(PROJECT, room)!.lobby).toEqual([]);
  });

  it(`holds at most ${MAX_LOBBY_WAITING} waiting guests (LOBBY_FULL beyond)`, async () => {
    const room = newRoom('full');
    const owner = await joined(room, 'Olga', 'owner');
    const guests: Hello[] = [];
    for (let i = 0; i < MAX_LOBBY_WAITING; i++) {
      const g = await hello(room, `G${i}`, 'guest');
      await g.c.request('knock', {});
      guests.push(g);
    }
    await owner.c.until(() => lastLobby(owner.c)?.length === MAX_LOBBY_WAITING, 'a full lobby');
    const one = await hello(room, 'Extra', 'guest');
    expect((await one.c.expectError(one.c.request('knock', {}))).code).toBe(ErrorCode.LOBBY_FULL);
    guests[0]!.c.close();
    await owner.c.until(() => lastLobby(owner.c)?.length === MAX_LOBBY_WAITING - 1, 'a place in the lobby');
    expect(await one.c.request('knock', {})).toEqual({ status: 'waiting', moderatorsPresent: 1 });
  });
});

describe('who never waits, and who decides', () => {
  for (const role of ['owner', 'moderator', 'member'] as const) {
    it(`a ${role} is admitted at once and may join without knocking`, async () => {
      const room = newRoom(`never-${role}`);
      const who = await hello(room, 'Ann', role);
      expect(await who.c.request('knock', {})).toEqual({ status: 'admitted' });
      const other = await hello(room, 'Bea', role);
      await join(other);
      await join(who);
      expect(t.app.rooms.get(PROJECT, room)!.lobby).toEqual([]);
    });
  }

  for (const role of ['member', 'guest'] as const) {
    it(`a ${role} cannot admit (FORBIDDEN) and the guest keeps waiting`, async () => {
      const room = newRoom(`forbidden-${role}`);
      const owner = await joined(room, 'Olga', 'owner');
      const asker = await hello(room, 'Ivan', role);
      if (role === 'guest') {
        await asker.c.request('knock', {});
        await lobbyShows(owner.c, [asker.peerId]);
        await owner.c.request('admit', { peerId: asker.peerId, allow: true });
      }
      await join(asker);
      const guest = await hello(room, 'Gus', 'guest');
      await guest.c.request('knock', {});
      await lobbyShows(owner.c, [guest.peerId]);
      for (const allow of [true, false]) {
        const error = await asker.c.expectError(asker.c.request('admit', { peerId: guest.peerId, allow }));
        expect(error.code).toBe(ErrorCode.FORBIDDEN);
      }
      const error = await asker.c.expectError(asker.c.request('setRoomPolicy', { guestLobby: false }));
      expect(error.code).toBe(ErrorCode.FORBIDDEN);
      expect(t.app.rooms.get(PROJECT, room)!.lobby.map((w) => w.peerId)).toEqual([guest.peerId]);
      expect(guest.c.notificationsOf('admission')).toEqual([]);
    });
  }

  it('admit needs a joined moderator (NOT_JOINED before join) and a waiting peer (NOT_FOUND)', async () => {
    const room = newRoom('admit-errors');
    const owner = await hello(room, 'Olga', 'owner');
    const guest = await hello(room, 'Gus', 'guest');
    await guest.c.request('knock', {});
    expect((await owner.c.expectError(owner.c.request('admit', { peerId: guest.peerId, allow: true }))).code).toBe(ErrorCode.NOT_JOINED);
    const inside = await joined(room, 'Oscar', 'owner');
    expect((await inside.c.expectError(inside.c.request('admit', { peerId: owner.peerId, allow: true }))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await inside.c.expectError(inside.c.request('admit', { peerId: 'nobody', allow: false }))).code).toBe(ErrorCode.NOT_FOUND);
    // Malformed: refused at the edge.
    expect((await inside.c.expectError(inside.c.rawRequest('admit', { peerId: guest.peerId }))).code).toBe(ErrorCode.BAD_REQUEST);
    expect((await inside.c.expectError(inside.c.rawRequest('knock', { displayName: 'x'.repeat(65) }))).code).toBe(ErrorCode.BAD_REQUEST);
  });

  it('knock is for meeting sockets: a project page\'s socket gets BAD_REQUEST, a socket before hello HELLO_REQUIRED', async () => {
    const c = await TestClient.connect(t.url);
    clients.push(c);
    expect((await c.expectError(c.request('knock', {}))).code).toBe(ErrorCode.HELLO_REQUIRED);
    const token = await t.token({ projectId: PROJECT, role: 'guest' });
    await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT });
    expect((await c.expectError(c.request('knock', {}))).code).toBe(ErrorCode.BAD_REQUEST);
  });
});

describe('the per-meeting setting', () => {
  it('with GUEST_LOBBY=off guests come straight in; a moderator can turn the lobby on for this meeting', async () => {
    const room = newRoom('off');
    const guest = await hello(room, 'Gus', 'guest', { app: open });
    expect(await guest.c.request('knock', {})).toEqual({ status: 'admitted' });
    const answer = await join(guest);
    expect(answer.policy).toEqual({ locked: false, allowSelfUnmute: true, guestLobby: false });

    const owner = await joined(room, 'Olga', 'owner', open);
    const { policy } = await owner.c.request('setRoomPolicy', { guestLobby: true });
    expect(policy.guestLobby).toBe(true);
    await guest.c.waitFor('roomPolicy', (d) => d.policy.guestLobby && d.by.peerId === owner.peerId);
    // The guest already inside stays; a new one waits.
    expect(open.app.rooms.get(PROJECT, room)!.joinedSessions.has(guest.peerId)).toBe(true);
    const late = await hello(room, 'Gil', 'guest', { app: open });
    expect((await late.c.expectError(join(late))).code).toBe(ErrorCode.ADMISSION_REQUIRED);
    expect(await late.c.request('knock', {})).toEqual({ status: 'waiting', moderatorsPresent: 1 });
  });

  it('turning the lobby off admits everyone waiting; turning it on again makes new guests wait', async () => {
    const room = newRoom('switch-off');
    const owner = await joined(room, 'Olga', 'owner');
    expect(owner.join.policy).toEqual({ locked: false, allowSelfUnmute: true, guestLobby: true });
    const a = await hello(room, 'Ana', 'guest');
    const b = await hello(room, 'Bob', 'guest');
    await a.c.request('knock', {});
    await b.c.request('knock', {});
    await lobbyShows(owner.c, [a.peerId, b.peerId]);

    await owner.c.request('setRoomPolicy', { guestLobby: false });
    for (const g of [a, b]) {
      expect(await g.c.waitFor('admission')).toEqual({ granted: true, by: { peerId: owner.peerId, displayName: 'Olga' } });
    }
    await lobbyShows(owner.c, []);
    await owner.c.waitFor('roomPolicy', (d) => !d.policy.guestLobby);
    await join(a);
    await join(b);

    await owner.c.request('setRoomPolicy', { guestLobby: true });
    const c = await hello(room, 'Cid', 'guest');
    expect(await c.c.request('knock', {})).toEqual({ status: 'waiting', moderatorsPresent: 1 });
    // Those admitted stay admitted for this meeting (a second tab of Ana).
    const tab = await hello(room, 'Ana', 'guest', { userId: a.userId });
    expect(await tab.c.request('knock', {})).toEqual({ status: 'admitted' });
  });

  it('a new meeting in the same room starts with the default and forgets admissions', async () => {
    const room = newRoom('new-meeting');
    const owner = await joined(room, 'Olga', 'owner');
    const guest = await hello(room, 'Gus', 'guest');
    await guest.c.request('knock', {});
    await lobbyShows(owner.c, [guest.peerId]);
    await owner.c.request('admit', { peerId: guest.peerId, allow: true });
    await join(guest);
    await owner.c.request('endMeeting', {});
    await guest.c.closed;
    await waitUntil(() => t.app.rooms.get(PROJECT, room) === undefined, 'the meeting to end');

    const again = await hello(room, 'Gus', 'guest', { userId: guest.userId });
    expect(await again.c.request('knock', {})).toEqual({ status: 'waiting', moderatorsPresent: 0 });
  });
});
