/**
 * Every Redis key Chantier writes, in one place, each with its structure.
 * All keys start with the configured prefix (REDIS_KEY_PREFIX, default
 * "chantier:"), so that tests and several deployments can share a server.
 */
export interface Keys {
  /**
   * Hash: who is in a meeting right now. Field = peer id; value = JSON
   * {userId, displayName, role, device, joinedAt (ms), node}. A field is
   * written when the peer joins and deleted when it leaves; the key expires a
   * day after the last join so that a crashed node leaves nothing forever.
   */
  meetingPeers(projectId: string, roomId: string): string;
}

export function makeKeys(prefix: string): Keys {
  return {
    meetingPeers: (projectId, roomId) => `${prefix}meeting:{${projectId}}:${roomId}:peers`,
  };
}
