/** Calls between project members (projects/Calls.ts does the work). */
import type { HandlerDef } from './types.js';

export const callStart: HandlerDef<'callStart'> = {
  requires: 'ready',
  async handle({ app, session }, data) {
    const identity = session.identity!;
    const call = await app.calls.place(
      session.projectId!,
      { userId: identity.userId, displayName: session.displayName ?? identity.displayName },
      data.userIds,
    );
    return { call };
  },
};

export const callAnswer: HandlerDef<'callAnswer'> = {
  requires: 'ready',
  async handle({ app, session }, data) {
    const identity = session.identity!;
    const call = await app.calls.answer(
      session.projectId!,
      { userId: identity.userId, displayName: session.displayName ?? identity.displayName },
      data.callId,
      data.accept,
      app.hub.connectionKey(session),
    );
    return { call };
  },
};

export const callCancel: HandlerDef<'callCancel'> = {
  requires: 'ready',
  async handle({ app, session }, data) {
    await app.calls.cancel(session.projectId!, session.identity!.userId, data.callId);
    return {};
  },
};
