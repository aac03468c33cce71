import type { Consumer, DirectTransport, Producer, Router } from 'mediasoup/types';
import { audioLevelOf } from './audioLevel.js';
import type { Logger } from './logger.js';
import type { ConsumerAppData, ProducerAppData } from './mediaTypes.js';
import type { MediaPeer } from './MediaPeer.js';
import { VOICE_SELECTION_DEFAULTS, VoiceSelection } from './voiceSelection.js';

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
/** How often silent voices fade and louder ones are weighed (a new talker does not wait for it). */
const TICK_MS = 100;

/**
 * The N loudest voices of a meeting, forwarded alone to the listeners that
 * cannot take every voice: audio-only ones, and those whose video the
 * downlink already cannot carry (MediaPeer's 'bandwidthlimited'). Their
 * other microphone consumers are paused on the server ('voice'); screen-share
 * audio is never held; listeners with a good link get every voice.
 *
 * Levels: every microphone is piped to the room's home router anyway (for
 * the ActiveSpeakerObserver), so one DirectTransport there consumes each and
 * reads every packet's audio level (audioLevel.ts): a voice on any worker is
 * heard here. mediasoup's AudioLevelObserver was not used: it reports at
 * most every 250 ms, and only voices with 10 packets or more in the
 * interval, i.e. every 400 ms or more with the client's 40-ms Opus packets,
 * so a new talker would be known 0.4 to 0.8 s late; here it is resumed on
 * its first audible packet (voiceSelection.ts has the rules).
 *
 * Who is talking (the tiles, "who speaks") does not depend on this: the
 * ActiveSpeakerObserver hears every microphone whatever is forwarded.
 */
export class LoudestVoices {
  readonly #selection: VoiceSelection;
  readonly #tap: DirectTransport;
  readonly #router: Router;
  readonly #peers: () => Iterable<MediaPeer>;
  readonly #log: Logger;
  readonly #taps = new Map<string, Consumer>();
  /** Listeners held to the chosen voices now. */
  readonly #limited = new Set<MediaPeer>();
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  private constructor(size: number, tap: DirectTransport, router: Router, peers: () => Iterable<MediaPeer>, log: Logger) {
    this.#selection = new VoiceSelection({ size, ...VOICE_SELECTION_DEFAULTS });
    this.#tap = tap;
    this.#router = router;
    this.#peers = peers;
    this.#log = log;
    this.#timer = setInterval(() => {
      if (this.#selection.tick(performance.now())) this.#applyAll();
    }, TICK_MS);
    this.#timer.unref();
  }

  /** On the room's home router, where every microphone is piped. */
  static async create(router: Router, size: number, peers: () => Iterable<MediaPeer>, log: Logger): Promise<LoudestVoices> {
    const tap = await router.createDirectTransport();
    return new LoudestVoices(size, tap, router, peers, log);
  }

  /** The voices forwarded to limited listeners now (producer ids). */
  get chosen(): ReadonlySet<string> {
    return this.#selection.chosen;
  }

  /** Whether this microphone (producer id) is talking now, for logs and tests. */
  talking(producerId: string): boolean {
    return this.#selection.talking(producerId, performance.now());
  }

  /** Whether `peer` gets only the chosen voices. */
  isLimited(peer: MediaPeer): boolean {
    return this.#limited.has(peer);
  }

  /** A microphone, already on the home router: its levels are read from now on. */
  async addMicrophone(producer: Producer<ProducerAppData>): Promise<void> {
    if (this.#closed || producer.closed || this.#taps.has(producer.id)) return;
    const consumer = await this.#tap.consume({ producerId: producer.id, rtpCapabilities: this.#router.rtpCapabilities });
    if (this.#closed || producer.closed) {
      consumer.close();
      return;
    }
    const extension = consumer.rtpParameters.headerExtensions?.find((e) => e.uri === AUDIO_LEVEL_URI);
    if (!extension) {
      consumer.close();
      this.#log.warn({ producerId: producer.id }, 'microphone without audio levels: always forwarded');
      return;
    }
    this.#taps.set(producer.id, consumer);
    this.#selection.add(producer.id);
    consumer.on('rtp', (packet) => {
      const dbov = audioLevelOf(packet, extension.id);
      if (dbov !== undefined && this.#selection.level(producer.id, dbov, performance.now())) this.#applyAll();
    });
    consumer.observer.once('close', () => {
      this.#taps.delete(producer.id);
      if (this.#selection.remove(producer.id)) this.#applyAll();
    });
  }

  /** A participant of the room: held to the chosen voices while audio-only or short of downlink. */
  addPeer(peer: MediaPeer): void {
    const update = (): void => this.#updatePeer(peer);
    peer.on('audioonly', update);
    peer.on('bandwidthlimited', update);
    peer.once('close', () => this.#limited.delete(peer));
    update();
  }

  /** A new consumer of `peer`: held at once if it is a voice this listener must not get now. */
  held(peer: MediaPeer, consumer: Consumer<ConsumerAppData>): boolean {
    return this.#limited.has(peer) && this.#holds(consumer);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#tap.close();
  }

  #holds(consumer: Consumer<ConsumerAppData>): boolean {
    return consumer.appData.source === 'mic' && this.#taps.has(consumer.producerId) && !this.#selection.chosen.has(consumer.producerId);
  }

  #updatePeer(peer: MediaPeer): void {
    if (this.#closed || peer.closed) return;
    const limited = peer.audioOnly || peer.bandwidthSuspended.size > 0;
    if (limited === this.#limited.has(peer)) return;
    if (limited) this.#limited.add(peer);
    else this.#limited.delete(peer);
    this.#log.info({ peerId: peer.id, limited, voices: this.#selection.chosen.size }, 'listener gets the loudest voices only');
    this.#apply(peer, limited);
  }

  #applyAll(): void {
    for (const peer of this.#peers()) if (this.#limited.has(peer)) this.#apply(peer, true);
  }

  /** Pauses first, then resumes: a listener never gets more than N voices, even for a moment. */
  #apply(peer: MediaPeer, limited: boolean): void {
    const voices = [...peer.consumers.values()].filter((c) => c.appData.source === 'mic');
    const hold = new Map(voices.map((c) => [c, limited && this.#holds(c)]));
    for (const [consumer, held] of hold) if (held) peer.holdVoice(consumer.id, true);
    for (const [consumer, held] of hold) if (!held) peer.holdVoice(consumer.id, false);
  }
}
