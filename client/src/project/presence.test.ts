import type { PresenceEntry } from '@chantier/signaling/protocol';
import { describe, expect, it } from 'vitest';
import { devicesOf, meetingRooms, sortOnline } from './presence';
import { reconnectDelay } from './reconnect';

function entry(userId: string, displayName: string, rooms: string[] = [], devices: PresenceEntry['devices'] = ['desktop']): PresenceEntry {
  return { userId, displayName, role: 'member', devices, rooms };
}

describe('presence on the project page', () => {
  const online = [entry('u1', 'Zoé'), entry('u2', 'Bruno', ['reunion']), entry('u3', 'Alice', ['reunion', 'visite']), entry('u4', 'Chloé', ['beton'])];

  it('lists people in a meeting first, then by name', () => {
    expect(sortOnline(online).map((e) => e.displayName)).toEqual(['Alice', 'Bruno', 'Chloé', 'Zoé']);
  });

  it('always offers the default room first, then every other room someone is in', () => {
    expect(meetingRooms(online, 'reunion').map((r) => [r.roomId, r.people.map((p) => p.displayName)])).toEqual([
      ['reunion', ['Alice', 'Bruno']],
      ['beton', ['Chloé']],
      ['visite', ['Alice']],
    ]);
    expect(meetingRooms([], 'reunion')).toEqual([{ roomId: 'reunion', people: [] }]);
  });

  it('shows both devices of someone on a phone and a desktop', () => {
    expect(devicesOf(entry('u', 'U', [], ['phone', 'desktop']))).toEqual({ phone: true, desktop: true });
    expect(devicesOf(entry('u', 'U', [], ['phone']))).toEqual({ phone: true, desktop: false });
  });
});

describe('reconnectDelay', () => {
  it('backs off up to 30 s, with some spread', () => {
    expect(reconnectDelay(0, () => 0.5)).toBe(1000);
    expect(reconnectDelay(3, () => 0.5)).toBe(10_000);
    expect(reconnectDelay(50, () => 0.5)).toBe(30_000);
    expect(reconnectDelay(0, () => 0)).toBe(800);
    expect(reconnectDelay(0, () => 1)).toBe(1200);
  });
});
