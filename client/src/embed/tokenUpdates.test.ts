import { describe, expect, it, vi } from 'vitest';
import { READY_MESSAGE, tokenFromMessage, watchTokenUpdates, type TokenUpdateWindow } from './tokenUpdates';

const PARENT = { name: 'parent window' };
const ORIGINS = ['https://platform.example'];

describe('tokenFromMessage', () => {
  const message = (over: Partial<{ origin: string; source: unknown; data: unknown }> = {}) => ({
    origin: 'https://platform.example',
    source: PARENT,
    data: { type: 'chantier:token', token: 'eyJ.new.token' },
    ...over,
  });

  it('takes the token of the parent on an allowed origin', () => {
    expect(tokenFromMessage(message(), PARENT, ORIGINS)).toBe('eyJ.new.token');
  });

  it.each([
    ['another origin', message({ origin: 'https://evil.example' })],
    ['a look-alike origin', message({ origin: 'https://platform.example.evil.example' })],
    ['another window than the parent', message({ source: { name: 'a popup' } })],
    ['another message type', message({ data: { type: 'other', token: 'x' } })],
    ['a string', message({ data: 'chantier:token' })],
    ['no data', message({ data: null })],
    ['a token that is not a string', message({ data: { type: 'chantier:token', token: 42 } })],
    ['an empty token', message({ data: { type: 'chantier:token', token: '  ' } })],
    ['a huge token', message({ data: { type: 'chantier:token', token: 'x'.repeat(5000) } })],
  ])('ignores %s', (_name, event) => {
    expect(tokenFromMessage(event, PARENT, ORIGINS)).toBeNull();
  });

  it('ignores everything when no origin is allowed', () => {
    expect(tokenFromMessage(message(), PARENT, [])).toBeNull();
  });
});

/** A window with listeners that tests can fire. */
function fakeWindow(options: { embedded: boolean; hash?: string }) {
  const listeners = new Map<string, Set<(event: Event) => void>>();
  const posted: Array<[unknown, string]> = [];
  const parent = { postMessage: (message: unknown, origin: string) => posted.push([message, origin]) };
  const win: TokenUpdateWindow & { fire(type: string, event: unknown): void } = {
    location: { pathname: '/p/p1/r/r1', search: '', hash: options.hash ?? '' },
    history: { state: null, replaceState: vi.fn((_state: unknown, _title: string, url?: string | URL | null) => {
      (win.location as { hash: string }).hash = new URL(String(url), 'https://chantier.example').hash;
    }) },
    parent: undefined,
    addEventListener: (type, listener) => {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type)!.add(listener);
    },
    removeEventListener: (type, listener) => listeners.get(type)?.delete(listener),
    fire: (type, event) => {
      for (const l of listeners.get(type) ?? []) l(event as Event);
    },
  };
  (win as { parent: unknown }).parent = options.embedded ? parent : win;
  return { win, parent, posted, listeners };
}

describe('watchTokenUpdates', () => {
  it('takes a token put in the fragment and removes it from the address bar', () => {
    const { win } = fakeWindow({ embedded: false });
    const tokens: string[] = [];
    const origins = vi.fn(async () => ORIGINS);
    watchTokenUpdates(win, (t) => tokens.push(t), origins);
    (win.location as { hash: string }).hash = '#token=fresh&lang=fr';
    win.fire('hashchange', {});
    expect(tokens).toEqual(['fresh']);
    expect(win.history.replaceState).toHaveBeenCalledWith(null, '', '/p/p1/r/r1#lang=fr');
    win.fire('hashchange', {}); // the fragment no longer has a token
    expect(tokens).toEqual(['fresh']);
    // Not embedded: the origins are not even asked for.
    expect(origins).not.toHaveBeenCalled();
  });

  it('when embedded, takes tokens from the parent on an allowed origin only, and says it is ready', async () => {
    const { win, parent, posted } = fakeWindow({ embedded: true });
    const tokens: string[] = [];
    const stop = watchTokenUpdates(win, (t) => tokens.push(t), async () => ORIGINS);
    win.fire('message', { origin: 'https://evil.example', source: parent, data: { type: 'chantier:token', token: 'evil' } });
    win.fire('message', { origin: 'https://platform.example', source: parent, data: { type: 'chantier:token', token: 'good' } });
    await vi.waitFor(() => expect(tokens).toEqual(['good']));
    expect(posted).toEqual([[{ type: READY_MESSAGE }, 'https://platform.example']]);
    stop();
    win.fire('message', { origin: 'https://platform.example', source: parent, data: { type: 'chantier:token', token: 'late' } });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(tokens).toEqual(['good']);
  });

  it('ignores the parent when the origins cannot be fetched', async () => {
    const { win, parent } = fakeWindow({ embedded: true });
    const tokens: string[] = [];
    watchTokenUpdates(win, (t) => tokens.push(t), async () => {
      throw new Error('offline');
    });
    win.fire('message', { origin: 'https://platform.example', source: parent, data: { type: 'chantier:token', token: 'x' } });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(tokens).toEqual([]);
  });
});
