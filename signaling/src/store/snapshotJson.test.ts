import { describe, expect, it } from 'vitest';
import type { PresenceConnection } from '../protocol/index.js';
import { parseSnapshot, snapshotJson } from './snapshotJson.js';

/** A reply of the snapshot script for these connections, each recorded as PresenceStore writes it. */
function reply(version: string, connections: PresenceConnection[]): string[] {
  return [version, ...connections.flatMap((c) => [c.id, JSON.stringify(c)])];
}

const alice: PresenceConnection = { id: 'node-a/c1', userId: 'u1', displayName: 'Alice « \\ " »', role: 'member', device: 'desktop', roomId: null };
const bob: PresenceConnection = { id: 'node-b/c2', userId: 'u2', displayName: 'Bob', role: 'guest', device: 'phone', roomId: 'meeting-3' };

describe('snapshotJson', () => {
  it('is the JSON of the parsed snapshot, records spliced as they are', () => {
    const r = reply('17', [alice, bob]);
    const json = snapshotJson(r);
    expect(json).toBe(JSON.stringify(parseSnapshot(r)));
    expect(JSON.parse(json!)).toEqual({ version: 17, connections: [alice, bob] });
  });

  it('makes an empty snapshot of a project without records', () => {
    expect(snapshotJson(['0'])).toBe('{"version":0,"connections":[]}');
    expect(snapshotJson([])).toBe('{"version":0,"connections":[]}');
  });

  it('leaves to parsing a record not as this server writes it', () => {
    const { roomId: _, ...withoutRoom } = bob;
    const odd = [
      ['3', 'node-b/c2', JSON.stringify(withoutRoom)], // an older record: no roomId
      ['3', 'node-b/c2', JSON.stringify({ ...bob, extra: 1 })], // a field after roomId
      ['3', 'node-b/other', JSON.stringify(bob)], // its id is not its field
      ['3', 'node-b/c2', JSON.stringify({ userId: 'u2', id: 'node-b/c2', displayName: 'Bob', role: 'guest', device: 'phone', roomId: 'meeting-3' })], // another order
    ];
    for (const r of odd) expect(snapshotJson(r)).toBeUndefined();
    expect(parseSnapshot(odd[0]!).connections).toEqual([{ ...bob, roomId: null }]);
  });
});
