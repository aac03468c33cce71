import { consumeProbe, produceProbe } from '@chantier/sfu';
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import type { Session } from '../ws/Session.js';
import type { HandlerDef } from './types.js';

/**
 * Where the downlink estimate of an audio-only peer starts (bps): it receives
 * voices only, so a low start costs nothing and never floods a weak link.
 *
 * Phones start at RTC_INITIAL_BITRATE like everyone else. Starting them at
 * 300 kb/s too was tried: a shared 1920x1080 plan's first key frame then took
 * more than 5 s to reach a phone viewer (the screen-share test failed in a
 * fresh-clone run), and a weak link is already protected by mediasoup's own
 * estimate and the downlink guard (the weak-network test: 0.5 % concealed
 * audio at 300 kbit/s with a desktop-start estimate).
 */
export const LOW_START_BITRATE = 300_000;

/** Directions asked before join, per session: one transport each (asked twice at once counts too). */
const askedBeforeJoin = new WeakMap<Session, Set<'send' | 'recv'>>();

/**
 * After join, or before it on a meeting socket (the client makes both
 * transports while the person is still on the join screen, docs/PROTOCOL.md
 * "Joining fast"): then one per direction, and not for a guest who must wait
 * to be let in. Nothing can be sent or received before join (produce and
 * consume need it), but the lobby's transports may connect: the probe
 * (openProbe, receiveProbe) makes the browser connect them there.
 */
export const createTransport: HandlerDef<'createTransport'> = {
  requires: 'ready',
  async handle({ app, session }, { direction, audioOnly }) {
    let media = session.media;
    let low = direction === 'recv' && media?.audioOnly === true;
    if (session.state !== 'joined') {
      if (!session.room) throw new AppError(ErrorCode.BAD_REQUEST, 'this socket has no meeting: hello with a roomId');
      const asked = askedBeforeJoin.get(session) ?? new Set();
      if (asked.has(direction)) throw new AppError(ErrorCode.BAD_REQUEST, `a ${direction} transport was already made before join`);
      media = session.room.entry.prepareMedia(session);
      asked.add(direction);
      askedBeforeJoin.set(session, asked);
      low = direction === 'recv' && audioOnly === true;
    }
    const params = await media!.createTransport(direction, low ? { initialAvailableOutgoingBitrate: LOW_START_BITRATE } : {});
    // The join's later phases (metrics): from its answer to this transport's DTLS connection.
    media!.transports.get(params.transportId)?.on('dtlsstatechange', (state) => {
      if (state === 'connected' && session.joinAnsweredAt !== undefined) {
        app.metrics.observeJoinPhase(`${direction}_connected`, (performance.now() - session.joinAnsweredAt) / 1000);
      }
    });
    return params;
  },
};

/** The caller's media: joined, or transports made in the lobby. */
function ownMedia(session: Session) {
  if (!session.media) throw new AppError(ErrorCode.NOT_JOINED, 'no transports: join, or make them in the lobby first');
  return session.media;
}

/** Also before join, for the lobby's transports (the probe connects them). */
export const connectTransport: HandlerDef<'connectTransport'> = {
  requires: 'ready',
  async handle({ session }, { transportId, dtlsParameters }) {
    await ownMedia(session).connectTransport(transportId, dtlsParameters);
    return {};
  },
};

export const openProbe: HandlerDef<'openProbe'> = {
  requires: 'ready',
  async handle({ session }, { transportId, sctpStreamParameters }) {
    const probe = await produceProbe(ownMedia(session), transportId, sctpStreamParameters);
    return { dataProducerId: probe.id };
  },
};

export const receiveProbe: HandlerDef<'receiveProbe'> = {
  requires: 'ready',
  async handle({ session }, { transportId, dataProducerId }) {
    return consumeProbe(ownMedia(session), transportId, dataProducerId);
  },
};

export const restartIce: HandlerDef<'restartIce'> = {
  requires: 'ready',
  async handle({ session }, { transportId }) {
    return { iceParameters: await ownMedia(session).restartIce(transportId) };
  },
};
