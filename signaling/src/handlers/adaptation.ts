/**
 * What a receiver wants of the video sent to it: none at all (audio-only), or
 * only what it shows, at the size it shows it (viewport).
 */
import type { HandlerDef } from './types.js';

export const setAudioOnly: HandlerDef<'setAudioOnly'> = {
  requires: 'joined',
  async handle({ session }, { audioOnly }) {
    const media = session.media!;
    if (media.audioOnly === audioOnly) return {};
    // On: the peer's video consumers close here, each announced by consumerClosed.
    media.setAudioOnly(audioOnly);
    session.room!.broadcast('peerAudioOnly', { peerId: session.peerId!, audioOnly }, session.peerId);
    session.log.info({ audioOnly }, 'audio-only switched');
    return {};
  },
};

export const setViewport: HandlerDef<'setViewport'> = {
  requires: 'joined',
  async handle({ session }, { tiles }) {
    await session.media!.setViewport(tiles);
    return {};
  },
};
