import { EventEmitter } from 'node:events';
import type { Consumer, DirectTransport, Producer, Router } from 'mediasoup/types';
import { audioLevelOf } from './audioLevel.js';
import type { Logger } from './logger.js';
import type { ConsumerAppData, ProducerAppData } from './mediaTypes.js';
import type { MediaPeer } from './MediaPeer.js';
import { VOICE_SELECTION_DEFAULTS, VoiceLevels, VoiceSelection } from './voiceSelection.js';

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
/** How often silent voices fade and louder ones are weighed (a new talker does not wait for it). */
const TICK_MS = 100;

/**
 * The N loudest voices of a meeting (but the listener's own), forwarded alone
 * to the listeners that cannot take every voice: audio-only ones, and those whose video the
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
 * its first audible packet, or on the first rise of its level towards speech
 * (voiceSelection.ts has the rules).
 *
 * Who is talking (the tiles, "who speaks") does not depend on this: the
 * ActiveSpeakerObserver hears every microphone whatever is forwarded.
 */
export class LoudestVoices {
  readonly #levels: VoiceLevels;
  readonly #tap: DirectTransport;
  readonly #router: Router;
  readonly #log: Logger;
  readonly #taps = new Map<string, Consumer>();
  /** Listeners held to their loudest voices now, each with its own choice (never its own voice). */
  readonly #limited = new Map<MediaPeer, VoiceSelection>();
  readonly #timer: NodeJS.Timeout;
  #closed = false;
  /**
   * For benches and tests: 'level' (producerId, dBov, performance.now()) for
   * every microphone packet the tap reads, before the choice is weighed.
   */
  readonly observer = new EventEmitter<{ level: [producerId: string, dbov: number, at: number] }>();

  private constructor(size: number, tap: DirectTransport, router: Router, log: Logger) {
    this.#levels = new VoiceLevels({ size, ...VOICE_SELECTION_DEFAULTS });
    this.#tap = tap;
    this.#router = router;
    this.#log = log;
    this.#timer = setInterval(() => {
      try {
        const now = performance.now();
        this.#levels.tick(now);
        for (const [peer, selection] of this.#limited) if (selection.tick(now)) this.#apply(peer);
      } catch (error) {
        // A bug here must not take the process down with every meeting on it.
        this.#log.error({ err: error }, 'loudest voices');
      }
    }, TICK_MS);
    this.#timer.unref();
  }

  /** On the room's home router, where every microphone is piped. */
  static async create(router: Router, size: number, log: Logger): Promise<LoudestVoices> {
    const tap = await router.createDirectTransport();
    return new LoudestVoices(size, tap, router, log);
  }

  /** The voices (producer ids) `peer` gets now, if it is held to the loudest; undefined: it gets every voice. */
  chosenFor(peer: MediaPeer): ReadonlySet<string> | undefined {
    return this.#limited.get(peer)?.chosen;
  }

  /** Level (dBov) from which a packet counts as speech. */
  get audibleDbov(): number {
    return this.#levels.options.audibleDbov;
  }

  /** Whether this microphone (producer id) is talking now, for logs and tests. */
  talking(producerId: string): boolean {
    return this.#levels.talking(producerId, performance.now());
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
    this.#levels.add(producer.id, producer.appData.peerId);
    consumer.on('rtp', (packet) => {
      const dbov = audioLevelOf(packet, extension.id);
      const now = performance.now();
      if (dbov !== undefined) this.observer.emit('level', producer.id, dbov, now);
      if (dbov === undefined) return;
      const heard = this.#levels.level(producer.id, dbov, now);
      if (!heard) return;
      for (const [peer, selection] of this.#limited) {
        if (heard === 'audible' ? selection.audible(producer.id, now) : selection.onset(producer.id, now)) this.#apply(peer);
      }
    });
    consumer.observer.once('close', () => {
      this.#taps.delete(producer.id);
      this.#levels.remove(producer.id);
      for (const [peer, selection] of this.#limited) if (selection.remove(producer.id)) this.#apply(peer);
    });
  }

  /** A participant of the room: held to its loudest voices while audio-only or short of downlink. */
  addPeer(peer: MediaPeer): void {
    const update = (): void => this.#updatePeer(peer);
    peer.on('audioonly', update);
    peer.on('bandwidthlimited', update);
    peer.once('close', () => this.#limited.delete(peer));
    update();
  }

  /** A new consumer of `peer`: held at once if it is a voice this listener must not get now. */
  held(peer: MediaPeer, consumer: Consumer<ConsumerAppData>): boolean {
    const selection = this.#limited.get(peer);
    return !!selection && this.#holds(selection, consumer);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#limited.clear();
    this.#tap.close();
  }

  #holds(selection: VoiceSelection, consumer: Consumer<ConsumerAppData>): boolean {
    return consumer.appData.source === 'mic' && this.#taps.has(consumer.producerId) && !selection.has(consumer.producerId);
  }

  #updatePeer(peer: MediaPeer): void {
    if (this.#closed || peer.closed) return;
    const limited = peer.audioOnly || peer.bandwidthSuspended.size > 0;
    if (limited === this.#limited.has(peer)) return;
    if (limited) {
      const selection = new VoiceSelection(this.#levels, peer.id);
      // Those talking now take the places at once, loudest first.
      selection.tick(performance.now());
      this.#limited.set(peer, selection);
    } else {
      this.#limited.delete(peer);
    }
    this.#log.info({ peerId: peer.id, limited }, 'listener gets the loudest voices only');
    this.#apply(peer);
  }

  /** Pauses first, then resumes: a listener never gets more than N voices, even for a moment. */
  #apply(peer: MediaPeer): void {
    const selection = this.#limited.get(peer);
    const voices = [...peer.consumers.values()].filter((c) => c.appData.source === 'mic');
    const hold = new Map(voices.map((c) => [c, !!selection && this.#holds(selection, c)]));
    for (const [consumer, held] of hold) if (held) peer.holdVoice(consumer.id, true);
    for (const [consumer, held] of hold) if (!held) peer.holdVoice(consumer.id, false);
  }
}
