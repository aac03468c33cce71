/**
 * Meetings as records: when the first participant joins a room a meeting
 * starts; everyone who comes is an attendee; documents shared meanwhile are
 * listed; when the last one leaves the meeting ends and its record is kept
 * (keys.ts: meetingCurrent, meetingRecords).
 */
import { randomBytes } from 'node:crypto';
import type { DocumentRef, MeetingRecord } from '../protocol/index.js';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from './keys.js';

export interface Person {
  userId: string;
  displayName: string;
}


/** The record's shape is part of the protocol (the HTTP API returns it). */
export type { MeetingRecord };

export class MeetingStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async current(projectId: string, roomId: string): Promise<MeetingRecord | undefined> {
    const h = await this.redis.hGetAll(this.keys.meetingCurrent(projectId, roomId));
    if (!h.meetingId) return undefined;
    return {
      meetingId: h.meetingId,
      roomId,
      startedAt: Number(h.startedAt),
      endedAt: null,
      startedBy: JSON.parse(h.startedBy ?? '{}') as Person,
      attendees: JSON.parse(h.attendees ?? '[]') as Person[],
      documents: JSON.parse(h.documents ?? '[]') as DocumentRef[],
      presentations: JSON.parse(h.presentations ?? '[]') as MeetingRecord['presentations'],
      ...(h.saved ? { saved: JSON.parse(h.saved) as NonNullable<MeetingRecord['saved']> } : {}),
    };
  }

  /** Starts a meeting; a stale one left by a dead node is closed first and returned. */
  async start(projectId: string, roomId: string, by: Person): Promise<{ meeting: MeetingRecord; stale?: MeetingRecord }> {
    const stale = await this.current(projectId, roomId);
    let closed: MeetingRecord | undefined;
    if (stale) closed = await this.end(projectId, roomId, true);
    const meeting: MeetingRecord = {
      meetingId: randomBytes(9).toString('base64url'),
      roomId,
      startedAt: Date.now(),
      endedAt: null,
      startedBy: by,
      attendees: [by],
      documents: [],
      presentations: [],
    };
    await this.redis.hSet(this.keys.meetingCurrent(projectId, roomId), {
      meetingId: meeting.meetingId,
      startedAt: String(meeting.startedAt),
      startedBy: JSON.stringify(by),
      attendees: JSON.stringify(meeting.attendees),
      documents: '[]',
      presentations: '[]',
    });
    return closed ? { meeting, stale: closed } : { meeting };
  }

  async addAttendee(projectId: string, roomId: string, person: Person): Promise<void> {
    const m = await this.current(projectId, roomId);
    if (!m || m.attendees.some((a) => a.userId === person.userId)) return;
    m.attendees.push(person);
    await this.redis.hSet(this.keys.meetingCurrent(projectId, roomId), 'attendees', JSON.stringify(m.attendees));
  }

  async addDocument(projectId: string, roomId: string, doc: DocumentRef): Promise<void> {
    const m = await this.current(projectId, roomId);
    if (!m || m.documents.some((d) => d.documentId === doc.documentId)) return;
    m.documents.push(doc);
    await this.redis.hSet(this.keys.meetingCurrent(projectId, roomId), 'documents', JSON.stringify(m.documents));
  }

  async addPresentation(projectId: string, roomId: string, document: DocumentRef, by: Person): Promise<void> {
    const m = await this.current(projectId, roomId);
    if (!m) return;
    m.presentations.push({ document, by, at: Date.now() });
    await this.redis.hSet(this.keys.meetingCurrent(projectId, roomId), 'presentations', JSON.stringify(m.presentations));
  }

  /** A marked-up version saved during the meeting (markupSave). */
  async addSaved(projectId: string, roomId: string, document: DocumentRef, from: DocumentRef, by: Person): Promise<void> {
    const m = await this.current(projectId, roomId);
    if (!m) return;
    const saved = [...(m.saved ?? []), { document, from, by, at: Date.now() }];
    await this.redis.hSet(this.keys.meetingCurrent(projectId, roomId), 'saved', JSON.stringify(saved));
  }

  /** Ends the meeting in progress and keeps its record. */
  async end(projectId: string, roomId: string, interrupted = false): Promise<MeetingRecord | undefined> {
    const m = await this.current(projectId, roomId);
    if (!m) return undefined;
    const record: MeetingRecord = { ...m, endedAt: Date.now(), ...(interrupted ? { interrupted } : {}) };
    await this.redis
      .multi()
      .hSet(this.keys.meetingRecords(projectId), m.meetingId, JSON.stringify(record))
      .del(this.keys.meetingCurrent(projectId, roomId))
      .exec();
    return record;
  }

  /** Finished meetings, newest first. */
  async records(projectId: string): Promise<MeetingRecord[]> {
    const all = await this.redis.hVals(this.keys.meetingRecords(projectId));
    return all.map((v) => JSON.parse(v) as MeetingRecord).sort((a, b) => b.startedAt - a.startedAt);
  }
}
