import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { bindWakeLock, ScreenWakeLock, type SentinelLike, type WakeLockLike } from './wakeLock';

/** A wakeLock like the browser's: sentinels the "system" can release (page hidden). */
class FakeWakeLock implements WakeLockLike {
  requests = 0;
  refuse = false;
  gate: Promise<void> = Promise.resolve();
  readonly sentinels: FakeSentinel[] = [];
  async request(type: 'screen'): Promise<SentinelLike> {
    expect(type).toBe('screen');
    this.requests++;
    await this.gate;
    if (this.refuse) throw new DOMException('not visible', 'NotAllowedError');
    const sentinel = new FakeSentinel();
    this.sentinels.push(sentinel);
    return sentinel;
  }
  get active(): number {
    return this.sentinels.filter((s) => !s.released).length;
  }
}

class FakeSentinel implements SentinelLike {
  released = false;
  private readonly listeners: Array<() => void> = [];
  addEventListener(_type: 'release', listener: () => void): void {
    this.listeners.push(listener);
  }
  release(): Promise<void> {
    if (!this.released) {
      this.released = true;
      for (const l of this.listeners) l();
    }
    return Promise.resolve();
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ScreenWakeLock', () => {
  it('holds one lock while wanted and releases it on leave', async () => {
    const api = new FakeWakeLock();
    const lock = new ScreenWakeLock(api);
    await lock.set(true);
    await lock.set(true);
    expect(api.requests).toBe(1);
    expect(lock.held).toBe(true);
    await lock.set(false);
    expect(api.active).toBe(0);
    expect(lock.held).toBe(false);
  });

  it('asks again after the system released it (page hidden, then visible)', async () => {
    const api = new FakeWakeLock();
    const joined = signal(false);
    const visible = signal(true);
    const lock = new ScreenWakeLock(api);
    const dispose = bindWakeLock(lock, joined, visible);
    await settle();
    expect(api.requests).toBe(0); // the lobby does not keep the screen on

    joined.value = true;
    await settle();
    expect(api.active).toBe(1);

    // Hidden: the browser releases the lock itself, then the page says it is hidden.
    await api.sentinels[0]!.release();
    visible.value = false;
    await settle();
    expect(lock.held).toBe(false);
    expect(api.requests).toBe(1);

    visible.value = true;
    await settle();
    expect(api.requests).toBe(2);
    expect(api.active).toBe(1);

    joined.value = false; // left
    await settle();
    expect(api.active).toBe(0);
    dispose();
  });

  it('releases at once a lock granted after leaving', async () => {
    const api = new FakeWakeLock();
    let open!: () => void;
    api.gate = new Promise((resolve) => (open = resolve));
    const lock = new ScreenWakeLock(api);
    const acquiring = lock.set(true);
    const leaving = lock.set(false);
    open();
    await Promise.all([acquiring, leaving]);
    expect(api.sentinels).toHaveLength(1);
    expect(api.active).toBe(0);
    expect(lock.held).toBe(false);
  });

  it('survives a refusal and tries again on the next change', async () => {
    const api = new FakeWakeLock();
    api.refuse = true;
    const lock = new ScreenWakeLock(api);
    await lock.set(true);
    expect(lock.held).toBe(false);
    api.refuse = false;
    await lock.set(true);
    expect(lock.held).toBe(true);
  });

  it('does nothing where the browser has no wake lock', async () => {
    const lock = new ScreenWakeLock(undefined);
    expect(lock.supported).toBe(false);
    await lock.set(true);
    expect(lock.held).toBe(false);
  });
});
