import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { ErrorCode, type PresentationView } from '../protocol/index.js';
import type { HandlerDef } from './types.js';

/** Only what every participant can render locally: PDF and images. */
const PRESENTABLE = /^(application\/pdf|image\/(png|jpeg|gif|webp))$/;

const FIRST_VIEW: PresentationView = { page: 1, zoom: 1, centerX: 0.5, centerY: 0.5, pointer: null };

export const presentStart: HandlerDef<'presentStart'> = {
  requires: 'joined',
  async handle({ app, session }, data) {
    const room = session.room!;
    const projectId = session.projectId!;
    const doc = await app.documents.get(projectId, data.documentId);
    if (!doc) throw new AppError(ErrorCode.NOT_FOUND, 'no such document in this project');
    if (!PRESENTABLE.test(doc.mimeType)) {
      throw new AppError(ErrorCode.UNSUPPORTED_TYPE, 'only PDF files and images can be presented');
    }
    const document = app.documents.toRef(doc);
    const presenter = { userId: session.identity!.userId, displayName: session.displayName ?? session.identity!.displayName };
    const presentation = {
      presentationId: randomBytes(9).toString('base64url'),
      presenterPeerId: session.peerId!,
      presenterName: presenter.displayName,
      document,
      view: data.view ?? FIRST_VIEW,
      startedAt: Date.now(),
    };
    room.startPresentation(presentation);
    // The meeting's record and the project's chat keep what was presented.
    try {
      const meetingId = await session.recordedMeetingId();
      await app.meetings.addPresentation(projectId, room.roomId, document, presenter);
      await app.chat.send(projectId, {
        clientMessageId: `sys-${presentation.presentationId}`,
        kind: 'document-presented',
        author: presenter,
        text: '',
        attachment: document,
        meetingId,
      });
    } catch (error) {
      session.log.warn({ err: error }, 'presentation not recorded');
    }
    return { presentation };
  },
};

export const presentUpdate: HandlerDef<'presentUpdate'> = {
  requires: 'joined',
  async handle({ session }, data) {
    session.room!.updatePresentation(session, data.presentationId, data.view);
    return {};
  },
};

export const presentStop: HandlerDef<'presentStop'> = {
  requires: 'joined',
  async handle({ session }, data) {
    session.room!.stopPresentation(session, data.presentationId);
    return {};
  },
};
