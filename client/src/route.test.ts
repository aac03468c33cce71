import { describe, expect, it, vi } from 'vitest';
import { hashWithoutToken, parseRoute, readMeetingLink } from './route';

describe('parseRoute', () => {
  it('reads project, room and token', () => {
    expect(parseRoute('/p/proj-1/r/room_2', '#token=abc.def.ghi')).toEqual({
      kind: 'meeting',
      projectId: 'proj-1',
      roomId: 'room_2',
      token: 'abc.def.ghi',
    });
  });

  it('accepts a trailing slash and other fragment parameters', () => {
    expect(parseRoute('/p/a/r/b/', '#x=1&token=tok')).toMatchObject({ kind: 'meeting', token: 'tok' });
  });

  it('gives a meeting without token when the fragment lacks it', () => {
    expect(parseRoute('/p/a/r/b', '')).toEqual({ kind: 'meeting', projectId: 'a', roomId: 'b', token: null });
    expect(parseRoute('/p/a/r/b', '#token=')).toMatchObject({ token: null });
  });

  it('sends anything else home', () => {
    for (const path of ['/', '/p/a', '/p/a/r', '/p/a/r/b/c', '/p/a b/r/c', '/x/a/r/b', `/p/${'a'.repeat(65)}/r/b`]) {
      expect(parseRoute(path, '#token=t'), path).toEqual({ kind: 'home' });
    }
  });
});

describe('hashWithoutToken', () => {
  it('removes only the token', () => {
    expect(hashWithoutToken('#token=abc')).toBe('');
    expect(hashWithoutToken('#token=abc&x=1')).toBe('#x=1');
    expect(hashWithoutToken('')).toBe('');
  });
});

describe('readMeetingLink', () => {
  function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> {
    const map = new Map<string, string>();
    return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
  }

  it('removes the token from the address bar, keeping the query', () => {
    const history = { state: null, replaceState: vi.fn() };
    const route = readMeetingLink({ pathname: '/p/a/r/b', search: '?lang=en', hash: '#token=secret' }, history, null);
    expect(route).toMatchObject({ kind: 'meeting', token: 'secret' });
    expect(history.replaceState).toHaveBeenCalledWith(null, '', '/p/a/r/b?lang=en');
  });

  it('finds the token again after a reload of the same tab', () => {
    const session = memoryStorage();
    const history = { state: null, replaceState: vi.fn() };
    readMeetingLink({ pathname: '/p/a/r/b', search: '', hash: '#token=secret' }, history, session);
    const reloaded = readMeetingLink({ pathname: '/p/a/r/b', search: '', hash: '' }, history, session);
    expect(reloaded).toMatchObject({ token: 'secret' });
    const otherRoom = readMeetingLink({ pathname: '/p/a/r/c', search: '', hash: '' }, history, session);
    expect(otherRoom).toMatchObject({ token: null });
    expect(history.replaceState).toHaveBeenCalledTimes(1);
  });
});
