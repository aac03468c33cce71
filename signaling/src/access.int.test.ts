/**
 * The authorisation matrix, on the real server (real Redis, real mediasoup):
 * every WebSocket request type and every HTTP route the app registers,
 * iterated FROM the registries (Requests, app.routeTable), against every kind
 * of caller (auth/access.ts identityKinds), compared with the declared policy
 * (auth/access.ts). A request type or route without a rule fails.
 *
 * Each request is sent with real targets (a joined peer, the actor's own
 * transport or producer, a project document, a ringing call...) so that the
 * answer is authorisation's, not "no such thing". Requests that change the
 * meeting (remove, lock, end, leave...) get a fresh meeting each: every
 * WebSocket case runs in a scene of its own.
 */
import { randomBytes } from 'node:crypto';
import type { RtpCapabilities } from 'mediasoup/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { audioRtpParameters, deviceRtpCapabilities, dtlsParameters, videoRtpParameters } from '../../test/fakeMedia.js';
import { answerCode as answer, TestClient } from '../../test/TestClient.js';
import {
  foreignTargetAccess,
  identityKinds,
  policyGaps,
  requestAccess,
  routeKey,
  ruleOf,
  type Expected,
  type IdentityKind,
} from './auth/access.js';
import { markupAccess, markupActors, markupPolicies, type MarkupPolicyName } from './auth/markupAccess.js';
import { minimalPdf } from './documents/fixtures.js';
import { statusOf } from './plugins/auth.js';
import { ErrorCode, PROTOCOL_VERSION, requestTypes, WsCloseCode, type RequestType, type Role } from './protocol/index.js';

const PROJECT = 'matrix';
const OTHER_PROJECT = 'elsewhere';
/** The meeting a token of identity otherMeeting is limited to (never the one it asks for). */
const OTHER_MEETING = 'other-meeting';
/** A media id no one owns (placeholders, where the request is refused before any lookup). */
const NO_MEDIA = '00000000-0000-0000-0000-000000000000';

let t: TestApp;
const clients: TestClient[] = [];

beforeAll(async () => {
  // The matrix opens a few hundred sockets and joins from one address within a minute.
  t = await startTestApp({
    JOINS_PER_MINUTE: '100000',
    WS_CONNECTS_PER_MINUTE: '100000',
    WS_CONNECTIONS_PER_IP: '100000',
    HTTP_REQUESTS_PER_MINUTE: '100000',
    UPLOADS_PER_MINUTE: '10000',
    CHAT_MESSAGES_PER_MINUTE_PER_IP: '100000',
    // /metrics is on, for a token none of the matrix's identities holds.
    METRICS_TOKEN: 'metrics-token-of-the-access-matrix-0123456789',
  });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

const uid = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

// --------------------------------------------------------------- identities
/** Roles that the matrix's tokens of this project carry. */
const roleOf: Partial<Record<IdentityKind, Role>> = {
  owner: 'owner',
  moderator: 'moderator',
  member: 'member',
  guest: 'guest',
  removed: 'member',
};

/**
 * The credentials of an identity kind for `userId`: one token, or (anonymous)
 * none and a garbage one, which must get the same answers.
 */
async function credentials(kind: IdentityKind, userId: string): Promise<Array<string | undefined>> {
  switch (kind) {
    case 'anonymous':
      return [undefined, 'garbage.not-a.token'];
    case 'otherProject':
      return [await t.token({ userId, projectId: OTHER_PROJECT, role: 'owner' })];
    case 'otherMeeting':
      return [await t.token({ userId, projectId: PROJECT, role: 'member', roomId: OTHER_MEETING })];
    case 'expired':
      return [await t.token({ userId, projectId: PROJECT, role: 'member', ttlSeconds: -3600 })];
    default:
      return [await t.token({ userId, projectId: PROJECT, role: roleOf[kind]! })];
  }
}

// ---------------------------------------------------------------- meetings
interface Peer {
  c: TestClient;
  userId: string;
  peerId: string;
  token: string;
  caps: RtpCapabilities;
}

async function connect(): Promise<TestClient> {
  const c = await TestClient.connect(t.url);
  clients.push(c);
  return c;
}

async function helloed(roomId: string, role: Role, userId = uid(role)): Promise<Peer> {
  const c = await connect();
  const token = await t.token({ userId, projectId: PROJECT, role });
  const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, roomId });
  return { c, userId, peerId: hello.peerId, token, caps: deviceRtpCapabilities(hello.routerRtpCapabilities!) };
}

/**
 * Makes a helloed identity a joined participant of its meeting: the ONE place
 * that does it, so that an admission step (the guests' lobby: knock, then
 * `moderator` admits) is added here and nowhere else. `moderator`: a joined
 * owner of the same meeting (none for the first one in).
 */
async function makeJoined(peer: Peer, moderator?: Peer): Promise<void> {
  const knocked = await peer.c.request('knock', {});
  if (knocked.status === 'waiting') {
    if (!moderator) throw new Error('a guest needs a moderator in the meeting to be admitted');
    await moderator.c.request('admit', { peerId: peer.peerId, allow: true });
    await peer.c.waitFor('admission', (d) => d.granted);
  }
  await peer.c.request('join', { rtpCapabilities: peer.caps });
}

interface Scene {
  roomId: string;
  /** An owner in the meeting: removes the `removed` identity's user. */
  host: Peer;
  /** A member in the meeting, sending a microphone and a camera. */
  target: Peer & { mic: string; camera: string; send: string };
}

async function newScene(): Promise<Scene> {
  const roomId = uid('room');
  const host = await helloed(roomId, 'owner');
  await makeJoined(host);
  const target = await helloed(roomId, 'member');
  await makeJoined(target, host);
  const send = await target.c.request('createTransport', { direction: 'send' });
  const mic = await target.c.request('produce', { transportId: send.transportId, kind: 'audio', source: 'mic', rtpParameters: audioRtpParameters() });
  const camera = await target.c.request('produce', { transportId: send.transportId, kind: 'video', source: 'camera', rtpParameters: videoRtpParameters() });
  return { roomId, host, target: { ...target, mic: mic.producerId, camera: camera.producerId, send: send.transportId } };
}

/** The actor of one case: how far it got (none: its hello is refused). */
interface Actor {
  kind: IdentityKind;
  state: 'none' | 'ready' | 'joined';
  peer?: Peer;
  userId: string;
}

/**
 * An actor of `kind` in the scene's meeting: helloed, then joined unless
 * `stopAt` is 'ready'. `removed`: joined, removed by the host, back on a new
 * socket (hello succeeds, join is refused).
 */
async function actorIn(scene: Scene, kind: IdentityKind, stopAt: 'ready' | 'joined'): Promise<Actor> {
  const role = roleOf[kind];
  if (!role) return { kind, state: 'none', userId: uid(kind) };
  const peer = await helloed(scene.roomId, role);
  if (kind === 'removed') {
    await makeJoined(peer, scene.host);
    await scene.host.c.request('moderate', { peerId: peer.peerId, action: 'remove' });
    expect(await peer.c.closed).toBe(WsCloseCode.REMOVED);
    const back = await helloed(scene.roomId, role, peer.userId);
    return { kind, state: 'ready', peer: back, userId: peer.userId };
  }
  if (stopAt === 'ready') return { kind, state: 'ready', peer, userId: peer.userId };
  await makeJoined(peer, scene.host);
  return { kind, state: 'joined', peer, userId: peer.userId };
}

// --------------------------------------------------- what each request needs
const PDF = minimalPdf('matrice');
let documentId = '';
let messageId = '';

/** A document of the project, uploaded by `token`'s user. */
async function upload(token: string, name = 'plan.pdf'): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), name);
  const response = await fetch(`${t.url}/api/projects/${PROJECT}/documents`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  expect(response.status).toBe(201);
  return ((await response.json()) as { document: { documentId: string } }).document.documentId;
}

/** The probe's stream as mediasoup-client describes a data channel's. */
const probeStream = { streamId: 0, ordered: true };
const view = { page: 1, zoom: 1, centerX: 0.5, centerY: 0.5, pointer: null };

/**
 * The data of one request for one actor: real targets when the actor is in
 * the state to use them, else schema-valid placeholders (the request is then
 * refused before any lookup: HELLO_REQUIRED or NOT_JOINED). A request type
 * missing here is a compile error.
 */
type Prepare = (s: Scene, a: Actor) => Promise<unknown>;
const own = (a: Actor): TestClient | undefined => (a.state === 'joined' ? a.peer!.c : undefined);

async function ownTransport(a: Actor, direction: 'send' | 'recv'): Promise<string> {
  const c = own(a);
  return c ? (await c.request('createTransport', { direction })).transportId : NO_MEDIA;
}
async function ownProducer(a: Actor): Promise<string> {
  const c = own(a);
  if (!c) return NO_MEDIA;
  const transportId = await ownTransport(a, 'send');
  return (await c.request('produce', { transportId, kind: 'audio', source: 'mic', rtpParameters: audioRtpParameters() })).producerId;
}
async function ownConsumer(s: Scene, a: Actor): Promise<string> {
  const c = own(a);
  if (!c) return NO_MEDIA;
  await ownTransport(a, 'recv');
  return (await c.request('consume', { producerId: s.target.mic })).consumerId;
}
/** The scene's target (a member) presents the project's document: another participant's presentation. */
async function scenePresentation(s: Scene): Promise<string> {
  return (await s.target.c.request('presentStart', { documentId })).presentation.presentationId;
}
const penMark = (page = 1) => ({ markId: uid('mark'), page, tool: 'pen' as const, width: 2, points: [10, 10, 20, 20] });
async function ownPresentation(a: Actor): Promise<string> {
  const c = own(a);
  return c ? (await c.request('presentStart', { documentId })).presentation.presentationId : 'none';
}

const prepare: Record<RequestType, Prepare> = {
  hello: async () => ({}), // sent as the first message (see the tests below)
  refreshToken: async (_s, a) => ({ token: (await credentials(a.kind, a.userId))[0] ?? 'x' }),
  ping: async () => ({}),
  presence: async () => ({}),
  knock: async () => ({}),
  // A guest knocking in the scene's meeting, waiting for a moderator.
  admit: async (s, a) => {
    if (a.state === 'none') return { peerId: 'none', allow: true };
    const guest = await helloed(s.roomId, 'guest');
    expect((await guest.c.request('knock', {})).status).toBe('waiting');
    return { peerId: guest.peerId, allow: true };
  },
  join: async (s) => ({ rtpCapabilities: s.target.caps }),
  prepareConsumers: async (s) => ({ rtpCapabilities: s.target.caps }),
  leave: async () => ({}),
  createTransport: async () => ({ direction: 'send' }),
  connectTransport: async (_s, a) => ({ transportId: await ownTransport(a, 'send'), dtlsParameters: dtlsParameters() }),
  restartIce: async (_s, a) => ({ transportId: await ownTransport(a, 'send') }),
  openProbe: async (_s, a) => ({ transportId: await ownTransport(a, 'send'), sctpStreamParameters: probeStream }),
  receiveProbe: async (_s, a) => {
    const c = own(a);
    if (!c) return { transportId: NO_MEDIA, dataProducerId: NO_MEDIA };
    const { dataProducerId } = await c.request('openProbe', { transportId: await ownTransport(a, 'send'), sctpStreamParameters: probeStream });
    return { transportId: await ownTransport(a, 'recv'), dataProducerId };
  },
  produce: async (_s, a) => ({ transportId: await ownTransport(a, 'send'), kind: 'audio', source: 'mic', rtpParameters: audioRtpParameters() }),
  pauseProducer: async (_s, a) => ({ producerId: await ownProducer(a) }),
  resumeProducer: async (_s, a) => ({ producerId: await ownProducer(a) }),
  closeProducer: async (_s, a) => ({ producerId: await ownProducer(a) }),
  consume: async (s, a) => {
    await ownTransport(a, 'recv');
    return { producerId: s.target.mic };
  },
  resumeConsumer: async (s, a) => ({ consumerId: await ownConsumer(s, a) }),
  pauseConsumer: async (s, a) => ({ consumerId: await ownConsumer(s, a) }),
  consumersReady: async (s, a) => ({ consumerIds: [await ownConsumer(s, a)] }),
  chatSend: async () => ({ clientMessageId: uid('msg'), text: 'matrice' }),
  chatHistory: async () => ({ limit: 5 }),
  chatMarkRead: async () => ({ messageId }),
  presentStart: async () => ({ documentId }),
  presentUpdate: async (_s, a) => ({ presentationId: await ownPresentation(a), view }),
  presentStop: async (_s, a) => ({ presentationId: await ownPresentation(a) }),
  setAudioOnly: async () => ({ audioOnly: true }),
  setViewport: async (s) => ({ tiles: [{ producerId: s.target.camera, width: 320, height: 180 }] }),
  callStart: async (s) => ({ userIds: [s.target.userId] }),
  // A call the target places to the actor (when the actor is a helloed member of the project).
  callAnswer: async (s, a) => {
    if (a.state === 'none') return { callId: 'none', accept: false };
    const { call } = await s.target.c.request('callStart', { userIds: [a.userId] });
    return { callId: call.callId, accept: false };
  },
  // A call the actor placed.
  callCancel: async (s, a) => {
    if (a.state === 'none') return { callId: 'none' };
    const { call } = await a.peer!.c.request('callStart', { userIds: [s.target.userId] });
    return { callId: call.callId };
  },
  moderate: async (s) => ({ peerId: s.target.peerId, action: 'remove' }),
  setRoomPolicy: async () => ({ locked: true }),
  endMeeting: async () => ({}),
  raiseHand: async () => ({ raised: true }),
  // Markup: on the target's presentation, default policy (markupAccess tests the presenter and the policies).
  markupList: async (s) => ({ presentationId: await scenePresentation(s) }),
  markupStroke: async (s) => ({ presentationId: await scenePresentation(s), ...penMark() }),
  markupAdd: async (s) => ({ presentationId: await scenePresentation(s), mark: penMark() }),
  // One's own mark: markup opened to everyone, guests included, so that the actor can draw it first.
  markupErase: async (s, a) => {
    const presentationId = await scenePresentation(s);
    await s.target.c.request('markupPolicy', { presentationId, drawers: 'all' });
    await s.host.c.request('markupPolicy', { presentationId, guests: true });
    const c = own(a);
    const markId = c ? (await c.request('markupAdd', { presentationId, mark: penMark() })).mark.markId : 'none';
    return { presentationId, markIds: [markId] };
  },
  markupClear: async (s) => {
    const presentationId = await scenePresentation(s);
    await s.target.c.request('markupAdd', { presentationId, mark: penMark() });
    return { presentationId, page: 1 };
  },
  markupPolicy: async (s) => ({ presentationId: await scenePresentation(s), drawers: 'all' }),
  markupSave: async (s) => ({ presentationId: await scenePresentation(s) }),
  minutesOpen: async () => ({}),
  minutesItemSave: async () => ({ sectionId: 'general', kind: 'observation', text: 'matrice' }),
  minutesItemDelete: async (s, a) => ({ itemId: a.state === 'none' ? 'none' : await hostItem(s) }),
  minutesSectionSave: async () => ({ title: 'Lot 01 Gros œuvre' }),
  minutesAttendance: async (s) => ({ personId: s.target.userId, status: 'excused' }),
  minutesAllow: async (s) => ({ userId: s.target.userId, allowed: true }),
  minutesPublish: async () => ({}),
  recordingStart: async () => ({}),
  // A recording the scene's host (an owner) started.
  recordingStop: async (s, a) => {
    if (a.state !== 'none') await s.host.c.request('recordingStart', {});
    return {};
  },
  recordingStatus: async () => ({}),
};

/** An item the scene's host (who started the meeting: its chair) wrote in the minutes. */
async function hostItem(s: Scene): Promise<string> {
  return (await s.host.c.request('minutesItemSave', { sectionId: 'general', kind: 'observation', text: 'point de l’hôte' })).item.itemId;
}

const helloedKinds = identityKinds.filter((k) => roleOf[k] !== undefined);
const refusedKinds = identityKinds.filter((k) => roleOf[k] === undefined);

// -------------------------------------------------------------------- tests
describe('the declared policy covers the registries', () => {
  it('has exactly one rule for every request type and every registered route', () => {
    const gaps = policyGaps(t.app.routeTable, requestTypes);
    expect(gaps).toEqual([]);
    // The registry is the real one: the socket, the client's pages and files are in it.
    expect(t.app.routeTable.some((r) => r.url === '/ws')).toBe(true);
    expect(t.app.routeTable.some((r) => r.staticFile)).toBe(true);
    expect(t.app.routeTable.some((r) => r.method === 'HEAD')).toBe(true);
  });
});

describe('WebSocket requests, identity by identity', () => {
  beforeAll(async () => {
    const uploader = await t.token({ userId: uid('uploader'), projectId: PROJECT, role: 'member' });
    documentId = await upload(uploader);
    const writer = await helloed(uid('room'), 'member');
    messageId = (await writer.c.request('chatSend', { clientMessageId: uid('first'), text: 'premier message' })).message.id;
  });

  it('hello: the token decides; a refused hello closes the socket (4001)', async () => {
    const mismatches: string[] = [];
    const roomId = uid('room');
    await Promise.all(
      identityKinds.map(async (kind) => {
        for (const token of await credentials(kind, uid(kind))) {
          const c = await connect();
          const got = await answer(c.request('hello', { protocol: PROTOCOL_VERSION, ...(token ? { token } : {}), projectId: PROJECT, roomId }));
          const want = requestAccess.hello.expect[kind];
          if (got !== want) mismatches.push(`hello as ${kind}${token ? '' : ' (no token)'}: got ${got}, policy says ${want}`);
          if (want !== 'ok') expect(await c.closed).toBe(WsCloseCode.HELLO_REFUSED);
        }
      }),
    );
    expect(mismatches).toEqual([]);
  });

  it('before hello (identities whose hello is refused): every other request is HELLO_REQUIRED', async () => {
    const scene = await newScene();
    const mismatches: string[] = [];
    for (const kind of refusedKinds) {
      const actor: Actor = { kind, state: 'none', userId: uid(kind) };
      const c = await connect();
      for (const type of requestTypes.filter((x) => x !== 'hello')) {
        const got = await answer(c.rawRequest(type, await prepare[type](scene, actor)));
        const want = requestAccess[type].expect[kind];
        if (got !== want) mismatches.push(`${type} as ${kind}: got ${got}, policy says ${want}`);
      }
      expect(c.violations).toEqual([]);
    }
    expect(mismatches).toEqual([]);
  });

  for (const kind of helloedKinds) {
    it(`every request type as ${kind}, each in a meeting of its own`, async () => {
      const mismatches: string[] = [];
      for (const type of requestTypes.filter((x) => x !== 'hello')) {
        const scene = await newScene();
        const actor = await actorIn(scene, kind, type === 'join' || type === 'knock' || type === 'prepareConsumers' ? 'ready' : 'joined');
        const got = await answer(actor.peer!.c.rawRequest(type, await prepare[type](scene, actor)));
        const want = requestAccess[type].expect[kind];
        if (got !== want) mismatches.push(`${type} as ${kind}: got ${got}, policy says ${want}`);
        for (const c of [scene.host.c, scene.target.c, actor.peer!.c]) {
          expect(c.violations).toEqual([]);
          c.close();
        }
      }
      expect(mismatches).toEqual([]);
      // A meeting per request type: the time grows with the protocol (a few seconds a scene on a loaded machine).
    }, requestTypes.length * 3_000);
  }

  it('a project page\'s socket (no meeting) refuses join with BAD_REQUEST, not INTERNAL; leave ends it', async () => {
    const c = await connect();
    const token = await t.token({ userId: uid('page'), projectId: PROJECT, role: 'owner' });
    const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT });
    expect(hello.roomId).toBeUndefined();
    const caps = deviceRtpCapabilities((await newScene()).target.caps);
    expect(await answer(c.request('join', { rtpCapabilities: caps }))).toBe(ErrorCode.BAD_REQUEST);
    expect(await answer(c.request('ping', {}))).toBe('ok');
    expect(await answer(c.request('leave', {}))).toBe('ok');
    expect(await c.closed).toBe(WsCloseCode.LEFT);
  });
});

describe('markup: the presenter, a moderator, a member and a guest, under each policy', () => {
  beforeAll(async () => {
    if (!documentId) documentId = await upload(await t.token({ userId: uid('uploader'), projectId: PROJECT, role: 'member' }));
  });

  it('has rows for every markup request type', () => {
    const declared = new Set(Object.keys(markupAccess).map((k) => k.split(' ')[0]));
    expect([...declared].sort()).toEqual(requestTypes.filter((type) => type.startsWith('markup')).sort());
  });

  for (const policy of Object.keys(markupPolicies) as MarkupPolicyName[]) {
    for (const as of markupActors) {
      it(`every markup operation as ${as}, drawers ${markupPolicies[policy].drawers}${markupPolicies[policy].guests ? ' and guests' : ''}`, async () => {
        const roomId = uid('room');
        const host = await helloed(roomId, 'owner');
        await makeJoined(host);
        const presenter = await helloed(roomId, 'member');
        await makeJoined(presenter, host);
        const presentationId = (await presenter.c.request('presentStart', { documentId })).presentation.presentationId;
        await host.c.request('markupPolicy', { presentationId, ...markupPolicies[policy] });
        const hostMark = (await host.c.request('markupAdd', { presentationId, mark: penMark(1) })).mark.markId;
        await host.c.request('markupAdd', { presentationId, mark: penMark(2) });
        const actor = as === 'presenter' ? presenter : await helloed(roomId, as);
        if (actor !== presenter) await makeJoined(actor, host);
        // In the table's order: drawing before the policy changes, saving last.
        const sent: Record<keyof typeof markupAccess, [RequestType, unknown]> = {
          markupList: ['markupList', { presentationId }],
          markupStroke: ['markupStroke', { presentationId, ...penMark() }],
          markupAdd: ['markupAdd', { presentationId, mark: penMark() }],
          markupErase: ['markupErase', { presentationId, markIds: [hostMark] }],
          markupClear: ['markupClear', { presentationId, page: 2 }],
          'markupPolicy drawers': ['markupPolicy', { presentationId, drawers: 'all' }],
          'markupPolicy guests': ['markupPolicy', { presentationId, guests: true }],
          markupSave: ['markupSave', { presentationId }],
        };
        const mismatches: string[] = [];
        for (const [row, rule] of Object.entries(markupAccess) as Array<[keyof typeof markupAccess, (typeof markupAccess)[keyof typeof markupAccess]]>) {
          const [type, data] = sent[row];
          const got = await answer(actor.c.rawRequest(type, data));
          const want = rule.expect[policy][as];
          if (got !== want) mismatches.push(`${row} as ${as} (${policy}): got ${got}, policy says ${want}`);
        }
        expect(mismatches).toEqual([]);
        for (const c of new Set([host.c, presenter.c, actor.c])) {
          expect(c.violations).toEqual([]);
          c.close();
        }
      });
    }
  }
});

describe('requests aimed at what is not the caller\'s', () => {
  interface Elsewhere {
    /** A producer of another meeting of the project. */
    producer: string;
    /** A participant of another meeting of the project. */
    peerId: string;
    /** A document and a user of another project. */
    document: string;
    user: string;
    /** An item of another meeting's minutes. */
    item: string;
  }
  let elsewhere: Elsewhere;
  let other: Peer;

  type ForeignPrepare = (s: Scene, a: Peer, e: Elsewhere) => Promise<unknown>;
  const foreign: Partial<Record<RequestType, ForeignPrepare>> = {
    connectTransport: async (s) => ({ transportId: s.target.send, dtlsParameters: dtlsParameters() }),
    restartIce: async (s) => ({ transportId: s.target.send }),
    openProbe: async (s) => ({ transportId: s.target.send, sctpStreamParameters: probeStream }),
    receiveProbe: async (s, a) => {
      const { dataProducerId } = await s.target.c.request('openProbe', { transportId: s.target.send, sctpStreamParameters: probeStream });
      return { transportId: (await a.c.request('createTransport', { direction: 'recv' })).transportId, dataProducerId };
    },
    produce: async (s) => ({ transportId: s.target.send, kind: 'audio', source: 'mic', rtpParameters: audioRtpParameters() }),
    pauseProducer: async (s) => ({ producerId: s.target.mic }),
    resumeProducer: async (s) => ({ producerId: s.target.mic }),
    closeProducer: async (s) => ({ producerId: s.target.mic }),
    consume: async (_s, a, e) => {
      await a.c.request('createTransport', { direction: 'recv' });
      return { producerId: e.producer };
    },
    resumeConsumer: async (s) => ({ consumerId: await hostConsumer(s) }),
    pauseConsumer: async (s) => ({ consumerId: await hostConsumer(s) }),
    consumersReady: async (s) => ({ consumerIds: [await hostConsumer(s)] }),
    chatSend: async (_s, _a, e) => ({ clientMessageId: uid('msg'), text: 'pièce jointe', documentId: e.document }),
    presentStart: async (_s, _a, e) => ({ documentId: e.document }),
    presentUpdate: async (s) => ({ presentationId: await targetPresentation(s), view }),
    presentStop: async (s) => ({ presentationId: await targetPresentation(s) }),
    callStart: async (_s, _a, e) => ({ userIds: [e.user] }),
    callAnswer: async (s) => ({ callId: (await s.target.c.request('callStart', { userIds: [s.host.userId] })).call.callId, accept: true }),
    callCancel: async (s, a) => ({ callId: (await s.target.c.request('callStart', { userIds: [a.userId] })).call.callId }),
    moderate: async (_s, _a, e) => ({ peerId: e.peerId, action: 'remove' }),
    markupList: async () => ({ presentationId: (await other.c.request('presentStart', { documentId })).presentation.presentationId }),
    markupErase: async (s) => {
      const presentationId = await targetPresentation(s);
      const { mark } = await s.target.c.request('markupAdd', { presentationId, mark: penMark() });
      return { presentationId, markIds: [mark.markId] };
    },
    minutesItemDelete: async (_s, _a, e) => ({ itemId: e.item }),
    minutesAllow: async (_s, _a, e) => ({ userId: e.user, allowed: true }),
  };

  /** The host consumes the target's microphone: a consumer that is the host's. */
  async function hostConsumer(s: Scene): Promise<string> {
    await s.host.c.request('createTransport', { direction: 'recv' });
    return (await s.host.c.request('consume', { producerId: s.target.mic })).consumerId;
  }
  async function targetPresentation(s: Scene): Promise<string> {
    return (await s.target.c.request('presentStart', { documentId })).presentation.presentationId;
  }

  beforeAll(async () => {
    const uploader = await t.token({ userId: uid('uploader'), projectId: PROJECT, role: 'member' });
    if (!documentId) documentId = await upload(uploader);
    const otherScene = await newScene();
    other = otherScene.target;
    const outsider = uid('outsider');
    const c = await connect();
    const outsiderToken = await t.token({ userId: outsider, projectId: OTHER_PROJECT, role: 'owner' });
    await c.request('hello', { protocol: PROTOCOL_VERSION, token: outsiderToken, projectId: OTHER_PROJECT });
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'ailleurs.pdf');
    const response = await fetch(`${t.url}/api/projects/${OTHER_PROJECT}/documents`, { method: 'POST', headers: { authorization: `Bearer ${outsiderToken}` }, body: form });
    expect(response.status).toBe(201);
    const { document } = (await response.json()) as { document: { documentId: string } };
    const item = await hostItem(otherScene);
    elsewhere = { producer: otherScene.target.mic, peerId: otherScene.target.peerId, document: document.documentId, user: outsider, item };
  });

  it('every declared case has its target here, and the other way round', () => {
    expect(Object.keys(foreign).sort()).toEqual(Object.keys(foreignTargetAccess).sort());
  });

  it('is refused as declared', async () => {
    const mismatches: string[] = [];
    for (const [type, rule] of Object.entries(foreignTargetAccess) as Array<[RequestType, NonNullable<(typeof foreignTargetAccess)[RequestType]>]>) {
      const scene = await newScene();
      const actor = await actorIn(scene, rule.as, 'joined');
      const data = await foreign[type]!(scene, actor.peer!, elsewhere);
      const got = await answer(actor.peer!.c.rawRequest(type, data));
      if (got !== rule.expect) mismatches.push(`${type} on ${rule.on} as ${rule.as}: got ${got}, policy says ${rule.expect}`);
      for (const c of [scene.host.c, scene.target.c, actor.peer!.c]) {
        expect(c.violations).toEqual([]);
        c.close();
      }
    }
    expect(mismatches).toEqual([]);
    // The other meeting's participant was not removed by an owner of this one: still in, still joined.
    expect(other.c.closeCode).toBeUndefined();
    expect(await answer(other.c.request('raiseHand', { raised: true }))).toBe('ok');
  }, Object.keys(foreignTargetAccess).length * 3_000);
});

describe('HTTP routes, identity by identity', () => {
  /** Parameters of the routes, by name. */
  const params: Record<string, () => string> = {
    projectId: () => PROJECT,
    roomId: () => 'site-meeting',
    documentId: () => documentId,
    userId: () => 'someone',
    code: () => invitationCode,
    planId: () => planId,
    occurrenceId: () => occurrenceId,
    secret: () => feedSecret,
    producerId: () => 'no-such-share',
  };
  /** A live weekly plan of the project, one of its future occurrences, and a live feed secret. */
  let planId = '';
  let occurrenceId = '';
  let feedSecret = '';
  const planBody = (): string => {
    const date = new Date(Date.now() + 30 * 24 * 3600_000).toISOString().slice(0, 10);
    return JSON.stringify({
      title: 'Réunion de chantier', roomId: 'site-meeting', date, time: '09:00', durationMin: 60,
      invitees: [], guests: [], recurrence: { frequency: 'weekly', interval: 1 },
    });
  };
  async function plan(): Promise<{ planId: string; date: string }> {
    const owner = await t.token({ projectId: PROJECT, role: 'owner' });
    const response = await fetch(`${t.url}/api/projects/${PROJECT}/meetings/plans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: planBody(),
    });
    expect(response.status).toBe(201);
    const { plan } = (await response.json()) as { plan: { planId: string; date: string } };
    return plan;
  }
  /** A live invitation code of the project (its routes are public: the code is the credential). */
  let invitationCode = '';

  /** A fresh invitation, made by an owner: each revoke needs its own. */
  async function invite(): Promise<{ invitationId: string; code: string }> {
    const owner = await t.token({ projectId: PROJECT, role: 'owner' });
    const response = await fetch(`${t.url}/api/projects/${PROJECT}/invitations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'guest', expiresInS: 3600, roomId: 'site-meeting' }),
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { invitation: { invitationId: string }; code: string };
    return { invitationId: created.invitation.invitationId, code: created.code };
  }
  let uploaderToken = '';
  /** A user a moderator removed from a meeting: its token still opens the project. */
  let removedUserId = '';

  interface HttpCase {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: BodyInit;
  }

  /** The request of one route: parameters filled in, a body where one is needed, a fresh target where it is consumed. */
  async function requestFor(method: string, url: string): Promise<Omit<HttpCase, 'headers'> & { headers: Record<string, string> }> {
    const key = `${method} ${url}`;
    let docId = documentId;
    if (key === 'DELETE /api/projects/:projectId/documents/:documentId') docId = await upload(uploaderToken, 'a-supprimer.pdf');
    const invitationId = key === 'DELETE /api/projects/:projectId/invitations/:invitationId' ? (await invite()).invitationId : '';
    const cancelledPlanId = key === 'DELETE /api/projects/:projectId/meetings/plans/:planId' ? (await plan()).planId : '';
    const path = url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
      if (name === 'documentId') return docId;
      if (name === 'invitationId' && invitationId) return invitationId;
      if (name === 'planId' && cancelledPlanId) return cancelledPlanId;
      const value = params[name];
      if (!value) throw new Error(`${key}: no fixture for parameter ${name} (access.int.test.ts params)`);
      return encodeURIComponent(value());
    });
    switch (key) {
      case 'POST /api/projects':
        return { method, path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: PROJECT, name: 'Chantier matrice' }) };
      case 'PUT /api/projects/:projectId/members/:userId':
        return { method, path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'Quelqu’un', role: 'member' }) };
      case 'POST /api/projects/:projectId/invitations':
        return { method, path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'guest', expiresInS: 3600 }) };
      case 'POST /api/invitations/:code/accept':
        return { method, path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'Invitée' }) };
      case 'POST /api/projects/:projectId/meetings/plans':
        return { method, path, headers: { 'content-type': 'application/json' }, body: planBody() };
      case 'PATCH /api/projects/:projectId/meetings/plans/:planId':
        return { method, path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Réunion de chantier n° 2' }) };
      case 'PUT /api/projects/:projectId/meetings/plans/:planId/occurrences/:occurrenceId':
        return { method, path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'skipped' }) };
      case 'PUT /api/projects/:projectId/meetings/settings':
        return { method, path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ timeZone: 'Europe/Paris' }) };
      case 'PUT /api/projects/:projectId/meetings/:roomId/screens/:producerId/still':
        return { method, path, headers: { 'content-type': 'image/png' }, body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) };
      case 'POST /api/projects/:projectId/meetings/feed':
        return { method, path, headers: {} };
      case 'POST /api/projects/:projectId/documents': {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'envoi.pdf');
        return { method, path, headers: {}, body: form };
      }
      default:
        if (['POST', 'PUT', 'PATCH'].includes(method)) throw new Error(`${key}: no body fixture (access.int.test.ts requestFor)`);
        return { method, path, headers: {} };
    }
  }

  beforeAll(async () => {
    const scene = await newScene();
    removedUserId = (await actorIn(scene, 'removed', 'joined')).userId;
    uploaderToken = await t.token({ userId: uid('uploader'), projectId: PROJECT, role: 'member' });
    invitationCode = (await invite()).code;
    const live = await plan();
    planId = live.planId;
    occurrenceId = new Date(Date.parse(`${live.date}T00:00:00Z`) + 7 * 24 * 3600_000).toISOString().slice(0, 10);
    {
      // A member's feed: its secret is the credential of the public feed route, whoever asks.
      const member = await t.token({ userId: uid('feed'), projectId: PROJECT, role: 'member' });
      const response = await fetch(`${t.url}/api/projects/${PROJECT}/meetings/feed`, { method: 'POST', headers: { authorization: `Bearer ${member}` } });
      expect(response.status).toBe(201);
      feedSecret = ((await response.json()) as { url: string }).url.split('/').pop()!;
    }
    if (!documentId) documentId = await upload(uploaderToken);
    // The thumbnail is made after the upload: wait for it, so that the route answers as authorisation says.
    const owner = await t.token({ projectId: PROJECT, role: 'owner' });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = await fetch(`${t.url}/api/projects/${PROJECT}/documents/${documentId}/thumbnail`, { headers: { authorization: `Bearer ${owner}` } });
      await r.arrayBuffer();
      if (r.status === 200) break;
      if (Date.now() > deadline) throw new Error(`no thumbnail after 20 s (${r.status})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  for (const kind of identityKinds) {
    it(`every route as ${kind}`, async () => {
      const mismatches: string[] = [];
      const tokens = await credentials(kind, kind === 'removed' ? removedUserId : uid(kind));
      const routes = t.app.routeTable;
      expect(routes.length).toBeGreaterThan(20);
      // In parallel: each refused authentication answers after 250 ms.
      const cases = routes.flatMap((route) => tokens.map((token) => ({ route, token })));
      await Promise.all(
        cases.map(async ({ route, token }) => {
          const rule = ruleOf(route);
          if (!rule) {
            mismatches.push(`${routeKey(route)}: no rule in auth/access.ts`);
            return;
          }
          const req = await requestFor(route.method, route.url);
          const headers = { ...req.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
          const response = await fetch(`${t.url}${req.path}`, { method: req.method, headers, ...(req.body ? { body: req.body } : {}) });
          const text = await response.text();
          const want = rule.expect[kind];
          const wantStatus = want === 'ok' ? rule.okStatus : statusOf(want);
          // HEAD answers carry no body; @fastify/websocket answers a request without upgrade by a bare 404.
          const statusOnly = route.method === 'HEAD' || route.websocket;
          let got = `${response.status}`;
          if (response.status >= 400 && !statusOnly) {
            try {
              got += ` ${(JSON.parse(text) as { error: { code: string } }).error.code}`;
            } catch {
              got += ' (no coded error body)';
            }
          }
          const expected = want === 'ok' || statusOnly ? `${wantStatus}` : `${wantStatus} ${want}`;
          if (got !== expected) {
            mismatches.push(`${routeKey(route)} as ${kind}${token ? '' : ' (no token)'}: got ${got}, policy says ${expected}`);
          }
        }),
      );
      expect(mismatches).toEqual([]);
      // A meeting per request type: the time grows with the protocol (a few seconds a scene on a loaded machine).
    }, requestTypes.length * 3_000);
  }
});
