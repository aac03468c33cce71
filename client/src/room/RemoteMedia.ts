/**
 * The others' media as this page receives it: who is in the meeting, what
 * they send, what is consumed of it, and the notifications that change that
 * (peerJoined, peerLeft, producerAdded/Closed/Paused/Resumed, consumerClosed,
 * activeSpeaker, peerAudioOnly, connectionQuality). The RoomController
 * delegates here; the media session is its (RoomLink.session).
 */
import type { NotificationData } from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import type { Connection } from '../signaling/Connection';
import {
  addParticipant,
  addProducer,
  participantFromPeer,
  removeParticipant,
  removeProducer,
  setActiveSpeaker,
  setAudioOnly as setParticipantAudioOnly,
  setProducerPaused,
  setTrack,
  type Participants,
} from '../state/participants';
import type { RoomState } from '../state/roomState';
import { markJoin } from './joinTimeline';
import type { ConsumedTrack } from './MediaSession';
import type { ClosedConsumer, MediaSession } from './mediaSessionLoader';
import type { RoomLink } from './roomLink';

const log = createLogger('room');

export class RemoteMedia {
  constructor(private readonly link: RoomLink) {}

  private get state(): RoomState {
    return this.link.state;
  }

  private get session(): MediaSession | null {
    return this.link.session();
  }

  /** Listens to the socket's notifications about the others' media; returns the ways to stop. */
  subscribe(signaling: Connection): Array<() => void> {
    return [
      signaling.onNotification('peerJoined', (data) => this.onPeerJoined(data)),
      signaling.onNotification('peerLeft', (data) => this.onPeerLeft(data)),
      signaling.onNotification('producerAdded', (data) => this.onProducerAdded(data)),
      signaling.onNotification('producerClosed', (data) => this.onProducerClosed(data)),
      signaling.onNotification('producerPaused', (data) => this.onProducerPaused(data, true)),
      signaling.onNotification('producerResumed', (data) => this.onProducerPaused(data, false)),
      signaling.onNotification('consumerClosed', (data) => this.onConsumerClosed(data)),
      signaling.onNotification('activeSpeaker', (data) => this.onActiveSpeaker(data)),
      signaling.onNotification('peerAudioOnly', ({ peerId, audioOnly }) =>
        this.updateParticipants((list) => setParticipantAudioOnly(list, peerId, audioOnly)),
      ),
      signaling.onNotification('connectionQuality', ({ peers }) => {
        this.state.quality.value = new Map(peers.map((p) => [p.peerId, p.quality]));
      }),
    ];
  }

  /** After a resume: a consume whose answer was lost with the old socket is asked again. */
  consumeMissing(session: MediaSession): void {
    for (const participant of this.state.participants.value) {
      for (const producer of participant.producers) {
        if (!session.isReceiving(producer.producerId)) this.consume(session, participant.peerId, producer.producerId);
      }
    }
  }

  /** Audio-only turned off: the others' video is consumed again. */
  consumeVideo(session: MediaSession): void {
    for (const p of this.state.participants.value) {
      for (const producer of p.producers) if (producer.kind === 'video') this.consume(session, p.peerId, producer.producerId);
    }
  }

  /** Queues a consume and puts its track into state; failures are logged inside MediaSession. */
  consume(session: MediaSession, peerId: string, producerId: string): void {
    if (this.state.audioOnly.value) {
      const producer = this.state.participants.value.find((p) => p.peerId === peerId)?.producers.find((x) => x.producerId === producerId);
      if (producer?.kind !== 'audio') return; // the server would refuse it (AUDIO_ONLY)
    }
    session
      .consume(producerId)
      .then((consumed) => consumed && this.received(session, consumed))
      .catch((error: unknown) => log.error('consume result not applied', error));
  }

  /** A remote track made: into state, unless its peer left or the session changed meanwhile. */
  received(session: MediaSession, consumed: ConsumedTrack): void {
    if (session !== this.session) return;
    markJoin('first-consumer');
    const present = this.state.participants.value.some((p) => p.peerId === consumed.peerId);
    if (!present) {
      session.closeConsumer(consumed.consumerId); // the peer left meanwhile
      return;
    }
    this.updateParticipants((list) => {
      let next = setTrack(list, consumed.peerId, consumed.source, consumed.track, performance.now());
      if (consumed.producerPaused) next = setProducerPaused(next, consumed.peerId, consumed.producerId, true);
      return next;
    });
    log.debug(`receiving ${consumed.source} of ${consumed.peerId}`);
  }

  private forgetTracks(closed: readonly ClosedConsumer[]): void {
    if (closed.length === 0) return;
    this.updateParticipants((list) =>
      closed.reduce((acc, c) => setTrack(acc, c.peerId, c.source, null, performance.now()), list),
    );
  }

  private updateParticipants(change: (list: Participants) => Participants): void {
    this.state.participants.value = change(this.state.participants.value);
  }

  private onPeerJoined({ peer }: NotificationData<'peerJoined'>): void {
    if (this.link.isSelf(peer.peerId)) return;
    const session = this.session;
    // A peer that rejoins under the same id: drop what we received from its old self.
    session?.closeConsumersOfPeer(peer.peerId);
    this.updateParticipants((list) => addParticipant(list, participantFromPeer(peer, this.state.activeSpeakerId.value)));
    log.info(`${peer.peerId} joined`);
    if (session) for (const producer of peer.producers) this.consume(session, peer.peerId, producer.producerId);
  }

  private onPeerLeft({ peerId, reason }: NotificationData<'peerLeft'>): void {
    this.session?.closeConsumersOfPeer(peerId);
    this.updateParticipants((list) => removeParticipant(list, peerId));
    if (this.state.activeSpeakerId.value === peerId) this.state.activeSpeakerId.value = null;
    log.info(`${peerId} left (${reason})`);
  }

  private onProducerAdded({ peerId, producer }: NotificationData<'producerAdded'>): void {
    if (this.link.isSelf(peerId)) return;
    this.updateParticipants((list) => addProducer(list, peerId, producer));
    if (this.session) this.consume(this.session, peerId, producer.producerId);
  }

  private onProducerClosed({ peerId, producerId }: NotificationData<'producerClosed'>): void {
    this.forgetTracks(this.session?.closeConsumersOfProducer(producerId) ?? []);
    this.updateParticipants((list) => removeProducer(list, peerId, producerId));
  }

  private onProducerPaused({ peerId, producerId }: NotificationData<'producerPaused'>, paused: boolean): void {
    this.updateParticipants((list) => setProducerPaused(list, peerId, producerId, paused));
  }

  private onConsumerClosed({ consumerId }: NotificationData<'consumerClosed'>): void {
    const closed = this.session?.closeConsumer(consumerId);
    if (closed) this.forgetTracks([closed]);
  }

  private onActiveSpeaker({ peerId }: NotificationData<'activeSpeaker'>): void {
    this.state.activeSpeakerId.value = peerId;
    this.updateParticipants((list) => setActiveSpeaker(list, peerId));
  }
}
