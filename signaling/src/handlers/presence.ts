import type { HandlerDef } from './types.js';

/** A snapshot of the project's presence, for a client that found a gap in the changes' versions. */
export const presence: HandlerDef<'presence'> = {
  requires: 'ready',
  async handle({ app, session }) {
    return app.presence.snapshot(session.projectId!);
  },
};
