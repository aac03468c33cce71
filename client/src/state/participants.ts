/**
 * Remote participants as immutable values, and the pure functions that derive
 * the next list from a protocol event. The controller applies them to the
 * `participants` signal; keeping them pure keeps them testable without a
 * browser.
 */
import type { MediaSource, PeerInfo, ProducerInfo, Role } from '@chantier/signaling/protocol';

export interface Participant {
  peerId: string;
  userId: string;
  displayName: string;
  role: Role;
  /** What the peer sends, as announced by the server (plain data, no media objects). */
  producers: readonly ProducerInfo[];
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  screenTrack: MediaStreamTrack | null;
  screenAudioTrack: MediaStreamTrack | null;
  /** When the screen track arrived (the caller's clock), to put the newest share on stage. */
  screenSince: number | null;
  /** No microphone producer, or a paused one. */
  micMuted: boolean;
  /** No camera producer, or a paused one. */
  cameraOff: boolean;
  speaking: boolean;
  /** Receives no video (audio-only mode). */
  audioOnly: boolean;
  /** Has raised their hand. */
  handRaised: boolean;
}

export type Participants = readonly Participant[];

type TrackField = 'audioTrack' | 'videoTrack' | 'screenTrack' | 'screenAudioTrack';

const trackFieldBySource: Record<MediaSource, TrackField> = {
  mic: 'audioTrack',
  camera: 'videoTrack',
  screen: 'screenTrack',
  'screen-audio': 'screenAudioTrack',
};

function isOff(producers: readonly ProducerInfo[], source: MediaSource): boolean {
  const producer = producers.find((p) => p.source === source);
  return !producer || producer.paused;
}

function withProducers(p: Participant, producers: readonly ProducerInfo[]): Participant {
  return { ...p, producers, micMuted: isOff(producers, 'mic'), cameraOff: isOff(producers, 'camera') };
}

function update(list: Participants, peerId: string, change: (p: Participant) => Participant): Participants {
  const index = list.findIndex((p) => p.peerId === peerId);
  if (index < 0) return list;
  const next = [...list];
  next[index] = change(list[index] as Participant);
  return next;
}

export function participantFromPeer(peer: PeerInfo, activeSpeakerId: string | null): Participant {
  return withProducers(
    {
      peerId: peer.peerId,
      userId: peer.userId,
      displayName: peer.displayName,
      role: peer.role,
      producers: [],
      audioTrack: null,
      videoTrack: null,
      screenTrack: null,
      screenAudioTrack: null,
      screenSince: null,
      micMuted: true,
      cameraOff: true,
      speaking: peer.peerId === activeSpeakerId,
      audioOnly: peer.audioOnly ?? false,
      handRaised: peer.handRaised ?? false,
    },
    peer.producers,
  );
}

/** Adds a peer, or replaces the one with the same id (a peer that rejoined). */
export function addParticipant(list: Participants, participant: Participant): Participants {
  const index = list.findIndex((p) => p.peerId === participant.peerId);
  if (index < 0) return [...list, participant];
  const next = [...list];
  next[index] = participant;
  return next;
}

export function removeParticipant(list: Participants, peerId: string): Participants {
  return list.filter((p) => p.peerId !== peerId);
}

export function addProducer(list: Participants, peerId: string, producer: ProducerInfo): Participants {
  return update(list, peerId, (p) =>
    withProducers(p, [...p.producers.filter((q) => q.producerId !== producer.producerId), producer]),
  );
}

export function removeProducer(list: Participants, peerId: string, producerId: string): Participants {
  return update(list, peerId, (p) =>
    withProducers(
      p,
      p.producers.filter((q) => q.producerId !== producerId),
    ),
  );
}

export function setProducerPaused(
  list: Participants,
  peerId: string,
  producerId: string,
  paused: boolean,
): Participants {
  return update(list, peerId, (p) =>
    withProducers(
      p,
      p.producers.map((q) => (q.producerId === producerId ? { ...q, paused } : q)),
    ),
  );
}

/**
 * Attaches (or with null, detaches) the track received for one of the peer's
 * sources. `now` dates a screen's arrival (any increasing clock).
 */
export function setTrack(
  list: Participants,
  peerId: string,
  source: MediaSource,
  track: MediaStreamTrack | null,
  now: number,
): Participants {
  return update(list, peerId, (p) => ({
    ...p,
    [trackFieldBySource[source]]: track,
    ...(source === 'screen' ? { screenSince: track ? now : null } : {}),
  }));
}

export function setActiveSpeaker(list: Participants, peerId: string | null): Participants {
  if (list.every((p) => p.speaking === (p.peerId === peerId))) return list;
  return list.map((p) => (p.speaking === (p.peerId === peerId) ? p : { ...p, speaking: p.peerId === peerId }));
}

export function setAudioOnly(list: Participants, peerId: string, audioOnly: boolean): Participants {
  return update(list, peerId, (p) => (p.audioOnly === audioOnly ? p : { ...p, audioOnly }));
}

export function setHandRaised(list: Participants, peerId: string, handRaised: boolean): Participants {
  return update(list, peerId, (p) => (p.handRaised === handRaised ? p : { ...p, handRaised }));
}
