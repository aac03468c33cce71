import { describe, expect, it, vi } from 'vitest';
import { RELOAD_GUARD_MS, RELOAD_KEY, reloadIfOutdated, shouldReload, WORKER_WAIT_MS, type ReloadEnvironment } from './outdatedShell';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
}

function environment(now: number, storage = memoryStorage()): ReloadEnvironment & { reloads: number; storage: ReturnType<typeof memoryStorage> } {
  const env = {
    storage,
    reloads: 0,
    now: () => now,
    newestWorker: vi.fn(async () => {}),
    reload: () => {
      env.reloads += 1;
    },
  };
  return env;
}

describe('a page of an outdated build', () => {
  it('reloads once when the server refuses its protocol, after asking for the newest worker', async () => {
    const env = environment(1_000_000);
    expect(await reloadIfOutdated('UNSUPPORTED_PROTOCOL', env)).toBe(true);
    expect(env.newestWorker).toHaveBeenCalledWith(WORKER_WAIT_MS);
    expect(env.reloads).toBe(1);
    expect(env.storage.items.get(RELOAD_KEY)).toBe('1000000');
  });

  it('does not reload again within the guard, so a lasting mismatch shows its error instead of a loop', async () => {
    const storage = memoryStorage();
    await reloadIfOutdated('UNSUPPORTED_PROTOCOL', environment(1_000_000, storage));
    const again = environment(1_000_000 + RELOAD_GUARD_MS - 1, storage);
    expect(await reloadIfOutdated('UNSUPPORTED_PROTOCOL', again)).toBe(false);
    expect(again.reloads).toBe(0);
    const later = environment(1_000_000 + RELOAD_GUARD_MS, storage);
    expect(await reloadIfOutdated('UNSUPPORTED_PROTOCOL', later)).toBe(true);
  });

  it('never reloads for other errors or none', () => {
    for (const code of [null, undefined, 'TOKEN_EXPIRED', 'CONNECTION_LOST', 'INTERNAL']) expect(shouldReload(code, null, 0)).toBe(false);
  });

  it('reloads even when the newest worker cannot be had, and with no storage at all', async () => {
    const env = { ...environment(5), storage: null, newestWorker: async () => Promise.reject(new Error('offline')) };
    let reloaded = false;
    expect(await reloadIfOutdated('UNSUPPORTED_PROTOCOL', { ...env, reload: () => (reloaded = true) })).toBe(true);
    expect(reloaded).toBe(true);
  });

  it('reads a garbled or future guard value as no recent reload', () => {
    const storage = memoryStorage();
    storage.setItem(RELOAD_KEY, 'abc');
    expect(shouldReload('UNSUPPORTED_PROTOCOL', storage, 10)).toBe(true);
    storage.setItem(RELOAD_KEY, '999999');
    expect(shouldReload('UNSUPPORTED_PROTOCOL', storage, 10)).toBe(true);
  });
});
