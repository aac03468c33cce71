import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import type { HandlerDef } from './types.js';

export const chatSend: HandlerDef<'chatSend'> = {
  requires: 'ready',
  async handle({ app, session }, data) {
    const text = data.text.trim();
    if (!text && !data.documentId) throw new AppError(ErrorCode.BAD_REQUEST, 'empty message');
    const projectId = session.projectId!;
    const identity = session.identity!;
    let attachment;
    if (data.documentId) {
      const doc = await app.documents.get(projectId, data.documentId);
      if (!doc) throw new AppError(ErrorCode.NOT_FOUND, 'no such document in this project');
      attachment = app.documents.toRef(doc);
    }
    // Counted only for messages that would be stored.
    if (!session.chatLimiter.take()) throw new AppError(ErrorCode.RATE_LIMITED, 'too many chat messages');
    const meetingId = await session.recordedMeetingId();
    const { message, created } = await app.chat.send(projectId, {
      clientMessageId: data.clientMessageId,
      kind: 'text',
      author: { userId: identity.userId, displayName: session.displayName ?? identity.displayName },
      text,
      attachment,
      meetingId,
    });
    if (created && attachment && session.room && meetingId) {
      await app.meetings.addDocument(projectId, session.room.roomId, attachment);
    }
    return { message };
  },
};

export const chatHistory: HandlerDef<'chatHistory'> = {
  requires: 'ready',
  async handle({ app, session }, data) {
    return app.chat.history(session.projectId!, data.before, data.limit ?? 50);
  },
};

export const chatMarkRead: HandlerDef<'chatMarkRead'> = {
  requires: 'ready',
  async handle({ app, session }, data) {
    return { unread: await app.chat.markRead(session.projectId!, session.identity!.userId, data.messageId) };
  },
};
