/**
 * Still pictures of a shared screen (issue 21) on a real app (real mediasoup
 * workers, real Redis): who is told, who may upload and fetch, the bounds.
 * No packets flow here, so no downlink is weak by itself: a viewer's need is
 * the SFU's event (sfu/src/screenStill.ts decides it, unit-tested), emitted
 * on its media peer as the SFU emits it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RtpParameters } from 'mediasoup/types';
import { startTestApp, type TestApp } from '../../test/app.js';
import { deviceRtpCapabilities, dtlsParameters, videoRtpParameters } from '../../test/fakeMedia.js';
import { TestClient } from '../../test/TestClient.js';
import { PROTOCOL_VERSION } from './protocol/index.js';
import { MAX_STILL_BYTES } from './rooms/ScreenStills.js';

let t: TestApp;
const clients: TestClient[] = [];
const ROOM = 'still-room';

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});
afterEach(() => {
  for (const c of clients) {
    expect(c.violations, 'server messages must match the protocol').toEqual([]);
    c.close();
  }
  clients.length = 0;
});

/** A WebP's first bytes and a few more: what the server checks is the signature. */
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x20, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(64, 7)]);

async function joined(userId: string, roomId = ROOM) {
  const token = await t.token({ userId, displayName: userId, projectId: 'p1', role: 'member' });
  const c = await TestClient.connect(t.url);
  clients.push(c);
  const h = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: 'p1', roomId });
  await c.request('join', { rtpCapabilities: deviceRtpCapabilities(h.routerRtpCapabilities!) });
  return { c, peerId: h.peerId, token };
}

async function sharing(userId: string) {
  const sharer = await joined(userId);
  const send = await sharer.c.request('createTransport', { direction: 'send' });
  await sharer.c.request('connectTransport', { transportId: send.transportId, dtlsParameters: dtlsParameters() });
  const params = videoRtpParameters();
  const rtpParameters: RtpParameters = { ...params, mid: 'SCREEN', encodings: params.encodings!.slice(0, 1) };
  const { producerId } = await sharer.c.request('produce', { transportId: send.transportId, kind: 'video', source: 'screen', rtpParameters });
  return { ...sharer, producerId };
}

/** What the SFU emits when this peer's downlink cannot carry the screen (or can again). */
function needs(peerId: string, producerId: string, needed: boolean): void {
  const peer = t.app.rooms.get('p1', ROOM)?.media.peers.get(peerId);
  if (!peer) throw new Error(`no media peer ${peerId}`);
  peer.safeEmit('screenstill', producerId, needed);
}

const url = (producerId: string, roomId = ROOM): string => `${t.url}/api/projects/p1/meetings/${roomId}/screens/${producerId}/still`;
const put = (token: string, producerId: string, body: Buffer, type = 'image/webp'): Promise<Response> =>
  fetch(url(producerId), { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: new Uint8Array(body) });
const get = (token: string, producerId: string, roomId = ROOM, query = ''): Promise<Response> =>
  fetch(`${url(producerId, roomId)}${query}`, { headers: { authorization: `Bearer ${token}` } });
async function code(response: Response): Promise<string> {
  return `${response.status} ${((await response.json()) as { error: { code: string } }).error.code}`;
}

describe('still pictures of a shared screen', () => {
  it('are asked of the sharer while a viewer needs them, reach that viewer only, and end with the share', async () => {
    const alice = await sharing('alice');
    const bob = await joined('bob');
    const carol = await joined('carol');

    needs(bob.peerId, alice.producerId, true);
    expect(await alice.c.waitFor('screenStillWanted')).toEqual({ producerId: alice.producerId, wanted: true });
    // Nothing to fetch before the sharer's first picture.
    expect(await code(await get(bob.token, alice.producerId))).toBe('404 NOT_FOUND');

    const sent = await put(alice.token, alice.producerId, WEBP);
    expect(sent.status).toBe(200);
    expect(await sent.json()).toEqual({ version: 1 });
    expect(await bob.c.waitFor('screenStill')).toEqual({ peerId: alice.peerId, producerId: alice.producerId, version: 1 });
    const fetched = await get(bob.token, alice.producerId);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('image/webp');
    expect(fetched.headers.get('x-still-version')).toBe('1');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(WEBP)).toBe(true);

    // A viewer who comes to need it later gets the latest at once; a second picture replaces the first.
    needs(carol.peerId, alice.producerId, true);
    expect(await carol.c.waitFor('screenStill')).toMatchObject({ version: 1 });
    expect(await (await put(alice.token, alice.producerId, WEBP)).json()).toEqual({ version: 2 });
    await bob.c.waitFor('screenStill', (d) => d.version === 2);
    await carol.c.waitFor('screenStill', (d) => d.version === 2);

    // Bob's video flows again: he is told, and the sharer is still asked for Carol.
    needs(bob.peerId, alice.producerId, false);
    expect(await bob.c.waitFor('screenStill', (d) => d.version === null)).toMatchObject({ producerId: alice.producerId });
    expect(alice.c.notificationsOf('screenStillWanted')).toHaveLength(1);
    // Carol leaves: nobody needs it any more.
    await carol.c.request('leave', {});
    expect(await alice.c.waitFor('screenStillWanted', (d) => !d.wanted)).toEqual({ producerId: alice.producerId, wanted: false });

    // The share ends: its picture is gone.
    await alice.c.request('closeProducer', { producerId: alice.producerId });
    await bob.c.waitFor('producerClosed');
    expect(await code(await get(bob.token, alice.producerId))).toBe('404 NOT_FOUND');
    expect(await code(await put(alice.token, alice.producerId, WEBP))).toBe('404 NOT_FOUND');
  });

  it('make a viewer found weak as the share starts wait for its first picture, and answer the others at once', async () => {
    // The server judges every viewer as the screen is produced (Room.screenShared); the web client's
    // viewers fetch the first still with wait=true when the share is announced (StillReceiver.prepare).
    const erin = await joined('erin');
    const gina = await joined('gina');
    const dave = await sharing('dave');
    // Gina's downlink carries the video (no weak verdict): nothing to wait for.
    expect(await code(await get(gina.token, dave.producerId, ROOM, '?wait=true'))).toBe('404 NOT_FOUND');
    // Erin's is too weak (what the SFU emits then): the sharer is told, her fetch waits for the picture.
    needs(erin.peerId, dave.producerId, true);
    expect(await dave.c.waitFor('screenStillWanted')).toEqual({ producerId: dave.producerId, wanted: true });
    const early = get(erin.token, dave.producerId, ROOM, '?wait=true');
    const raced = await Promise.race([early.then(() => 'answered'), new Promise((resolve) => setTimeout(resolve, 300, 'waiting'))]);
    expect(raced).toBe('waiting');
    // A plain GET is answered at once: no picture yet.
    expect(await code(await get(erin.token, dave.producerId))).toBe('404 NOT_FOUND');
    expect(await (await put(dave.token, dave.producerId, WEBP)).json()).toEqual({ version: 1 });
    const fetched = await early;
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('x-still-version')).toBe('1');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(WEBP)).toBe(true);
    expect(await erin.c.waitFor('screenStill')).toEqual({ peerId: dave.peerId, producerId: dave.producerId, version: 1 });
    // Once there is a picture, wait=true answers at once; a wait on a share that ends is answered 404.
    expect((await get(erin.token, dave.producerId, ROOM, '?wait=true')).status).toBe(200);
    const frank = await sharing('frank');
    needs(erin.peerId, frank.producerId, true);
    const waiting = get(erin.token, frank.producerId, ROOM, '?wait=true');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await frank.c.request('closeProducer', { producerId: frank.producerId });
    expect(await code(await waiting)).toBe('404 NOT_FOUND');
    expect((await get(erin.token, dave.producerId, ROOM, '?wait=maybe')).status).toBe(400);
  });

  it('are refused to others than the sharer and the meeting, and when too large or not a picture', async () => {
    const alice = await sharing('alice2');
    const bob = await joined('bob2');
    needs(bob.peerId, alice.producerId, true);
    await alice.c.waitFor('screenStillWanted');

    expect(await code(await put(bob.token, alice.producerId, WEBP))).toBe('403 FORBIDDEN');
    expect(await code(await put(alice.token, alice.producerId, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')))).toBe('415 UNSUPPORTED_TYPE');
    expect(await code(await put(alice.token, alice.producerId, WEBP, 'image/svg+xml'))).toBe('415 UNSUPPORTED_MEDIA_TYPE');
    const tooLarge = Buffer.concat([WEBP, Buffer.alloc(MAX_STILL_BYTES)]);
    expect(await code(await put(alice.token, alice.producerId, tooLarge))).toBe('413 TOO_LARGE');
    expect(await (await put(alice.token, alice.producerId, WEBP)).json()).toEqual({ version: 1 });

    // A member of the project who is not in this meeting, and a token of another meeting or project.
    const outsider = await t.token({ userId: 'dave', displayName: 'Dave', projectId: 'p1', role: 'member' });
    expect(await code(await get(outsider, alice.producerId))).toBe('403 FORBIDDEN');
    const otherMeeting = await t.token({ userId: 'bob2', displayName: 'Bob', projectId: 'p1', role: 'guest', roomId: 'elsewhere' });
    expect(await code(await get(otherMeeting, alice.producerId))).toBe('403 FORBIDDEN');
    const otherProject = await t.token({ userId: 'bob2', displayName: 'Bob', projectId: 'p2', role: 'owner' });
    expect(await code(await get(otherProject, alice.producerId))).toBe('403 FORBIDDEN');
    expect((await fetch(url(alice.producerId))).status).toBe(401);
    // An unknown share, a meeting not held here.
    expect(await code(await get(bob.token, 'no-such-share'))).toBe('404 NOT_FOUND');
    expect(await code(await get(bob.token, alice.producerId, 'no-such-meeting'))).toBe('404 NOT_FOUND');
    expect((await get(bob.token, alice.producerId)).status).toBe(200);
  });
});
