import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors.js';
import { ErrorCode, type LobbyEntry } from '../protocol/index.js';
import { DENIAL_BACKOFF_MS, Lobby, LOBBY_NOTIFY_INTERVAL_MS } from './Lobby.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return undefined;
}

describe('Lobby', () => {
  let sent: LobbyEntry[][];
  let lobby: Lobby;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    sent = [];
    lobby = new Lobby({ onChange: (waiting) => sent.push(waiting), max: 3 });
  });
  afterEach(() => {
    lobby.close();
    vi.useRealTimers();
  });

  it('keeps the waiting guests in order of arrival; knocking again keeps one place', () => {
    expect(lobby.add('p1', 'u1', 'Gus')).toBe(true);
    vi.advanceTimersByTime(10);
    expect(lobby.add('p2', 'u2', 'Gil')).toBe(true);
    expect(lobby.add('p1', 'u1', 'Gus again')).toBe(false);
    expect(lobby.waiting).toEqual([
      { peerId: 'p1', displayName: 'Gus', since: 1_000_000 },
      { peerId: 'p2', displayName: 'Gil', since: 1_000_010 },
    ]);
    expect(lobby.remove('p1')?.userId).toBe('u1');
    expect(lobby.remove('p1')).toBeUndefined();
    expect(lobby.waitingPeerIds).toEqual(['p2']);
  });

  it('is bounded: LOBBY_FULL beyond its size, room again once someone leaves', () => {
    lobby.add('p1', 'u1', 'A');
    lobby.add('p2', 'u2', 'B');
    lobby.add('p3', 'u3', 'C');
    expect(codeOf(() => lobby.add('p4', 'u4', 'D'))).toBe(ErrorCode.LOBBY_FULL);
    lobby.remove('p2');
    expect(lobby.add('p4', 'u4', 'D')).toBe(true);
  });

  it('refuses a refused user\'s knocks for the back-off, then lets them knock again', () => {
    lobby.add('p1', 'u1', 'Gus');
    lobby.remove('p1');
    lobby.deny('u1');
    expect(lobby.deniedFor('u1')).toBe(DENIAL_BACKOFF_MS);
    expect(codeOf(() => lobby.add('p1', 'u1', 'Gus'))).toBe(ErrorCode.ADMISSION_DENIED);
    // Another session of the same user too.
    expect(codeOf(() => lobby.add('p9', 'u1', 'Gus'))).toBe(ErrorCode.ADMISSION_DENIED);
    vi.advanceTimersByTime(DENIAL_BACKOFF_MS - 1);
    expect(codeOf(() => lobby.add('p1', 'u1', 'Gus'))).toBe(ErrorCode.ADMISSION_DENIED);
    vi.advanceTimersByTime(1);
    expect(lobby.deniedFor('u1')).toBe(0);
    expect(lobby.add('p1', 'u1', 'Gus')).toBe(true);
  });

  it('remembers admitted users; a refusal withdraws an admission, an admission ends a refusal', () => {
    lobby.admit('u1');
    expect(lobby.isAdmitted('u1')).toBe(true);
    lobby.deny('u1');
    expect(lobby.isAdmitted('u1')).toBe(false);
    lobby.admit('u1');
    expect(lobby.deniedFor('u1')).toBe(0);
  });

  it('admits everyone waiting at once (the lobby turned off)', () => {
    lobby.add('p1', 'u1', 'A');
    lobby.add('p2', 'u2', 'B');
    expect(lobby.admitAll().map((w) => w.peerId)).toEqual(['p1', 'p2']);
    expect(lobby.size).toBe(0);
    expect(lobby.isAdmitted('u1') && lobby.isAdmitted('u2')).toBe(true);
    expect(lobby.admitAll()).toEqual([]);
  });

  it('tells moderators at once, then at most once per interval with the list as it is then', () => {
    lobby.add('p1', 'u1', 'A');
    expect(sent.map((w) => w.map((e) => e.peerId))).toEqual([['p1']]);
    // A burst: nothing more until the interval is over, then one notification.
    lobby.add('p2', 'u2', 'B');
    lobby.add('p3', 'u3', 'C');
    lobby.remove('p1');
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(LOBBY_NOTIFY_INTERVAL_MS - 1);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent.map((w) => w.map((e) => e.peerId))).toEqual([['p1'], ['p2', 'p3']]);
    // Quiet for long enough: the next change goes at once again.
    vi.advanceTimersByTime(LOBBY_NOTIFY_INTERVAL_MS);
    lobby.remove('p2');
    expect(sent.map((w) => w.map((e) => e.peerId))).toEqual([['p1'], ['p2', 'p3'], ['p3']]);
  });

  it('a hundred changes in a second make at most five notifications', () => {
    for (let i = 0; i < 100; i++) {
      if (i % 2 === 0) lobby.add('p1', 'u1', 'A');
      else lobby.remove('p1');
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(LOBBY_NOTIFY_INTERVAL_MS);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.length).toBeLessThanOrEqual(5);
    // The last one says how it ended: nobody waiting.
    expect(sent.at(-1)).toEqual([]);
  });

  it('says nothing once closed', () => {
    lobby.add('p1', 'u1', 'A');
    lobby.add('p2', 'u2', 'B');
    lobby.close();
    vi.advanceTimersByTime(LOBBY_NOTIFY_INTERVAL_MS * 2);
    expect(sent).toHaveLength(1);
    expect(lobby.size).toBe(0);
  });
});
