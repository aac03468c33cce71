/** Recording the meeting (protocol/recording.ts): the RecordingService decides and tells everyone. */
import type { HandlerDef } from './types.js';

export const recordingStart: HandlerDef<'recordingStart'> = {
  requires: 'joined',
  async handle({ app, session }) {
    return { recording: await app.recordings.start(session) };
  },
};

export const recordingStop: HandlerDef<'recordingStop'> = {
  requires: 'joined',
  async handle({ app, session }) {
    await app.recordings.stop(session);
    return {};
  },
};

/** From the join screen too: consent is knowing before entering. */
export const recordingStatus: HandlerDef<'recordingStatus'> = {
  requires: 'ready',
  async handle({ app, session }) {
    return { recording: await app.recordings.status(session) };
  },
};
