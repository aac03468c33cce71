/**
 * A presence snapshot script's reply ({version, field, value, field, value...})
 * as the JSON of a PresenceSnapshot, made of the connections' JSON as they
 * were recorded instead of parsing each into an object for the hello's answer
 * to serialise it again: a hello in a project of 50 parsed and re-serialised
 * up to 50 records, and the objects were garbage a moment later.
 *
 * A record is what PresenceStore writes, JSON.stringify of a PresenceConnection
 * (id first, roomId last, the same field order as parseSnapshot's). Spliced only
 * when every record looks so (its id is its field, it ends with roomId): any
 * other (a record written by another version of the server) sends the caller
 * back to parsing (undefined).
 */
import type { PresenceConnection, PresenceSnapshot } from '../protocol/index.js';

/** The end of a record: its roomId, null or a string without escapes (ids are plain). */
const RECORD_END = /,"roomId":(?:null|"[^"\\]*")}$/;

export function snapshotJson(reply: readonly string[]): string | undefined {
  let connections = '';
  for (let i = 1; i + 1 < reply.length; i += 2) {
    const id = reply[i]!;
    const record = reply[i + 1]!;
    const start = `{"id":${JSON.stringify(id)},"userId":`;
    if (!record.startsWith(start) || !RECORD_END.test(record)) return undefined;
    connections += i === 1 ? record : `,${record}`;
  }
  return `{"version":${Number(reply[0] ?? 0)},"connections":[${connections}]}`;
}

/** The same reply parsed (what a snapshot is elsewhere, and the fallback of snapshotJson). */
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
