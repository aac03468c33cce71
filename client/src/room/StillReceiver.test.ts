/**
 * StillReceiver's fetches on a link that loses them: a failed or stalled
 * fetch of the announced version is tried again with a back-off (0.5, 1,
 * 2… s) and bounded in time; a refusal that will not change (403, 404)
 * stops; the stage's state says the share's first still is loading. fetch
 * and the clock are stand-ins.
 */
import { signal, type Signal } from '@preact/signals';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScreenStillView } from '../stage/screenStill';
import { FETCH_TIMEOUT_MS, StillReceiver } from './StillReceiver';

type Answer = 'ok' | 'hang' | 'reset' | number | { version: number; afterMs: number };

describe('StillReceiver', () => {
  const endpoint = { origin: 'http://node', projectId: 'p', roomId: 'r', token: 't' };
  let answers: Answer[];
  let fetch: ReturnType<typeof vi.fn>;
  let stills: Signal<ReadonlyMap<string, ScreenStillView>>;
  let urls = 0;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    answers = [];
    urls = 0;
    stills = signal<ReadonlyMap<string, ScreenStillView>>(new Map());
    fetch = vi.fn((_url: string, init: RequestInit) => {
      const answer = answers.shift() ?? 'ok';
      if (answer === 'hang') {
        // A connection that never answers: only the fetch's signal ends it.
        return new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)));
      }
      if (answer === 'reset') return Promise.reject(new TypeError('Failed to fetch'));
      const status = typeof answer === 'number' ? answer : 200;
      const version = typeof answer === 'object' ? answer.version : 1;
      const response = {
        ok: status === 200,
        status,
        headers: new Headers({ 'X-Still-Version': String(version) }),
        blob: () => Promise.resolve(new Blob(['RIFF....WEBP'])),
      };
      return typeof answer === 'object' ? new Promise((resolve) => setTimeout(resolve, answer.afterMs, response)) : Promise.resolve(response);
    });
    vi.stubGlobal('fetch', fetch);
    vi.stubGlobal('URL', Object.assign(Object.create(URL), { createObjectURL: () => `blob:${++urls}`, revokeObjectURL: () => {} }));
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  const gets = (): number => fetch.mock.calls.length;

  it('retries a failed fetch of the announced still with a back-off, and says meanwhile that it is loading', async () => {
    answers = ['reset', 503, 'reset'];
    const receiver = new StillReceiver(stills, () => endpoint);
    void receiver.announced('alice', 'screen-1', 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(stills.value.get('alice')).toEqual({ producerId: 'screen-1', version: 1, url: null });
    expect(gets()).toBe(1);
    await vi.advanceTimersByTimeAsync(499);
    expect(gets()).toBe(1);
    await vi.advanceTimersByTimeAsync(1); // 0.5 s
    expect(gets()).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000); // 1 s more
    expect(gets()).toBe(3);
    await vi.advanceTimersByTimeAsync(2_000); // 2 s more: the fourth answers
    expect(gets()).toBe(4);
    expect(stills.value.get('alice')).toEqual({ producerId: 'screen-1', version: 1, url: 'blob:1' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gets()).toBe(4);
  });

  it('gives a stalled fetch up after its bound and tries again', async () => {
    answers = ['hang'];
    const receiver = new StillReceiver(stills, () => endpoint);
    void receiver.announced('alice', 'screen-1', 1);
    await vi.advanceTimersByTimeAsync(FETCH_TIMEOUT_MS - 1);
    expect(gets()).toBe(1);
    await vi.advanceTimersByTimeAsync(1 + 500);
    expect(gets()).toBe(2);
    expect(stills.value.get('alice')?.url).toBe('blob:1');
  });

  it('stops retrying a version no longer announced, and on 403 or 404', async () => {
    answers = ['reset', 'reset'];
    const receiver = new StillReceiver(stills, () => endpoint);
    void receiver.announced('alice', 'screen-1', 1);
    await vi.advanceTimersByTimeAsync(0);
    void receiver.announced('alice', 'screen-1', null); // the video flows again
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gets()).toBe(1);
    expect(stills.value.has('alice')).toBe(false);

    answers = [404];
    void receiver.announced('alice', 'screen-1', 2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gets()).toBe(2);
    expect(stills.value.has('alice')).toBe(false); // nothing said to be loading any more
  });

  it('keeps the picture shown while a newer version is fetched', async () => {
    const receiver = new StillReceiver(stills, () => endpoint);
    await receiver.announced('alice', 'screen-1', 1);
    answers = ['reset'];
    void receiver.announced('alice', 'screen-1', 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(stills.value.get('alice')).toEqual({ producerId: 'screen-1', version: 1, url: 'blob:1' });
    await vi.advanceTimersByTimeAsync(500);
    expect(stills.value.get('alice')).toEqual({ producerId: 'screen-1', version: 2, url: 'blob:2' });
  });

  it('fetches the first still as the share begins (waiting for it), and shows it when announced without fetching again', async () => {
    answers = [{ version: 1, afterMs: 2_000 }];
    const receiver = new StillReceiver(stills, () => endpoint);
    receiver.prepare('screen-1');
    expect(gets()).toBe(1);
    expect(String(fetch.mock.calls[0]![0])).toMatch(/\/screens\/screen-1\/still\?wait=true$/);
    // Announced before the early fetch has answered: it waits for it, no second fetch.
    void receiver.announced('alice', 'screen-1', 1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stills.value.get('alice')?.url).toBeNull();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stills.value.get('alice')).toEqual({ producerId: 'screen-1', version: 1, url: 'blob:1' });
    expect(gets()).toBe(1);
    // A newer version than the early one is fetched.
    void receiver.announced('alice', 'screen-1', 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(gets()).toBe(2);
  });

  it('fetches the announced still when the early fetch failed', async () => {
    answers = [404];
    const receiver = new StillReceiver(stills, () => endpoint);
    receiver.prepare('screen-1');
    await vi.advanceTimersByTimeAsync(0);
    await receiver.announced('alice', 'screen-1', 1);
    expect(gets()).toBe(2);
    expect(String(fetch.mock.calls[1]![0])).not.toContain('wait');
    expect(stills.value.get('alice')?.url).toBe('blob:1');
  });
});
