/**
 * Which voices of a meeting are forwarded to a listener that cannot take them
 * all (audio-only, weak downlink): the N loudest but its own, from each microphone's
 * audio level (RFC 6464, read per packet by LoudestVoices.ts). Pure: fed
 * levels and times, tested without a worker.
 *
 * Rules, so that voices neither flap nor lose their first syllable:
 * - a voice that becomes audible takes a free place at once, or the place of
 *   a chosen voice that has gone silent (the quietest one for longest): on
 *   its first audible packet, not after a confirmation;
 * - so does a voice whose level RISES (`riseDb` over its smoothed level, from
 *   `onsetDbov`): the first packets of a word are quieter than the rest, and
 *   waiting for an audible one would cut the first syllable. A rise takes
 *   only a free or silent place, never a talking voice's, and does not count
 *   as talking: a door slam is forgotten at the next talker's first packet;
 * - when every chosen voice is talking, a newcomer takes the place of the
 *   quietest only when it is louder by `marginDb` (smoothed levels) and that
 *   voice has been chosen for `holdMs` at least;
 * - a chosen voice stays chosen while nobody needs its place.
 * So at most `size` voices are ever chosen.
 */

export interface VoiceSelectionOptions {
  /** How many voices are forwarded (N). */
  size: number;
  /** Level (dBov, ≤ 0) from which a packet counts as speech. */
  audibleDbov: number;
  /** Level (dBov) from which a rise counts as the onset of speech. */
  onsetDbov: number;
  /** How far (dB) above its smoothed level a packet must be to count as an onset. */
  riseDb: number;
  /** How much louder (dB) a newcomer must be to replace a talking voice. */
  marginDb: number;
  /** How long a chosen voice keeps its place against a louder one. */
  holdMs: number;
  /** Without an audible packet for this long a voice counts as silent (DTX sends none). */
  silentMs: number;
}

export const VOICE_SELECTION_DEFAULTS: Omit<VoiceSelectionOptions, 'size'> = {
  // Speech is above about -50 dBov; a room's background noise and DTX comfort noise below.
  audibleDbov: -55,
  // Measured: the tap reads a new talker's first packets at -44 to -40 dBov on
  // the bench's tone; speech's first packets can be 10-20 dB under its words.
  onsetDbov: -70,
  riseDb: 12,
  marginDb: 6,
  holdMs: 1_500,
  silentMs: 600,
};

/** dBov of digital silence (RFC 6464's 127). */
export const SILENCE_DBOV = -127;
/** Weight of a new packet's level in the smoothed level (~5 packets of 40 ms: 200 ms). */
const SMOOTHING = 0.2;

interface Voice {
  /** The participant whose microphone it is (never chosen for that participant). */
  owner: string;
  /** Smoothed level, dBov. */
  level: number;
  lastAudibleAt: number;
  lastPacketAt: number;
}

/** Every microphone's level in a meeting, shared by the listeners' selections. */
export class VoiceLevels {
  readonly options: VoiceSelectionOptions;
  readonly #voices = new Map<string, Voice>();

  constructor(options: VoiceSelectionOptions) {
    this.options = options;
  }

  get(id: string): Readonly<Voice> | undefined {
    return this.#voices.get(id);
  }
  entries(): IterableIterator<[string, Readonly<Voice>]> {
    return this.#voices.entries();
  }

  /** A microphone of `owner` joins the meeting (silent until its first packet). */
  add(id: string, owner: string): void {
    if (this.#voices.has(id)) return;
    this.#voices.set(id, { owner, level: SILENCE_DBOV, lastAudibleAt: -Infinity, lastPacketAt: -Infinity });
  }

  remove(id: string): void {
    this.#voices.delete(id);
  }

  /**
   * One packet's level (dBov, ≤ 0) at `now` (ms). Returns 'audible' (speech),
   * 'onset' (a rise towards speech, not yet audible) or false.
   */
  level(id: string, dbov: number, now: number): 'audible' | 'onset' | false {
    const voice = this.#voices.get(id);
    if (!voice) return false;
    const before = voice.level;
    voice.level += SMOOTHING * (dbov - voice.level);
    voice.lastPacketAt = now;
    if (dbov >= this.options.audibleDbov) {
      voice.lastAudibleAt = now;
      return 'audible';
    }
    return dbov >= this.options.onsetDbov && dbov >= before + this.options.riseDb ? 'onset' : false;
  }

  /** Every ~100 ms: a voice that sends nothing (DTX) fades. */
  tick(now: number): void {
    for (const voice of this.#voices.values()) {
      if (now - voice.lastPacketAt > 200) voice.level += SMOOTHING * (SILENCE_DBOV - voice.level);
    }
  }

  /** Whether `id` sent an audible packet within `silentMs` of `now`. */
  talking(id: string, now: number): boolean {
    const voice = this.#voices.get(id);
    return !!voice && now - voice.lastAudibleAt <= this.options.silentMs;
  }
}

/**
 * The voices one listener gets: its own microphone is never among them, so
 * each listener has its selection (and its hysteresis), over shared levels.
 */
export class VoiceSelection {
  readonly #levels: VoiceLevels;
  readonly #listener: string;
  /** Chosen voice → when it was chosen. */
  readonly #chosen = new Map<string, number>();

  constructor(levels: VoiceLevels, listener: string) {
    this.#levels = levels;
    this.#listener = listener;
  }

  /** The voices forwarded now (at most `size`). */
  get chosen(): ReadonlySet<string> {
    return new Set(this.#chosen.keys());
  }
  has(id: string): boolean {
    return this.#chosen.has(id);
  }

  /** A microphone left; its place is free. Returns whether the choice changed. */
  remove(id: string): boolean {
    return this.#chosen.delete(id);
  }

  /** `id` just sent an audible packet. Returns whether the choice changed. */
  audible(id: string, now: number): boolean {
    const voice = this.#levels.get(id);
    if (!voice || voice.owner === this.#listener || this.#chosen.has(id)) return false;
    return this.#challenge(id, voice, now, true);
  }

  /** `id`'s level just rose towards speech: it takes a free or silent place, not a talking voice's. */
  onset(id: string, now: number): boolean {
    const voice = this.#levels.get(id);
    if (!voice || voice.owner === this.#listener || this.#chosen.has(id)) return false;
    return this.#challenge(id, voice, now, false);
  }

  /** After VoiceLevels.tick: a louder newcomer may now replace a voice whose hold is over. */
  tick(now: number): boolean {
    const { silentMs } = this.#levels.options;
    const waiting = [...this.#levels.entries()].filter(
      ([id, v]) => v.owner !== this.#listener && !this.#chosen.has(id) && now - v.lastAudibleAt <= silentMs,
    );
    waiting.sort((a, b) => b[1].level - a[1].level);
    let changed = false;
    for (const [id, voice] of waiting) changed = this.#challenge(id, voice, now, true) || changed;
    return changed;
  }

  #challenge(id: string, voice: Readonly<Voice>, now: number, talking: boolean): boolean {
    const { size, silentMs, marginDb, holdMs } = this.#levels.options;
    if (this.#chosen.size < size) {
      this.#chosen.set(id, now);
      return true;
    }
    let silent: [string, Readonly<Voice>] | undefined;
    let quietest: [string, Readonly<Voice>] | undefined;
    for (const chosenId of this.#chosen.keys()) {
      const incumbent = this.#levels.get(chosenId);
      if (!incumbent) continue;
      if (now - incumbent.lastAudibleAt > silentMs) {
        if (!silent || incumbent.lastAudibleAt < silent[1].lastAudibleAt) silent = [chosenId, incumbent];
      }
      if (!quietest || incumbent.level < quietest[1].level) quietest = [chosenId, incumbent];
    }
    const out = silent
      ? silent[0]
      : talking && quietest && voice.level > quietest[1].level + marginDb && now - (this.#chosen.get(quietest[0]) ?? now) >= holdMs
        ? quietest[0]
        : undefined;
    if (out === undefined) return false;
    this.#chosen.delete(out);
    this.#chosen.set(id, now);
    return true;
  }
}
