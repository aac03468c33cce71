import { describe, expect, it } from 'vitest';
import type { PresenceConnection } from '../protocol/index.js';
import { parseSnapshot } from './parseSnapshot.js';

const bob: PresenceConnection = { id: 'node-b/c2', userId: 'u2', displayName: 'Bob', role: 'guest', device: 'phone', roomId: 'meeting-3' };

describe('parseSnapshot', () => {
  it('reads the version and each record, its id from its field, an older record without roomId as null', () => {
    const { roomId: _, ...withoutRoom } = bob;
    expect(parseSnapshot(['3', 'node-b/c2', JSON.stringify(withoutRoom)])).toEqual({ version: 3, connections: [{ ...bob, roomId: null }] });
    expect(parseSnapshot(['17', bob.id, JSON.stringify(bob)])).toEqual({ version: 17, connections: [bob] });
  });

  it('makes an empty snapshot of a project without records', () => {
    expect(parseSnapshot(['0'])).toEqual({ version: 0, connections: [] });
    expect(parseSnapshot([])).toEqual({ version: 0, connections: [] });
  });
});
