/**
 * Presence as changes across two nodes on the run's Redis (issue 20): every
 * client's view (the hello's snapshot, then the changes, a snapshot asked for
 * after a gap) shows who is online after joins, leaves, a meeting, a second
 * device and a node killed with SIGKILL, and all views agree with the HTTP
 * presence of the project. One cluster for the file.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type ClusterNode } from '../../test/cluster.js';
import { TEST_JWT_SECRET } from '../../test/config.js';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { closeCheckedClients } from '../../test/session.js';
import { TestClient } from '../../test/TestClient.js';
import '../../test/provided.js';
import { mintAccessToken } from './auth/tokens.js';
import { PROTOCOL_VERSION, type Device, type PresenceEntry } from './protocol/index.js';

/** Short, so that the killed node's connections are swept soon (heartbeats every third of it). */
const TTL_MS = 3_000;
const project = `presence-${randomBytes(4).toString('hex')}`;
const clients: TestClient[] = [];
let cluster: Awaited<ReturnType<typeof startCluster>>;

beforeAll(async () => {
  cluster = await startCluster(2, { PRESENCE_TTL_MS: String(TTL_MS) });
}, 120_000);
afterAll(async () => {
  closeCheckedClients(clients);
  await cluster?.stop();
});

async function online(node: ClusterNode, userId: string, options: { device?: Device; roomId?: string } = {}): Promise<TestClient> {
  const c = await TestClient.connect(node.url);
  clients.push(c);
  const token = await mintAccessToken({ userId, displayName: userId, role: 'member', projectId: project }, TEST_JWT_SECRET);
  const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: project, ...options });
  if (options.roomId) await c.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!) });
  return c;
}

const names = (people: PresenceEntry[]): string => people.map((p) => `${p.userId}:${p.devices.sort().join('+')}:${p.rooms.join('+')}`).join(' ');

/** Every live client shows `expected` (userId:devices:rooms, by name), and the HTTP presence says the same. */
async function allSee(live: TestClient[], expected: string, node: ClusterNode): Promise<void> {
  for (const c of live) await c.waitForPeople((people) => names(people) === expected, 3 * TTL_MS + 10_000);
  const token = await mintAccessToken({ userId: 'audit', displayName: 'audit', role: 'member', projectId: project }, TEST_JWT_SECRET);
  const response = await fetch(`${node.url}/api/projects/${project}/presence`, { headers: { authorization: `Bearer ${token}` } });
  expect(names(((await response.json()) as { online: PresenceEntry[] }).online)).toBe(expected);
}

describe('presence across two nodes', () => {
  it('converges after joins, leaves, a meeting, a second device and a node killed', async () => {
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const chef = await online(a, 'chef');
    const lea = await online(b, 'lea');
    const bruno = await online(a, 'bruno');
    await allSee([chef, lea, bruno], 'bruno:desktop: chef:desktop: lea:desktop:', a);

    // A second device of Léa's on the other node, and Bruno in a meeting (on node A).
    const leaPhone = await online(a, 'lea', { device: 'phone' });
    const brunoMeeting = await online(a, 'bruno', { roomId: 'reunion' });
    await allSee([chef, lea, bruno, leaPhone, brunoMeeting], 'bruno:desktop:reunion chef:desktop: lea:desktop+phone:', b);

    // Only the changes travel: each notification after the hello carries a few, never the whole list.
    for (const n of chef.notificationsOf('presence')) {
      expect(n.snapshot).toBeUndefined();
      for (const change of n.changes ?? []) expect((change.set?.length ?? 0) + (change.gone?.length ?? 0)).toBe(1);
    }

    // Bruno's project page closes; node B dies with Léa's desktop: swept within the TTL.
    bruno.close();
    await b.kill('SIGKILL');
    const live = [chef, leaPhone, brunoMeeting];
    await allSee(live, 'bruno:desktop:reunion chef:desktop: lea:phone:', a);
    // Léa comes back through node A (as her app would): a fresh snapshot there, and the others see her desktop again.
    live.push(await online(a, 'lea'));
    await allSee(live, 'bruno:desktop:reunion chef:desktop: lea:desktop+phone:', a);
    expect(new Set(live.map((c) => c.presence.version)).size, 'every view at the same version').toBe(1);
  }, 120_000);
});
