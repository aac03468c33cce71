import { describe, expect, it } from 'vitest';
import type { RingtoneState } from './callState';
import { WebAudioRinger, type AudioEnvironment } from './ringtone';

/** Just enough of an AudioContext: counts the notes started. */
class FakeContext {
  state: AudioContextState;
  currentTime = 0;
  destination = {};
  notes = 0;
  resumeGate: (() => void) | null = null;
  constructor(state: AudioContextState, private readonly resumable: boolean) {
    this.state = state;
  }
  resume(): Promise<void> {
    if (this.resumable) {
      this.state = 'running';
      return Promise.resolve();
    }
    return new Promise(() => {}); // no user gesture yet: never resolves
  }
  suspend(): Promise<void> {
    this.state = 'suspended';
    return Promise.resolve();
  }
  createGain() {
    const param = { value: 0, setValueAtTime() {}, linearRampToValueAtTime() {} };
    return { gain: param, connect() {}, disconnect() {} };
  }
  createOscillator() {
    return { type: 'sine', frequency: { value: 0 }, connect() {}, start: () => this.notes++, stop() {} };
  }
}

function environment(context: FakeContext | null) {
  const vibrations: Array<number | number[]> = [];
  let tick: (() => void) | null = null;
  const env: AudioEnvironment = {
    createContext: () => context as unknown as AudioContext,
    vibrate: (pattern) => vibrations.push(pattern),
    setInterval: (handler) => {
      tick = handler;
      return 1;
    },
    clearInterval: () => {
      tick = null;
    },
  };
  return { env, vibrations, tick: () => tick?.(), ticking: () => tick !== null };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('WebAudioRinger', () => {
  it('plays oscillator notes every period and vibrates, until stopped', async () => {
    const context = new FakeContext('suspended', true);
    const { env, vibrations, tick, ticking } = environment(context);
    const states: RingtoneState[] = [];
    const ringer = new WebAudioRinger(env, (s) => states.push(s));
    ringer.start();
    await flush();
    expect(states.at(-1)).toBe('playing');
    const afterFirst = context.notes;
    expect(afterFirst).toBeGreaterThan(0);
    tick();
    expect(context.notes).toBe(afterFirst * 2);
    expect(vibrations.length).toBeGreaterThanOrEqual(2);
    ringer.start(); // already ringing: nothing more
    ringer.stop();
    expect(ticking()).toBe(false);
    expect(vibrations.at(-1)).toBe(0);
    expect(states.at(-1)).toBe('off');
    expect(context.state).toBe('suspended');
  });

  it('says the sound is blocked before any user gesture, and still vibrates', async () => {
    const context = new FakeContext('suspended', false);
    const { env, vibrations } = environment(context);
    const states: RingtoneState[] = [];
    const ringer = new WebAudioRinger(env, (s) => states.push(s));
    ringer.start();
    await flush();
    expect(states).toEqual(['blocked']);
    expect(context.notes).toBe(0);
    expect(vibrations.length).toBe(1);
    ringer.stop();
    expect(states.at(-1)).toBe('off');
  });

  it('rings silently where there is no WebAudio', () => {
    const { env } = environment(null);
    const states: RingtoneState[] = [];
    const ringer = new WebAudioRinger(env, (s) => states.push(s));
    ringer.start();
    expect(states).toEqual(['blocked']);
    ringer.stop();
  });
});
