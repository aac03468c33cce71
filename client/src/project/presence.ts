/**
 * Who is online in the project, as the server sends it (one entry per user,
 * all their tabs and devices folded in), shaped for the project page.
 */
import type { PresenceEntry } from '@chantier/signaling/protocol';

export interface MeetingRoom {
  roomId: string;
  /** Who is in this room's meeting now. */
  people: readonly PresenceEntry[];
}

function byName(a: PresenceEntry, b: PresenceEntry): number {
  return a.displayName.localeCompare(b.displayName) || a.userId.localeCompare(b.userId);
}

/** Those in a meeting first, then by name. */
export function sortOnline(online: readonly PresenceEntry[]): PresenceEntry[] {
  return [...online].sort((a, b) => Number(b.rooms.length > 0) - Number(a.rooms.length > 0) || byName(a, b));
}

/**
 * The project's meeting rooms worth showing: the default one always first
 * (the big button), then any other room someone is in, by id.
 */
export function meetingRooms(online: readonly PresenceEntry[], defaultRoomId: string): MeetingRoom[] {
  const ids = new Set<string>([defaultRoomId]);
  for (const entry of online) for (const roomId of entry.rooms) ids.add(roomId);
  const others = [...ids].filter((id) => id !== defaultRoomId).sort();
  return [defaultRoomId, ...others].map((roomId) => ({
    roomId,
    people: online.filter((e) => e.rooms.includes(roomId)).sort(byName),
  }));
}

/** Phone when any of the user's connections is a phone and none a desktop; both shows both. */
export function devicesOf(entry: PresenceEntry): { phone: boolean; desktop: boolean } {
  return { phone: entry.devices.includes('phone'), desktop: entry.devices.includes('desktop') };
}
