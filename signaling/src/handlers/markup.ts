/**
 * Markup requests (protocol/markup.ts): the server decides rights, limits and
 * order; marks are kept in Redis (store/markup.ts) per meeting and document,
 * so they outlive the presentation and a take-over of the meeting.
 * Notifications go to everyone else joined in the meeting (the author's
 * other tabs included). Every check comes before any change: a refused
 * operation changes nothing.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { saveMarkedUp } from '../markup/save.js';
import {
  canClearMarkup,
  canDraw,
  canModerate,
  canSaveMarkup,
  canSetMarkupPolicy,
  checkMark,
  ErrorCode,
  roundPoints,
  type MarkupTool,
  type Presentation,
  type Role,
} from '../protocol/index.js';
import type { Room } from '../rooms/Room.js';
import type { MarkupScope } from '../store/markup.js';
import type { Session } from '../ws/Session.js';
import type { HandlerContext, HandlerDef } from './types.js';

interface Target {
  app: FastifyInstance;
  session: Session;
  room: Room;
  presentation: Presentation;
  scope: MarkupScope;
  isPresenter: boolean;
  who: { userId: string; role: Role; displayName: string };
}

/**
 * The presentation a request is about, with who asks. Counted operations
 * (all but markupList) take from the person's budget first (RATE_LIMITED).
 */
async function target({ app, session }: HandlerContext, presentationId: string, counted = true): Promise<Target> {
  const room = session.room!;
  const identity = session.identity!;
  if (counted && !app.markup.takeOperation(room, identity.userId)) {
    throw new AppError(ErrorCode.RATE_LIMITED, 'too many markup operations');
  }
  const presentation = room.presentation;
  if (!presentation || presentation.presentationId !== presentationId) {
    throw new AppError(ErrorCode.NOT_FOUND, 'no such presentation in progress');
  }
  // Set at join; looked up if Redis failed then (the meeting's id is what keeps marks apart).
  const meetingId = (await session.recordedMeetingId()) ?? (await app.meetings.current(room.projectId, room.roomId))?.meetingId;
  if (!meetingId) throw new AppError(ErrorCode.NOT_FOUND, 'this meeting has no record to keep marks in');
  return {
    app,
    session,
    room,
    presentation,
    scope: { projectId: room.projectId, roomId: room.roomId, meetingId, documentId: presentation.document.documentId },
    isPresenter: presentation.presenterPeerId === session.peerId,
    who: { userId: identity.userId, role: identity.role, displayName: session.displayName ?? identity.displayName },
  };
}

function mustDraw(t: Target): void {
  if (!canDraw(t.who, t.isPresenter, t.app.markup.policyOf(t.presentation))) {
    throw new AppError(ErrorCode.FORBIDDEN, 'markup is open to the presenter and moderators only');
  }
}

function mustBeWellFormed(mark: { tool: MarkupTool; points: readonly number[]; text?: string }, partial = false): void {
  const problem = checkMark(mark, partial);
  if (problem) throw new AppError(problem.code, problem.message);
}

export const markupList: HandlerDef<'markupList'> = {
  requires: 'joined',
  async handle(ctx, data) {
    const t = await target(ctx, data.presentationId, false);
    return { policy: t.app.markup.policyOf(t.presentation), marks: await t.app.markup.store.list(t.scope) };
  },
};

export const markupStroke: HandlerDef<'markupStroke'> = {
  requires: 'joined',
  async handle(ctx, data) {
    const t = await target(ctx, data.presentationId);
    mustDraw(t);
    mustBeWellFormed(data, true);
    const color = await t.app.markup.colorOf(t.room, t.scope.meetingId, t.who.userId);
    t.room.broadcast(
      'markupStroke',
      {
        presentationId: data.presentationId,
        peerId: t.session.peerId!,
        markId: data.markId,
        page: data.page,
        tool: data.tool,
        color,
        width: data.width,
        points: roundPoints(data.points),
      },
      t.session.peerId,
    );
    return {};
  },
};

export const markupAdd: HandlerDef<'markupAdd'> = {
  requires: 'joined',
  async handle(ctx, data) {
    const t = await target(ctx, data.presentationId);
    mustDraw(t);
    const input = data.mark;
    mustBeWellFormed(input);
    const result = await t.app.markup.store.add(t.scope, {
      markId: input.markId,
      documentId: t.scope.documentId,
      page: input.page,
      tool: input.tool,
      width: input.width,
      points: roundPoints(input.points),
      ...(input.text !== undefined ? { text: input.text } : {}),
      authorId: t.who.userId,
      authorName: t.who.displayName,
      createdAt: Date.now(),
    });
    if (result.status === 'full') {
      throw new AppError(ErrorCode.MARKUP_PAGE_FULL, 'this page holds as many marks as it may');
    }
    if (result.status === 'exists') {
      // A retry (after a cut, a resume): the stored mark, announced when it was stored.
      if (result.mark.authorId !== t.who.userId) throw new AppError(ErrorCode.BAD_REQUEST, 'this mark id is taken by another author');
      return { mark: result.mark };
    }
    t.room.broadcast('markupAdded', { presentationId: data.presentationId, mark: result.mark }, t.session.peerId);
    return { mark: result.mark };
  },
};

export const markupErase: HandlerDef<'markupErase'> = {
  requires: 'joined',
  async handle(ctx, data) {
    const t = await target(ctx, data.presentationId);
    const result = await t.app.markup.store.erase(t.scope, t.who.userId, canModerate(t.who), data.markIds);
    if (result.status === 'forbidden') {
      throw new AppError(ErrorCode.FORBIDDEN, 'only moderators erase marks of others');
    }
    if (result.erased.length > 0) {
      t.room.broadcast('markupErased', { presentationId: data.presentationId, markIds: result.erased }, t.session.peerId);
    }
    return { erased: result.erased };
  },
};

export const markupClear: HandlerDef<'markupClear'> = {
  requires: 'joined',
  async handle(ctx, data) {
    const t = await target(ctx, data.presentationId);
    if (!canClearMarkup(t.who)) throw new AppError(ErrorCode.FORBIDDEN, 'only moderators clear a page');
    const erased = await t.app.markup.store.clearPage(t.scope, data.page);
    if (erased.length > 0) {
      t.room.broadcast('markupCleared', { presentationId: data.presentationId, page: data.page, markIds: erased }, t.session.peerId);
    }
    return { erased };
  },
};

export const markupPolicy: HandlerDef<'markupPolicy'> = {
  requires: 'joined',
  async handle(ctx, data) {
    const t = await target(ctx, data.presentationId);
    const change = {
      ...(data.drawers !== undefined ? { drawers: data.drawers } : {}),
      ...(data.guests !== undefined ? { guests: data.guests } : {}),
    };
    if (!canSetMarkupPolicy(t.who, t.isPresenter, change)) {
      throw new AppError(ErrorCode.FORBIDDEN, 'the presenter or a moderator opens markup; a moderator lets guests draw');
    }
    const policy = t.app.markup.setPolicy(t.presentation, change);
    t.room.broadcast('markupPolicy', { presentationId: data.presentationId, policy }, t.session.peerId);
    return { policy };
  },
};

export const markupSave: HandlerDef<'markupSave'> = {
  requires: 'joined',
  async handle(ctx, data) {
    const t = await target(ctx, data.presentationId);
    if (!canSaveMarkup(t.who, t.isPresenter)) {
      throw new AppError(ErrorCode.FORBIDDEN, 'the presenter or a moderator saves the marked-up document');
    }
    const saved = await t.app.markup.oneSaveAtATime(t.room, async () =>
      saveMarkedUp(t.app, {
        projectId: t.scope.projectId,
        roomId: t.scope.roomId,
        meetingId: t.scope.meetingId,
        source: t.presentation.document,
        marks: await t.app.markup.store.list(t.scope),
        by: { userId: t.who.userId, displayName: t.who.displayName },
        saveId: randomBytes(9).toString('base64url'),
      }),
    );
    const document = t.app.documents.toRef(saved);
    t.room.broadcast('markupSaved', { presentationId: data.presentationId, document }, t.session.peerId);
    return { document };
  },
};
