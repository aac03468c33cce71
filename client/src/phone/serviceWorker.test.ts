import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { afterConnecting, registerServiceWorker } from './serviceWorker';

function fakeWindow(readyState: DocumentReadyState) {
  const registered: string[] = [];
  const listeners = new Map<string, () => void>();
  const win = {
    document: { readyState },
    navigator: { serviceWorker: { register: async (url: string) => (registered.push(url), { scope: '/' }) } },
    addEventListener: (type: string, listener: () => void) => void listeners.set(type, listener),
  };
  return { win: win as unknown as Window, registered, fire: (type: string) => listeners.get(type)?.() };
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('registering the service worker', () => {
  it('waits for the page to load and for the meeting\'s join screen', async () => {
    const phase = signal('connecting');
    const { win, registered, fire } = fakeWindow('loading');
    registerServiceWorker(win, afterConnecting(phase));
    fire('load');
    await turn();
    expect(registered).toEqual([]); // loaded, but the join screen is not up: its bytes come first
    phase.value = 'lobby';
    await turn();
    expect(registered).toEqual(['/sw.js']);
  });

  it('registers at load where nothing else is waited for (home and project pages)', async () => {
    const { win, registered, fire } = fakeWindow('interactive');
    registerServiceWorker(win);
    await turn();
    expect(registered).toEqual([]);
    fire('load');
    await turn();
    expect(registered).toEqual(['/sw.js']);
  });

  it('counts a meeting that fails before its join screen as settled', async () => {
    const phase = signal('connecting');
    const settled = afterConnecting(phase);
    phase.value = 'error';
    await expect(settled).resolves.toBeUndefined();
    phase.value = 'connecting'; // a reconnection later changes nothing
  });
});
