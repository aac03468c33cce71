/**
 * Several nodes on one Redis (issue 8, "scale across servers"): a meeting
 * lives on exactly one node; a hello through another node is redirected to it
 * (WRONG_NODE + its URL); when the holder dies (SIGKILL), a hello through a
 * survivor takes the meeting over once the holder's liveness has lapsed, and
 * the meeting's policy, removed users, marks and minutes survive.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { startCluster, type ClusterNode } from '../../test/cluster.js';
import { TEST_JWT_SECRET } from '../../test/config.js';
import { uploadDocument } from '../../test/meetingClient.js';
import { planPdf } from '../../test/pdf.js';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { RequestFailed, TestClient } from '../../test/TestClient.js';
import '../../test/provided.js';
import { mintAccessToken } from './auth/tokens.js';
import { LIVENESS_TTL_MS } from './cluster/NodeRegistry.js';
import { ErrorCode, PROTOCOL_VERSION, type Role } from './protocol/index.js';
import { makeKeys } from './store/keys.js';

const rid = (): string => randomBytes(5).toString('hex');
const redis = createClient({ url: inject('redisUrl') });
const clients: TestClient[] = [];

beforeAll(async () => {
  await redis.connect();
});
afterAll(async () => {
  await redis.close();
});
afterEach(() => {
  for (const c of clients) {
    expect(c.violations, 'server messages must match the protocol').toEqual([]);
    c.close();
  }
  clients.length = 0;
});

interface Who {
  userId: string;
  displayName: string;
  role: Role;
}

const owner: Who = { userId: 'lea', displayName: 'Léa', role: 'owner' };
const member: Who = { userId: 'bruno', displayName: 'Bruno', role: 'member' };
const intruder: Who = { userId: 'zoe', displayName: 'Zoé', role: 'member' };

async function hello(node: ClusterNode, projectId: string, roomId: string, who: Who) {
  const c = await TestClient.connect(node.url);
  clients.push(c);
  const token = await mintAccessToken({ ...who, projectId }, TEST_JWT_SECRET);
  const answer = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId, roomId });
  return { c, hello: answer };
}

async function join(node: ClusterNode, projectId: string, roomId: string, who: Who) {
  const s = await hello(node, projectId, roomId, who);
  const rtpCapabilities = deviceRtpCapabilities(s.hello.routerRtpCapabilities!);
  const joined = await s.c.request('join', { rtpCapabilities });
  return { ...s, joined };
}

/** The hello's refusal (the socket is closed after it). */
async function refusedHello(node: ClusterNode, projectId: string, roomId: string, who: Who): Promise<RequestFailed> {
  const c = await TestClient.connect(node.url);
  clients.push(c);
  const token = await mintAccessToken({ ...who, projectId }, TEST_JWT_SECRET);
  return c.expectError(c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId, roomId }));
}

/**
 * Kills `dead` (SIGKILL) and says hello through `survivor` until it takes the
 * meeting over: until the dead node's liveness lapses, the survivor still
 * sends clients to it (WRONG_NODE with its URL).
 */
async function helloAfterKill(dead: ClusterNode, survivor: ClusterNode, projectId: string, roomId: string, who: Who) {
  await dead.kill('SIGKILL');
  const killedAt = Date.now();
  let redirects = 0;
  for (;;) {
    try {
      const s = await hello(survivor, projectId, roomId, who);
      console.log(`take-over: ${Date.now() - killedAt} ms after SIGKILL, ${redirects} redirect(s) to the dead node meanwhile`);
      return s;
    } catch (error) {
      if (!(error instanceof RequestFailed) || error.code !== ErrorCode.WRONG_NODE) throw error;
      expect(error.details).toEqual({ url: dead.url });
      redirects++;
      expect(Date.now() - killedAt, 'taken over within the liveness TTL and a margin').toBeLessThan(LIVENESS_TTL_MS + 10_000);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Two server processes start (tsx compiles each) on a loaded 2-core machine: generous. */
const CLUSTER_TEST_MS = 120_000;

describe('meetings across nodes', () => {
  it('sends a hello to the node holding the meeting, and puts everyone in one room there', async () => {
    const metricsToken = `metrics-${randomBytes(16).toString('hex')}`;
    const cluster = await startCluster(2, { METRICS_TOKEN: metricsToken });
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const keys = makeKeys(cluster.prefix);
    const projectId = `p-${rid()}`;
    try {
      const lea = await join(a, projectId, 'reunion', owner);
      expect(await redis.get(keys.meetingNode(projectId, 'reunion'))).toBe(a.nodeId);
      // The hello tells the client every live node, its own first.
      expect(lea.hello.nodes).toEqual([a.url, b.url]);

      // Through B: redirected to A, and B created nothing.
      const refused = await refusedHello(b, projectId, 'reunion', member);
      expect(refused.code).toBe(ErrorCode.WRONG_NODE);
      expect(refused.details).toEqual({ url: a.url });
      expect(await redis.get(keys.meetingNode(projectId, 'reunion'))).toBe(a.nodeId);

      // A resume through B (Léa's network, not her node, failed) is sent back to A too.
      const elsewhere = await TestClient.connect(b.url);
      clients.push(elsewhere);
      const resumeToken = await mintAccessToken({ ...owner, projectId }, TEST_JWT_SECRET);
      const resumeRefused = await elsewhere.expectError(
        elsewhere.request('hello', {
          protocol: PROTOCOL_VERSION,
          token: resumeToken,
          projectId,
          roomId: 'reunion',
          resume: { peerId: lea.hello.peerId, secret: lea.hello.resumeSecret!, lastSeq: 0 },
        }),
      );
      expect(resumeRefused.code).toBe(ErrorCode.WRONG_NODE);
      expect(resumeRefused.details).toEqual({ url: a.url });

      // Where the redirect says: one room, both see each other.
      const bruno = await join(a, projectId, 'reunion', member);
      expect(bruno.joined.peers.map((p) => p.peerId)).toEqual([lea.hello.peerId]);
      await lea.c.waitFor('peerJoined', (d) => d.peer.peerId === bruno.hello.peerId);

      // Each node sees the other live (Prometheus gauge).
      const metrics = await (await fetch(`${b.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
      expect(metrics).toMatch(/^chantier_cluster_nodes 2$/m);

      // Another meeting of the project, first reached through B, lives on B.
      await join(b, projectId, 'chantier-nord', member);
      expect(await redis.get(keys.meetingNode(projectId, 'chantier-nord'))).toBe(b.nodeId);

      // The meeting ends (everyone leaves): the claim goes, and B may hold it next time.
      await lea.c.request('leave', {});
      await bruno.c.request('leave', {});
      await waitUntil(async () => (await redis.get(keys.meetingNode(projectId, 'reunion'))) === null, 'claim released');
      await join(b, projectId, 'reunion', owner);
      expect(await redis.get(keys.meetingNode(projectId, 'reunion'))).toBe(b.nodeId);
    } finally {
      await cluster.stop();
    }
    // A clean shutdown withdraws the nodes at once.
    expect(await redis.exists([keys.node(a.nodeId), keys.node(b.nodeId)])).toBe(0);
  }, CLUSTER_TEST_MS);

  it('takes a dead node’s meeting over, locked and with its removed user still out', async () => {
    const started = Date.now();
    const cluster = await startCluster(2);
    console.log(`two nodes started in ${Date.now() - started} ms`);
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const keys = makeKeys(cluster.prefix);
    const projectId = `p-${rid()}`;
    try {
      const lea = await join(a, projectId, 'reunion', owner);
      const zoe = await join(a, projectId, 'reunion', intruder);
      await lea.c.request('moderate', { peerId: zoe.hello.peerId, action: 'remove' });
      await lea.c.request('setRoomPolicy', { locked: true });
      const meetingId = await redis.hGet(keys.meetingCurrent(projectId, 'reunion'), 'meetingId');
      expect(meetingId).toBeTruthy();

      const leaOnB = await helloAfterKill(a, b, projectId, 'reunion', owner);
      expect(await redis.get(keys.meetingNode(projectId, 'reunion'))).toBe(b.nodeId);
      expect(leaOnB.hello.nodes).toEqual([b.url]);

      const joined = await leaOnB.c.request('join', { rtpCapabilities: deviceRtpCapabilities(leaOnB.hello.routerRtpCapabilities!) });
      expect(joined.policy?.locked).toBe(true);
      // The same meeting goes on (its record), and only B's participants are listed in it.
      expect(await redis.hGet(keys.meetingCurrent(projectId, 'reunion'), 'meetingId')).toBe(meetingId);
      const listed = Object.values(await redis.hGetAll(keys.meetingPeers(projectId, 'reunion'))).map((v) => JSON.parse(v) as { peerId: string; node: string });
      expect(listed).toEqual([expect.objectContaining({ peerId: leaOnB.hello.peerId, node: b.nodeId })]);
      // Locked: a member stays out; removed: Zoé stays out even once unlocked.
      const bruno = await hello(b, projectId, 'reunion', member);
      const locked = await bruno.c.expectError(bruno.c.request('join', { rtpCapabilities: deviceRtpCapabilities(bruno.hello.routerRtpCapabilities!) }));
      expect(locked.code).toBe(ErrorCode.ROOM_LOCKED);
      await leaOnB.c.request('setRoomPolicy', { locked: false });
      const zoeAgain = await hello(b, projectId, 'reunion', intruder);
      const removed = await zoeAgain.c.expectError(
        zoeAgain.c.request('join', { rtpCapabilities: deviceRtpCapabilities(zoeAgain.hello.routerRtpCapabilities!) }),
      );
      expect(removed.code).toBe(ErrorCode.REMOVED);
      const brunoIn = await join(b, projectId, 'reunion', member);
      expect(brunoIn.joined.peers.map((p) => p.peerId)).toEqual([leaOnB.hello.peerId]);
    } finally {
      await cluster.stop();
    }
  }, CLUSTER_TEST_MS);

  it('keeps a meeting\'s marks through a take-over: the same marks, pin numbers going on, a retry still once', async () => {
    const cluster = await startCluster(2);
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const projectId = `p-${rid()}`;
    try {
      const lea = await join(a, projectId, 'reunion', owner);
      const token = await mintAccessToken({ ...owner, projectId }, TEST_JWT_SECRET);
      const documentId = await uploadDocument(a.url, projectId, token, 'plan.pdf', planPdf(2));
      const before = (await lea.c.request('presentStart', { documentId })).presentation.presentationId;
      const pin = { markId: 'pin-a', page: 1, tool: 'pin' as const, width: 2, points: [300, 400] };
      const marks = [
        (await lea.c.request('markupAdd', { presentationId: before, mark: { markId: 'pen-a', page: 2, tool: 'pen', width: 2, points: [1, 2, 3, 4] } })).mark,
        (await lea.c.request('markupAdd', { presentationId: before, mark: pin })).mark,
      ];

      const leaOnB = await helloAfterKill(a, b, projectId, 'reunion', owner);
      await leaOnB.c.request('join', { rtpCapabilities: deviceRtpCapabilities(leaOnB.hello.routerRtpCapabilities!) });
      // The presentation died with its node; presenting the document again shows the meeting's marks.
      const after = (await leaOnB.c.request('presentStart', { documentId })).presentation.presentationId;
      expect((await leaOnB.c.request('markupList', { presentationId: after })).marks).toEqual(marks);
      // The mark sent again (its answer lost with the node) is the stored one; the next pin is number 2.
      expect((await leaOnB.c.request('markupAdd', { presentationId: after, mark: pin })).mark).toEqual(marks[1]);
      const next = await leaOnB.c.request('markupAdd', { presentationId: after, mark: { ...pin, markId: 'pin-b' } });
      expect(next.mark.pin).toBe(2);
      expect((await leaOnB.c.request('markupList', { presentationId: after })).marks.map((m) => m.markId)).toEqual(['pen-a', 'pin-a', 'pin-b']);
    } finally {
      await cluster.stop();
    }
  }, CLUSTER_TEST_MS);

  it('keeps a meeting\'s minutes through a take-over: every item with its version, who may edit, and edits go on from them', async () => {
    const cluster = await startCluster(2);
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const projectId = `p-${rid()}`;
    try {
      const lea = await join(a, projectId, 'reunion', owner);
      const bruno = await join(a, projectId, 'reunion', member);
      const opened = (await lea.c.request('minutesOpen', {})).minutes;
      await lea.c.request('minutesAllow', { userId: member.userId, allowed: true });
      const { section } = await lea.c.request('minutesSectionSave', { title: 'Lot 02 Gros œuvre' });
      const first = (await lea.c.request('minutesItemSave', { sectionId: section.sectionId, kind: 'observation', text: 'Fissure en pied de mur, côté nord' })).item;
      await bruno.c.request('minutesItemSave', { sectionId: 'general', kind: 'decision', text: 'Réception des menuiseries le 12' });
      await lea.c.request('minutesItemSave', {
        sectionId: section.sectionId,
        kind: 'action',
        text: 'Reprendre l’enduit',
        owner: { company: 'Maçonnerie Dupré' },
        due: '2027-01-15',
        status: 'open',
      });
      await lea.c.request('minutesItemSave', { itemId: first.itemId, baseVersion: first.version, sectionId: section.sectionId, kind: 'observation', text: 'Fissure à reprendre, côté nord' });
      const before = (await lea.c.request('minutesOpen', {})).minutes;
      expect(before.items).toHaveLength(3);
      expect(before.items.find((i) => i.itemId === first.itemId)?.version).toBe(2);

      const leaOnB = await helloAfterKill(a, b, projectId, 'reunion', owner);
      await leaOnB.c.request('join', { rtpCapabilities: deviceRtpCapabilities(leaOnB.hello.routerRtpCapabilities!) });
      const after = (await leaOnB.c.request('minutesOpen', {})).minutes;
      expect(after.info.minutesId).toBe(opened.info.minutesId);
      expect(after.sections).toEqual(before.sections);
      expect(after.items).toEqual(before.items);
      // The chair's allowance and the attendance go over too: Bruno, back through B, still writes.
      expect(after.info).toEqual(before.info);
      expect(after.attendance).toEqual(before.attendance);
      const brunoOnB = await join(b, projectId, 'reunion', member);
      expect((await brunoOnB.c.request('minutesOpen', {})).minutes.canEdit).toBe(true);
      // An edit made on the version read before the take-over is not a conflict; the next version follows.
      const edited = await leaOnB.c.request('minutesItemSave', { itemId: first.itemId, baseVersion: 2, sectionId: section.sectionId, kind: 'observation', text: 'Fissure reprise' });
      expect(edited.overwritten).toBeUndefined();
      expect(edited.item.version).toBe(3);
    } finally {
      await cluster.stop();
    }
  }, CLUSTER_TEST_MS);
});

describe('a node of a cluster (CLUSTER_URLS)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      PUBLIC_URL: 'https://a.chantier.example.org',
      NODE_URL: 'https://a.chantier.example.org',
      CLUSTER_URLS: 'https://a.chantier.example.org, https://b.chantier.example.org:8443',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets pages of the other nodes open its WebSocket, and says so in its CSP', async () => {
    const csp = (await fetch(`${t.url}/`)).headers.get('content-security-policy') ?? '';
    const connectSrc = /connect-src ([^;]*)/.exec(csp)?.[1]?.split(' ') ?? [];
    expect(connectSrc).toEqual(expect.arrayContaining(['wss://a.chantier.example.org', 'wss://b.chantier.example.org:8443']));
    for (const origin of ['https://b.chantier.example.org:8443', 'https://a.chantier.example.org']) {
      expect(await upgradeStatus(t.url, origin), origin).toBe(101);
    }
    for (const origin of ['https://c.chantier.example.org', 'https://b.chantier.example.org', 'http://b.chantier.example.org:8443']) {
      expect(await upgradeStatus(t.url, origin), origin).toBe(403);
    }
  });
});

/** The HTTP status of a WebSocket upgrade sent with this Origin (101: opened, then closed again). */
function upgradeStatus(baseUrl: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, { origin });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
