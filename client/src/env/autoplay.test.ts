import { describe, expect, it } from 'vitest';
import { BlockedPlayback, isAutoplayRefusal, type PlayableLike } from './autoplay';

/** An element that refuses to play until `allow()`. */
function element(): PlayableLike & { allow(): void; plays: number } {
  let allowed = false;
  return {
    plays: 0,
    allow() {
      allowed = true;
    },
    play() {
      this.plays++;
      return allowed ? Promise.resolve() : Promise.reject(new DOMException('needs a gesture', 'NotAllowedError'));
    },
  };
}

describe('BlockedPlayback', () => {
  it('tells a refusal a gesture lifts from other failures', () => {
    expect(isAutoplayRefusal(new DOMException('x', 'NotAllowedError'))).toBe(true);
    expect(isAutoplayRefusal(new DOMException('x', 'AbortError'))).toBe(false);
    expect(isAutoplayRefusal(new DOMException('x', 'NotSupportedError'))).toBe(false);
    expect(isAutoplayRefusal('NotAllowedError')).toBe(false);
  });

  it('is blocked while a refused element waits, and not once it is gone', () => {
    const playback = new BlockedPlayback();
    const a = element();
    expect(playback.blocked.value).toBe(false);
    playback.refused(a);
    playback.refused(a);
    expect(playback.blocked.value).toBe(true);
    playback.forget(a);
    expect(playback.blocked.value).toBe(false);
  });

  it('plays every refused element on the gesture, keeps those still refused, never rejects', async () => {
    const playback = new BlockedPlayback();
    const a = element();
    const b = element();
    playback.refused(a);
    playback.refused(b);
    a.allow();
    await expect(playback.resumeAll()).resolves.toBeUndefined();
    expect(a.plays).toBe(1);
    expect(b.plays).toBe(1);
    expect(playback.blocked.value).toBe(true);
    b.allow();
    await playback.resumeAll();
    expect(playback.blocked.value).toBe(false);
    expect(a.plays).toBe(1);
  });
});
