/**
 * The minutes' requests (protocol/minutes.ts): each asks the MinutesBook
 * (minutes/MinutesBook.ts) and broadcasts what changed to the meeting, the
 * author's own sockets included, as `minutesChanged`.
 */
import type { MinutesActor } from '../minutes/MinutesBook.js';
import type { MinutesChange } from '../protocol/index.js';
import type { Session } from '../ws/Session.js';
import type { HandlerDef } from './types.js';
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';

export async function minutesActor(session: Session): Promise<MinutesActor> {
  const identity = session.identity!;
  const meetingId = await session.recordedMeetingId();
  // A joined session whose meeting Redis could not record has no meeting to write minutes for.
  if (!meetingId) throw new AppError(ErrorCode.NOT_FOUND, 'this meeting has no record to write minutes for');
  return {
    projectId: session.projectId!,
    roomId: session.room!.roomId,
    meetingId,
    userId: identity.userId,
    displayName: session.displayName ?? identity.displayName,
    role: identity.role,
  };
}

export function announce(session: Session, result: { minutesId: string; change: MinutesChange }): void {
  const identity = session.identity!;
  session.room!.broadcast('minutesChanged', {
    minutesId: result.minutesId,
    change: result.change,
    by: { userId: identity.userId, displayName: session.displayName ?? identity.displayName },
  });
}

export const minutesOpen: HandlerDef<'minutesOpen'> = {
  requires: 'joined',
  async handle({ app, session }, data) {
    return { minutes: await app.minutes.open(await minutesActor(session), data.plan) };
  },
};

export const minutesItemSave: HandlerDef<'minutesItemSave'> = {
  requires: 'joined',
  async handle({ app, session }, data) {
    const result = await app.minutes.saveItem(await minutesActor(session), data);
    announce(session, result);
    return { item: result.change.item, ...(result.change.overwritten ? { overwritten: true } : {}) };
  },
};

export const minutesItemDelete: HandlerDef<'minutesItemDelete'> = {
  requires: 'joined',
  async handle({ app, session }, data) {
    announce(session, await app.minutes.deleteItem(await minutesActor(session), data.itemId));
    return {};
  },
};

export const minutesSectionSave: HandlerDef<'minutesSectionSave'> = {
  requires: 'joined',
  async handle({ app, session }, data) {
    const result = await app.minutes.saveSection(await minutesActor(session), data);
    announce(session, result);
    return { section: result.change.section };
  },
};

export const minutesAttendance: HandlerDef<'minutesAttendance'> = {
  requires: 'joined',
  async handle({ app, session }, data) {
    const result = await app.minutes.setAttendance(await minutesActor(session), data.personId, data.status);
    announce(session, result);
    return { entry: result.change.entry };
  },
};

export const minutesAllow: HandlerDef<'minutesAllow'> = {
  requires: 'joined',
  async handle({ app, session }, data) {
    const result = await app.minutes.allow(await minutesActor(session), data.userId, data.allowed);
    announce(session, result);
    return { editors: result.change.editors };
  },
};

export const minutesPublish: HandlerDef<'minutesPublish'> = {
  requires: 'joined',
  async handle({ app, session }) {
    const result = await app.minutes.publish(await minutesActor(session));
    announce(session, result);
    return { number: result.change.number, publication: result.change.publication };
  },
};
