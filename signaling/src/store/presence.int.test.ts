/**
 * The hello's presence script against the run's redis-server: the snapshot's
 * JSON it makes of the records is the snapshot itself, and a record not as
 * this server writes it sends the reply back to parsing.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../../../test/provided.js';
import type { RedisClient } from '../redis/client.js';
import type { PresenceConnection } from '../protocol/index.js';
import { makeKeys } from './keys.js';
import { PresenceStore } from './presence.js';

let redis: RedisClient;
const keys = makeKeys(`test:${randomBytes(4).toString('hex')}:presence:`);
let store: PresenceStore;

beforeAll(async () => {
  redis = createClient({ socket: { path: inject('redisUrl').slice('unix://'.length), tls: false } });
  await redis.connect();
  store = new PresenceStore(redis, keys, 30_000);
});
afterAll(async () => {
  await redis.close();
});

const info = (c: PresenceConnection): Omit<PresenceConnection, 'id'> => {
  const { id: _, ...rest } = c;
  return rest;
};
const alice: PresenceConnection = { id: 'node-a/c1', userId: 'u1', displayName: 'Alice « \\ " » \u2028', role: 'member', device: 'desktop', roomId: null };
const bob: PresenceConnection = { id: 'node-b/c2', userId: 'u2', displayName: 'Bob', role: 'guest', device: 'phone', roomId: 'meeting-3' };
const carol: PresenceConnection = { id: 'node-a/c3', userId: 'u3', displayName: 'Carol', role: 'owner', device: 'desktop', roomId: null };

describe('PresenceStore.setAndSnapshot', () => {
  it("answers the snapshot's JSON, the records as written, the version with it", async () => {
    await store.set('p1', alice.id, info(alice));
    const { json, version } = await store.setAndSnapshot('p1', bob.id, info(bob));
    const snapshot = await store.snapshot('p1');
    expect(json).toBe(JSON.stringify(snapshot));
    expect(JSON.parse(json)).toEqual({ version, connections: expect.arrayContaining([alice, bob]) as unknown });
    expect(snapshot.connections).toHaveLength(2);
    expect(version).toBe(await store.version('p1'));
  });

  it('leaves to parsing a record not as this server writes it, with the same answer', async () => {
    const { roomId: _, ...withoutRoom } = bob;
    const odd: Array<[string, string]> = [
      ['node-b/c2', JSON.stringify(withoutRoom)], // an older record: no roomId
      ['node-b/c2', JSON.stringify({ ...bob, extra: 1 })], // a field after roomId
      ['node-b/other', JSON.stringify(bob)], // its id is not its field
      ['node-b/c2', JSON.stringify({ userId: 'u2', id: 'node-b/c2', displayName: 'Bob', role: 'guest', device: 'phone', roomId: 'meeting-3' })], // another order
      ['node-b/"c2', JSON.stringify({ ...bob, id: 'node-b/"c2' })], // an id JSON escapes
      ['node-b/c2', JSON.stringify({ ...bob, roomId: 'a"b' })], // a roomId JSON escapes
    ];
    for (const [n, [field, record]] of odd.entries()) {
      const project = `odd${n}`;
      await redis.hSet(keys.presenceInfo(project), field, record);
      const { json, version } = await store.setAndSnapshot(project, carol.id, info(carol));
      const snapshot = await store.snapshot(project);
      expect(json).toBe(JSON.stringify(snapshot));
      expect(snapshot.connections).toHaveLength(2);
      expect(snapshot.connections).toContainEqual(carol);
      expect(version).toBe(snapshot.version);
    }
  });
});
