/**
 * The ringtone, made with WebAudio (no audio file to fetch): a two-note
 * chime repeated every few seconds, and the phone's vibration where there is
 * one. Browsers start an AudioContext only after the user has touched the
 * page; `unlock()` is called on the first touch so that a later call rings
 * aloud. When sound is refused the screen still rings (state 'blocked').
 */
import type { RingtoneState } from './callState';

export interface Ringer {
  start(): void;
  stop(): void;
}

/** Seconds: each note, the gap between notes, the whole period. */
const NOTE_S = 0.35;
const GAP_S = 0.12;
const PERIOD_MS = 2_600;
const NOTES_HZ = [880, 660, 880, 660];
const VIBRATION_MS = [400, 150, 400];

export interface AudioEnvironment {
  createContext(): AudioContext | null;
  vibrate(pattern: number | number[]): void;
  setInterval(handler: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export function browserAudioEnvironment(window: Window): AudioEnvironment {
  return {
    createContext: () => {
      const w = window as unknown as { AudioContext?: typeof AudioContext; webkitAudioContext?: typeof AudioContext };
      const Ctor = w.AudioContext ?? w.webkitAudioContext;
      return Ctor ? new Ctor() : null;
    },
    vibrate: (pattern) => {
      // Absent on desktops and iOS; refused before a user gesture: never an error.
      try {
        window.navigator.vibrate?.(pattern);
      } catch {
        /* no vibration */
      }
    },
    setInterval: (handler, ms) => window.setInterval(handler, ms),
    clearInterval: (handle) => window.clearInterval(handle as number),
  };
}

export class WebAudioRinger implements Ringer {
  #context: AudioContext | null = null;
  #timer: unknown = null;
  #gain: GainNode | null = null;

  constructor(
    private readonly env: AudioEnvironment,
    private readonly onState: (state: RingtoneState) => void,
  ) {}

  /** After a user gesture: create (or resume) the context so that ringing may sound later. */
  unlock(): void {
    const context = this.#ensureContext();
    if (context && context.state === 'suspended' && this.#timer === null) {
      context.resume().then(
        () => context.suspend(),
        () => {},
      );
    }
  }

  start(): void {
    if (this.#timer !== null) return;
    const context = this.#ensureContext();
    this.#timer = this.env.setInterval(() => this.#ring(), PERIOD_MS);
    this.#ring();
    if (context?.state === 'running') {
      this.onState('playing');
      return;
    }
    this.onState('blocked');
    // Resolves at once after a user gesture (unlock), or never before one.
    context?.resume().then(
      () => {
        if (this.#timer === null || context.state !== 'running') return;
        this.onState('playing');
        this.#sound();
      },
      () => {},
    );
  }

  stop(): void {
    if (this.#timer === null) return;
    this.env.clearInterval(this.#timer);
    this.#timer = null;
    this.env.vibrate(0);
    // Cut the notes already scheduled.
    this.#gain?.disconnect();
    this.#gain = null;
    const context = this.#context;
    if (context && context.state === 'running') void context.suspend().catch(() => {});
    this.onState('off');
  }

  #ensureContext(): AudioContext | null {
    if (!this.#context) {
      try {
        this.#context = this.env.createContext();
      } catch {
        this.#context = null;
      }
    }
    return this.#context;
  }

  /** One period: a vibration and the notes. */
  #ring(): void {
    this.env.vibrate(VIBRATION_MS);
    this.#sound();
  }

  #sound(): void {
    const context = this.#context;
    if (!context || context.state !== 'running') return;
    this.#gain?.disconnect();
    const gain = context.createGain();
    gain.gain.value = 0;
    gain.connect(context.destination);
    this.#gain = gain;
    let at = context.currentTime + 0.02;
    for (const hz of NOTES_HZ) {
      const osc = context.createOscillator();
      osc.type = 'sine';
      osc.frequency.value = hz;
      osc.connect(gain);
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(0.25, at + 0.02);
      gain.gain.setValueAtTime(0.25, at + NOTE_S - 0.05);
      gain.gain.linearRampToValueAtTime(0, at + NOTE_S);
      osc.start(at);
      osc.stop(at + NOTE_S);
      at += NOTE_S + GAP_S;
    }
  }
}
