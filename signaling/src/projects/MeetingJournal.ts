/**
 * Writes a meeting's life into the project: "meeting started by X" when the
 * first participant joins, attendees as they come, "meeting ended" with the
 * attendance and duration when the last one leaves, as chat messages and as
 * the meeting record.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { ChatStore } from '../store/chat.js';
import type { MeetingRecord, MeetingStore, Person } from '../store/meetings.js';

export class MeetingJournal {
  constructor(
    private readonly meetings: MeetingStore,
    private readonly chat: ChatStore,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Returns the meeting id the participant is now in. */
  async joined(projectId: string, roomId: string, person: Person, first: boolean): Promise<string> {
    if (!first) {
      await this.meetings.addAttendee(projectId, roomId, person);
      const current = await this.meetings.current(projectId, roomId);
      if (current) return current.meetingId;
    }
    const { meeting, stale } = await this.meetings.start(projectId, roomId, person);
    if (stale) await this.#announceEnd(projectId, stale);
    await this.chat.send(projectId, {
      clientMessageId: systemId(),
      kind: 'meeting-started',
      author: person,
      text: '',
      meetingId: meeting.meetingId,
      meeting: { roomId, attendees: [person] },
    });
    return meeting.meetingId;
  }

  /** The last participant left. */
  async ended(projectId: string, roomId: string): Promise<void> {
    const record = await this.meetings.end(projectId, roomId);
    if (record) await this.#announceEnd(projectId, record);
  }

  async #announceEnd(projectId: string, record: MeetingRecord): Promise<void> {
    await this.chat.send(projectId, {
      clientMessageId: systemId(),
      kind: 'meeting-ended',
      author: record.startedBy,
      text: '',
      meetingId: record.meetingId,
      meeting: {
        roomId: record.roomId,
        attendees: record.attendees,
        durationMs: Math.max(0, (record.endedAt ?? Date.now()) - record.startedAt),
      },
    });
    this.log.info({ projectId, roomId: record.roomId, meetingId: record.meetingId }, 'meeting ended');
  }
}

function systemId(): string {
  return `sys-${randomBytes(9).toString('base64url')}`;
}
