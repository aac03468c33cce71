import { describe, expect, it, vi } from 'vitest';
import { callPath, hashWithoutToken, invitationTarget, linkWithToken, meetingPath, parseRoute, projectPath, readLink, type TokenStorage } from './route';

describe('parseRoute', () => {
  it('reads project, room and token of a meeting link', () => {
    expect(parseRoute('/p/proj-1/r/room_2', '#token=abc.def.ghi')).toEqual({
      kind: 'meeting',
      projectId: 'proj-1',
      roomId: 'room_2',
      token: 'abc.def.ghi',
    });
  });

  it('reads project and token of a project link', () => {
    expect(parseRoute('/p/proj-1', '#token=abc.def.ghi')).toEqual({
      kind: 'project',
      projectId: 'proj-1',
      token: 'abc.def.ghi',
    });
    expect(parseRoute('/p/proj-1/', '')).toEqual({ kind: 'project', projectId: 'proj-1', token: null });
  });

  it('accepts a trailing slash and other fragment parameters', () => {
    expect(parseRoute('/p/a/r/b/', '#x=1&token=tok')).toMatchObject({ kind: 'meeting', token: 'tok' });
    expect(parseRoute('/p/a/', '#x=1&token=tok')).toMatchObject({ kind: 'project', token: 'tok' });
  });

  it('gives a link without token when the fragment lacks it', () => {
    expect(parseRoute('/p/a/r/b', '')).toEqual({ kind: 'meeting', projectId: 'a', roomId: 'b', token: null });
    expect(parseRoute('/p/a/r/b', '#token=')).toMatchObject({ token: null });
    expect(parseRoute('/p/a', '#token=%20')).toMatchObject({ kind: 'project', token: null });
  });

  it('reads the audio-only and join flags of a call link', () => {
    expect(parseRoute('/p/a/r/appel-x', '#token=t', '?audio=1&join=1')).toEqual({
      kind: 'meeting',
      projectId: 'a',
      roomId: 'appel-x',
      token: 't',
      audioOnly: true,
      autoJoin: true,
    });
    expect(parseRoute('/p/a/r/b', '', '?audio')).toMatchObject({ audioOnly: true });
    expect(parseRoute('/p/a/r/b', '', '?audio=true')).toMatchObject({ audioOnly: true });
    for (const search of ['', '?audio=0', '?audio=no', '?lang=en', '?audioX=1']) {
      const route = parseRoute('/p/a/r/b', '', search);
      expect(route, search).not.toHaveProperty('audioOnly');
      expect(route, search).not.toHaveProperty('autoJoin');
    }
    // Flags mean nothing on the project page.
    expect(parseRoute('/p/a', '', '?audio=1')).toEqual({ kind: 'project', projectId: 'a', token: null });
    const link = callPath('a', 'appel-x');
    expect(link).toBe('/p/a/r/appel-x?audio=1&join=1');
    const url = new URL(linkWithToken(link, 'tok', false), 'http://h');
    expect(parseRoute(url.pathname, url.hash, url.search)).toMatchObject({ roomId: 'appel-x', token: 'tok', audioOnly: true, autoJoin: true });
  });

  it('sends anything else home', () => {
    for (const path of ['/', '/p', '/p/', '/p/a/r', '/p/a/r/b/c', '/p/a b', '/p/a b/r/c', '/x/a/r/b', '/p/a/x', `/p/${'a'.repeat(65)}`, `/p/${'a'.repeat(65)}/r/b`]) {
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

describe('links between pages of a project', () => {
  it('builds paths and carries the token only when it could not be stored', () => {
    expect(projectPath('p1')).toBe('/p/p1');
    expect(meetingPath('p1', 'reunion')).toBe('/p/p1/r/reunion');
    expect(linkWithToken('/p/p1/r/reunion', 'a.b.c', true)).toBe('/p/p1/r/reunion');
    expect(linkWithToken('/p/p1/r/reunion', 'a.b.c', false)).toBe('/p/p1/r/reunion#token=a.b.c');
  });
});

describe('readLink', () => {
  function memoryStorage(): TokenStorage {
    const map = new Map<string, string>();
    return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
  }

  it('removes the token from the address bar, keeping the query', () => {
    const history = { state: null, replaceState: vi.fn() };
    const { route } = readLink({ pathname: '/p/a/r/b', search: '?lang=en', hash: '#token=secret' }, history, null);
    expect(route).toMatchObject({ kind: 'meeting', token: 'secret' });
    expect(history.replaceState).toHaveBeenCalledWith(null, '', '/p/a/r/b?lang=en');
  });

  it('removes the token of a project link too', () => {
    const history = { state: null, replaceState: vi.fn() };
    const read = readLink({ pathname: '/p/a', search: '', hash: '#token=secret&x=1' }, history, memoryStorage());
    expect(read).toEqual({ route: { kind: 'project', projectId: 'a', token: 'secret' }, tokenStored: true });
    expect(history.replaceState).toHaveBeenCalledWith(null, '', '/p/a#x=1');
  });

  it('shares the token between the project page and its meetings, in this tab, after a reload', () => {
    const session = memoryStorage();
    const history = { state: null, replaceState: vi.fn() };
    readLink({ pathname: '/p/a', search: '', hash: '#token=secret' }, history, session);
    const reloaded = readLink({ pathname: '/p/a', search: '', hash: '' }, history, session);
    expect(reloaded).toEqual({ route: { kind: 'project', projectId: 'a', token: 'secret' }, tokenStored: true });
    expect(readLink({ pathname: '/p/a/r/reunion', search: '', hash: '' }, history, session).route).toMatchObject({
      kind: 'meeting',
      token: 'secret',
    });
    expect(readLink({ pathname: '/p/other', search: '', hash: '' }, history, session)).toEqual({
      route: { kind: 'project', projectId: 'other', token: null },
      tokenStored: false,
    });
    expect(history.replaceState).toHaveBeenCalledTimes(1);
  });

  it('says when the token could not be stored', () => {
    const history = { state: null, replaceState: vi.fn() };
    const blocked: TokenStorage = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(readLink({ pathname: '/p/a', search: '', hash: '#token=t' }, history, blocked).tokenStored).toBe(false);
    expect(readLink({ pathname: '/p/a', search: '', hash: '#token=t' }, history, null).tokenStored).toBe(false);
  });
});

describe('invitation links', () => {
  it('reads the code of /i/<code>', () => {
    expect(parseRoute('/i/Ab_9-xYz012345678901234', '')).toEqual({ kind: 'invitation', code: 'Ab_9-xYz012345678901234' });
    expect(parseRoute('/i/abc/', '#token=t')).toEqual({ kind: 'invitation', code: 'abc' });
    expect(parseRoute('/i/', '')).toEqual({ kind: 'home' });
    expect(parseRoute('/i/a b', '')).toEqual({ kind: 'home' });
    expect(parseRoute(`/i/${'a'.repeat(65)}`, '')).toEqual({ kind: 'home' });
  });

  it('leaves the address bar and the storage alone on an invitation link', () => {
    const replaceState = vi.fn();
    const session = { getItem: vi.fn(() => null), setItem: vi.fn() };
    const read = readLink({ pathname: '/i/code1', search: '', hash: '' }, { replaceState, state: null }, session);
    expect(read).toEqual({ route: { kind: 'invitation', code: 'code1' }, tokenStored: false });
    expect(replaceState).not.toHaveBeenCalled();
    expect(session.setItem).not.toHaveBeenCalled();
  });

  it('stores the accepted token like a #token= link and leads to the meeting or the project', () => {
    const store = new Map<string, string>();
    const session: TokenStorage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) };
    expect(invitationTarget({ token: 'tok', projectId: 'p1', roomId: 'reunion' }, session)).toBe('/p/p1/r/reunion');
    expect(store.get('chantier.token:p1')).toBe('tok');
    expect(invitationTarget({ token: 'tok2', projectId: 'p2' }, session)).toBe('/p/p2');
    // The next page finds it as it would a #token= link's.
    expect(readLink({ pathname: '/p/p2', search: '', hash: '' }, { replaceState: vi.fn(), state: null }, session).route).toMatchObject({ token: 'tok2' });
  });

  it('puts the token in the fragment when it cannot be stored', () => {
    const full: TokenStorage = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(invitationTarget({ token: 'a.b.c', projectId: 'p1', roomId: 'r' }, full)).toBe('/p/p1/r/r#token=a.b.c');
    expect(invitationTarget({ token: 'a.b.c', projectId: 'p1' }, null)).toBe('/p/p1#token=a.b.c');
  });
});
