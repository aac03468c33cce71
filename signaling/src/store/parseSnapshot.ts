/**
 * A presence snapshot script's reply ({version, field, value, field, value...})
 * parsed: what a snapshot is for the hub and the HTTP routes, and what a
 * hello's answer falls back to when a record is not as this server writes it
 * (presence.ts, SET_AND_SNAPSHOT_SCRIPT, which otherwise makes the JSON itself).
 */
import type { PresenceConnection, PresenceSnapshot } from '../protocol/index.js';

export function parseSnapshot(reply: readonly string[]): PresenceSnapshot {
  const connections: PresenceConnection[] = [];
  for (let i = 1; i + 1 < reply.length; i += 2) {
    const info = JSON.parse(reply[i + 1]!) as Omit<PresenceConnection, 'id'>;
    connections.push({
      id: reply[i]!,
      userId: info.userId,
      displayName: info.displayName,
      role: info.role,
      device: info.device,
      roomId: info.roomId ?? null,
    });
  }
  return { version: Number(reply[0] ?? 0), connections };
}
