/**
 * Which voices of a meeting are forwarded to listeners that cannot take them
 * all (audio-only, weak downlink): the N loudest, from each microphone's
 * audio level (RFC 6464, read per packet by LoudestVoices.ts). Pure: fed
 * levels and times, tested without a worker.
 *
 * Rules, so that voices neither flap nor lose their first syllable:
 * - a voice that becomes audible takes a free place at once, or the place of
 *   a chosen voice that has gone silent (the quietest one for longest): on
 *   its first audible packet, not after a confirmation;
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
  marginDb: 6,
  holdMs: 1_500,
  silentMs: 600,
};

/** dBov of digital silence (RFC 6464's 127). */
export const SILENCE_DBOV = -127;
/** Weight of a new packet's level in the smoothed level (~5 packets of 40 ms: 200 ms). */
const SMOOTHING = 0.2;

interface Voice {
  /** Smoothed level, dBov. */
  level: number;
  lastAudibleAt: number;
  lastPacketAt: number;
  /** When it was last chosen (meaningful while chosen). */
  chosenAt: number;
}

export class VoiceSelection {
  readonly #options: VoiceSelectionOptions;
  readonly #voices = new Map<string, Voice>();
  readonly #chosen = new Set<string>();

  constructor(options: VoiceSelectionOptions) {
    this.#options = options;
  }

  /** The voices forwarded now (at most `size`). */
  get chosen(): ReadonlySet<string> {
    return this.#chosen;
  }

  /** Whether `id` sent an audible packet within `silentMs` of `now`. */
  talking(id: string, now: number): boolean {
    const voice = this.#voices.get(id);
    return !!voice && now - voice.lastAudibleAt <= this.#options.silentMs;
  }

  /** A microphone joins the meeting (silent until its first packet). */
  add(id: string): void {
    if (this.#voices.has(id)) return;
    this.#voices.set(id, { level: SILENCE_DBOV, lastAudibleAt: -Infinity, lastPacketAt: -Infinity, chosenAt: 0 });
  }

  /** A microphone left; its place is free. Returns whether the choice changed. */
  remove(id: string): boolean {
    this.#voices.delete(id);
    return this.#chosen.delete(id);
  }

  /** One packet's level (dBov, ≤ 0) at `now` (ms). Returns whether the choice changed. */
  level(id: string, dbov: number, now: number): boolean {
    const voice = this.#voices.get(id);
    if (!voice) return false;
    voice.level += SMOOTHING * (dbov - voice.level);
    voice.lastPacketAt = now;
    if (dbov < this.#options.audibleDbov) return false;
    voice.lastAudibleAt = now;
    if (this.#chosen.has(id)) return false;
    return this.#challenge(id, voice, now);
  }

  /**
   * Called every ~100 ms: a voice that sends nothing (DTX) fades, and a
   * louder newcomer may now replace a voice whose hold is over. Returns
   * whether the choice changed.
   */
  tick(now: number): boolean {
    for (const voice of this.#voices.values()) {
      if (now - voice.lastPacketAt > 200) voice.level += SMOOTHING * (SILENCE_DBOV - voice.level);
    }
    let changed = false;
    const waiting = [...this.#voices].filter(([id, v]) => !this.#chosen.has(id) && now - v.lastAudibleAt <= this.#options.silentMs);
    waiting.sort((a, b) => b[1].level - a[1].level);
    for (const [id, voice] of waiting) changed = this.#challenge(id, voice, now) || changed;
    return changed;
  }

  #challenge(id: string, voice: Voice, now: number): boolean {
    if (this.#chosen.size < this.#options.size) return this.#choose(id, voice, now);
    let silent: [string, Voice] | undefined;
    let quietest: [string, Voice] | undefined;
    for (const chosenId of this.#chosen) {
      const incumbent = this.#voices.get(chosenId);
      if (!incumbent) continue;
      if (now - incumbent.lastAudibleAt > this.#options.silentMs) {
        if (!silent || incumbent.lastAudibleAt < silent[1].lastAudibleAt) silent = [chosenId, incumbent];
      }
      if (!quietest || incumbent.level < quietest[1].level) quietest = [chosenId, incumbent];
    }
    const out = silent
      ? silent[0]
      : quietest &&
          voice.level > quietest[1].level + this.#options.marginDb &&
          now - quietest[1].chosenAt >= this.#options.holdMs
        ? quietest[0]
        : undefined;
    if (out === undefined) return false;
    this.#chosen.delete(out);
    return this.#choose(id, voice, now);
  }

  #choose(id: string, voice: Voice, now: number): boolean {
    this.#chosen.add(id);
    voice.chosenAt = now;
    return true;
  }
}
