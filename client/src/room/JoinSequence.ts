/**
 * The press of "Rejoindre", step by step, apart from the RoomController that
 * starts it: admission for a guest, the media session prepared on the join
 * screen (MediaPrewarm), `join`, its answer into state, the answer's
 * consumers received in one negotiation, then the lobby's microphone and
 * camera sent. Nothing here outlives a teardown: every step checks `stale()`.
 */
import type { PeerInfo, ResponseData } from '@chantier/signaling/protocol';
import { errorCodeOf } from '../errors';
import { createLogger } from '../log';
import type { SignalingChannel } from '../signaling/Connection';
import { participantFromPeer } from '../state/participants';
import { DEFAULT_POLICY, type RoomState } from '../state/roomState';
import type { Admission } from './Admission';
import { normalizeDisplayName } from './displayName';
import { markJoin } from './joinTimeline';
import type { LocalMedia } from './LocalMedia';
import type { ConsumedTrack, MediaSession } from './MediaSession';
import type { MediaPrewarm } from './MediaPrewarm';

const log = createLogger('join');

type JoinAnswer = ResponseData<'join'>;

export interface JoinSteps {
  state: RoomState;
  signaling: SignalingChannel;
  selfPeerId: string;
  prewarm: MediaPrewarm;
  admission: Admission;
  isPhone: boolean;
  /** True once the join no longer matters (left, torn down). */
  stale: () => boolean;
  /** The session is the meeting's from now on (closed with it): called before `join` is sent. */
  adopt: (session: MediaSession) => void;
  /**
   * Called when `join` is still unanswered JOIN_PENDING_SHOWN_MS after it
   * went out: the join screen shows the press from then on. Rendered at the
   * press, it held the request back (40-180 ms of the page's main thread in
   * the join bench's traces); rendered as it goes out, it held the answer's
   * handling back; a quick answer goes straight to the meeting.
   */
  pending: () => void;
}

/** How long an unanswered `join` leaves the join screen as it was (see JoinSteps.pending). */
export const JOIN_PENDING_SHOWN_MS = 150;

export interface Joined {
  session: MediaSession;
  answer: JoinAnswer;
  /** Who was already in, as the answer lists them. */
  others: PeerInfo[];
}

/** Admission, `join` and its answer into state; null when the join was called off (stale, refused admission). */
export async function joinMeeting(steps: JoinSteps): Promise<Joined | null> {
  const { state, signaling, admission, stale } = steps;
  // A guest may have to wait for a moderator first (the meeting's lobby).
  if (state.self.value?.role === 'guest' && !(await admission.knock(signaling, stale))) return null;
  const session = await steps.prewarm.take();
  if (stale()) {
    session.close();
    return null;
  }
  steps.adopt(session);

  const displayName = normalizeDisplayName(state.displayName.value);
  const sendJoin = () => {
    const answered = signaling.request('join', {
      rtpCapabilities: session.rtpCapabilities,
      displayName,
      device: steps.isPhone ? 'phone' : 'desktop',
      audioOnly: state.audioOnly.value,
    });
    const shown = setTimeout(steps.pending, JOIN_PENDING_SHOWN_MS);
    return answered.finally(() => clearTimeout(shown));
  };
  let answer: JoinAnswer;
  try {
    answer = await sendJoin();
  } catch (error) {
    // A moderator turned the lobby on since the knock (or a refreshed token made us a guest): wait, once.
    if (errorCodeOf(error) !== 'ADMISSION_REQUIRED' || stale()) throw error;
    log.info('the meeting asks for admission now: knocking');
    if (!(await admission.knock(signaling, stale))) return null;
    answer = await sendJoin();
  }
  if (stale()) return null;
  markJoin('join-answered');
  state.policy.value = answer.policy ?? DEFAULT_POLICY;
  state.lobby.value = answer.lobby ?? [];
  const self = state.self.value;
  if (self && displayName) state.self.value = { ...self, displayName };
  const others = answer.peers.filter((peer) => peer.peerId !== steps.selfPeerId);
  // A peer who joined right after us may have been announced (peerJoined) before
  // this answer came (two joins at once, e.g. everyone re-joining a meeting taken
  // over by another node): keep it, the answer's list predates it.
  const listed = new Set(others.map((peer) => peer.peerId));
  const announced = state.participants.value.filter((p) => !listed.has(p.peerId) && p.peerId !== steps.selfPeerId);
  state.participants.value = [
    ...others.map((peer) => participantFromPeer(peer, state.activeSpeakerId.value)),
    ...announced,
  ];
  return { session, answer, others };
}

/**
 * How long the meeting view waits for the answer's consumers before it
 * shows anyway (a transport that never connects must not hold the view).
 */
export const RECEIVE_WAIT_MS = 1_000;

/**
 * The others' media: the answer's consumers, those made on the join screen
 * (prepareConsumers: their SDP applied already, resumed by the join) taken
 * as they are, the others made together in one negotiation; what the answer
 * lacks is consumed one by one (`consume`).
 * Called before any producerAdded can be handled, so that order holds.
 *
 * Resolves once the answer's consumers are made (at most RECEIVE_WAIT_MS):
 * the caller shows the meeting view after it. Rendering that view takes the
 * page's main thread for ~100 ms (more on a phone); started first, it held
 * back the consumers' SDP by as much (a trace of the join bench's pages).
 */
export function receiveOthers(
  { session, answer, others }: Joined,
  received: (consumed: ConsumedTrack) => void,
  consume: (peerId: string, producerId: string) => void,
): Promise<void> {
  /** Every producer of the others not received nor on its way: consumed the slow way. */
  const consumeMissing = (): void => {
    for (const peer of others) {
      for (const producer of peer.producers) if (!session.isReceiving(producer.producerId)) consume(peer.peerId, producer.producerId);
    }
  };
  let made: Promise<void> = Promise.resolve();
  // Even empty: the join screen's consumers that the answer no longer lists are closed there.
  if (answer.consumers) {
    made = session
      .receiveJoined(answer.consumers)
      .then((tracks) => {
        for (const consumed of tracks) received(consumed);
        // One the answer carried but that could not be made here.
        consumeMissing();
      })
      .catch((error: unknown) => log.error('the join answer consumers not applied', error));
  }
  // What the answer lacks (no receive transport in the lobby, a producer left out).
  consumeMissing();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, RECEIVE_WAIT_MS);
  });
  return Promise.race([made, waited]).finally(() => clearTimeout(timer));
}

/**
 * Sends the lobby's microphone and camera, as chosen there. A device that
 * cannot be sent is turned off; left or disconnected meanwhile (`stale`) is
 * not a failure, and the user's choices survive for the next join.
 */
export async function produceInitial(session: MediaSession, local: LocalMedia, state: RoomState, stale: () => boolean): Promise<void> {
  const send = async (source: 'mic' | 'camera'): Promise<void> => {
    const enabled = source === 'mic' ? state.micEnabled : state.cameraEnabled;
    const track = source === 'mic' ? local.micTrack : local.cameraTrack;
    if (!enabled.value || !track) return;
    await session.produce(source, track).catch((error: unknown) => {
      if (stale()) return;
      log.error(`cannot send the ${source === 'mic' ? 'microphone' : 'camera'}`, error);
      enabled.value = false;
      local.stop(source === 'mic' ? 'audio' : 'video');
    });
  };
  // Both at once: each is its own produce request, and the send transport connects with the first.
  await Promise.all([send('mic'), send('camera')]);
}
