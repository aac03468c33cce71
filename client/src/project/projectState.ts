/**
 * The project page's own state as signals (the chat and the documents have
 * theirs). Components read them; only ProjectController writes them.
 */
import { computed, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type { MeetingRecord, PresenceEntry, Role } from '@chantier/signaling/protocol';
import type { AppErrorCode } from '../errors';
import { DEFAULT_ROOM_ID, linkWithToken, meetingPath } from '../route';
import { meetingRooms, sortOnline } from './presence';

/**
 * connecting  first connection (the page shows, its parts wait)
 * online      hello answered: chat, presence and documents work
 * offline     the socket dropped; a reconnection is scheduled
 * error       refused for good (bad or expired link, wrong project)
 */
export type ProjectPhase = 'connecting' | 'online' | 'offline' | 'error';

/** The phone layout's tabs; on a wide screen all three show side by side. */
export type ProjectTab = 'chat' | 'documents' | 'online';

export interface ProjectSelf {
  userId: string;
  displayName: string;
  role: Role;
}

export interface RoomLink {
  roomId: string;
  href: string;
  people: readonly PresenceEntry[];
}

export interface ProjectState {
  projectId: string;
  phase: Signal<ProjectPhase>;
  error: Signal<AppErrorCode | null>;
  /** From GET /api/projects/:id; null until known (the id shows meanwhile). */
  name: Signal<string | null>;
  self: Signal<ProjectSelf | null>;
  online: Signal<readonly PresenceEntry[]>;
  /** Finished meetings, newest first; null until loaded. */
  meetings: Signal<readonly MeetingRecord[] | null>;
  tab: Signal<ProjectTab>;
  /** Wide screen: columns instead of tabs. */
  wide: ReadonlySignal<boolean>;
  /** Online people, those in a meeting first. */
  people: ReadonlySignal<readonly PresenceEntry[]>;
  /** The default room first, then any other room someone is in. */
  rooms: ReadonlySignal<readonly RoomLink[]>;
}

export interface ProjectStateOptions {
  projectId: string;
  token: string;
  /** The token is in sessionStorage: links need not carry it. */
  tokenStored: boolean;
  wide: ReadonlySignal<boolean>;
}

export function createProjectState({ projectId, token, tokenStored, wide }: ProjectStateOptions): ProjectState {
  const online = signal<readonly PresenceEntry[]>([]);
  return {
    projectId,
    phase: signal<ProjectPhase>('connecting'),
    error: signal<AppErrorCode | null>(null),
    name: signal<string | null>(null),
    self: signal<ProjectSelf | null>(null),
    online,
    meetings: signal<readonly MeetingRecord[] | null>(null),
    tab: signal<ProjectTab>('chat'),
    wide,
    people: computed(() => sortOnline(online.value)),
    rooms: computed(() =>
      meetingRooms(online.value, DEFAULT_ROOM_ID).map((room) => ({
        ...room,
        href: linkWithToken(meetingPath(projectId, room.roomId), token, tokenStored),
      })),
    ),
  };
}
