import pino from 'pino';
import type { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IceServer, TurnService } from '../plugins/turn.js';
import type { Room } from '../rooms/Room.js';
import { Session } from '../ws/Session.js';
import { CredentialRenewal, helloIceServers, renewalDelayMs } from './CredentialRenewal.js';

const TTL_S = 12;
const RENEW_MS = 9_000;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-29T14:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Credentials like turn/src/credentials.ts's: the username starts with the expiry. */
/** `null`: TURN off. */
function fakeTurn(ttlS: number | null = TTL_S): TurnService & { issued: number } {
  const turn = {
    issued: 0,
    mode: ttlS === null ? 'off' : 'external',
    credentialTtlS: ttlS ?? undefined,
    iceServers(userId: string): IceServer[] {
      if (ttlS === null) return [];
      turn.issued++;
      const expiry = Math.floor(Date.now() / 1000) + ttlS;
      return [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: `${expiry}:${userId}`, credential: `c${turn.issued}` }];
    },
    status: async () => ({ mode: 'external', state: 'ok' }),
  } as TurnService & { issued: number };
  return turn;
}

function renewal(deliver = vi.fn<(s: IceServer[]) => void>()) {
  const turn = fakeTurn();
  return { deliver, turn, renewal: new CredentialRenewal({ ttlS: TTL_S, issue: () => turn.iceServers('u1'), deliver }) };
}

describe('renewalDelayMs', () => {
  it('is three quarters of the lifetime', () => {
    expect(renewalDelayMs(12)).toBe(9_000);
    expect(renewalDelayMs(10)).toBe(7_500);
    expect(renewalDelayMs(43_200)).toBe(32_400_000);
  });
});

describe('CredentialRenewal', () => {
  it('sends fresh credentials at 3/4 of the lifetime, again and again', () => {
    const { renewal: r, deliver } = renewal();
    const first = r.issue();
    vi.advanceTimersByTime(RENEW_MS - 1);
    expect(deliver).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(deliver).toHaveBeenCalledTimes(1);
    const second = deliver.mock.calls[0]![0];
    expect(expiryOf(second)).toBe(expiryOf(first) + 9);
    vi.advanceTimersByTime(RENEW_MS);
    expect(deliver).toHaveBeenCalledTimes(2);
    expect(expiryOf(deliver.mock.calls[1]![0])).toBe(expiryOf(second) + 9);
    // Each one arrives before the previous one expires.
    expect(Date.now() / 1000).toBeLessThan(expiryOf(second));
    r.stop();
  });

  it('counts from the credentials last handed out: a new hello (resume) moves the next renewal', () => {
    const { renewal: r, deliver } = renewal();
    r.issue();
    vi.advanceTimersByTime(6_000);
    r.issue(); // the resume's hello
    vi.advanceTimersByTime(RENEW_MS - 1);
    expect(deliver).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(deliver).toHaveBeenCalledTimes(1);
    r.stop();
  });

  it('sends nothing once stopped, and leaves no timer behind', () => {
    const { renewal: r, deliver } = renewal();
    r.issue();
    vi.advanceTimersByTime(RENEW_MS);
    expect(deliver).toHaveBeenCalledTimes(1);
    r.stop();
    r.stop(); // idempotent
    expect(r.pending).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10 * RENEW_MS);
    expect(deliver).toHaveBeenCalledTimes(1);
    // A late hello on a stopped renewal still answers with credentials, and schedules nothing.
    expect(r.issue()).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a stop from inside delivery (the session ended meanwhile) schedules nothing more', () => {
    const turn = fakeTurn();
    const deliver = vi.fn(() => r.stop());
    const r: CredentialRenewal = new CredentialRenewal({ ttlS: TTL_S, issue: () => turn.iceServers('u1'), deliver });
    r.issue();
    vi.advanceTimersByTime(RENEW_MS);
    expect(deliver).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

function fakeSocket(): WebSocket & { frames: Array<{ type?: string; data?: unknown; seq?: number }> } {
  const frames: Array<{ type?: string; data?: unknown; seq?: number }> = [];
  return {
    OPEN: 1,
    CLOSED: 3,
    CLOSING: 2,
    readyState: 1,
    frames,
    send(text: string) {
      frames.push(JSON.parse(text) as { type?: string; seq?: number });
    },
    close() {},
  } as unknown as WebSocket & { frames: Array<{ type?: string; data?: unknown; seq?: number }> };
}

function session(withRoom: boolean) {
  const socket = fakeSocket();
  const s = new Session(socket, pino({ level: 'silent' }), 50, 30);
  s.identity = { userId: 'u-lea', displayName: 'Léa', role: 'member', projectId: 'p1' } as Session['identity'];
  s.state = 'ready';
  if (withRoom) {
    s.room = {} as Room;
    s.resumeSecret = 'secret-secret-secret-00';
  }
  return { s, socket };
}

function expiryOf(iceServers: IceServer[]): number {
  return Number(iceServers[0]!.username.split(':')[0]);
}

describe('helloIceServers', () => {
  it('a meeting session gets iceServers notifications with credentials newer than its hello\'s', () => {
    const { s, socket } = session(true);
    const hello = helloIceServers(fakeTurn(), s);
    vi.advanceTimersByTime(RENEW_MS);
    s.flush(); // frames wait for the end of the tick (ws/writeBatch.ts)
    const sent = socket.frames.filter((f) => f.type === 'iceServers');
    expect(sent).toHaveLength(1);
    const renewed = (sent[0]!.data as { iceServers: IceServer[] }).iceServers;
    expect(renewed[0]!.username).toMatch(/:u-lea$/);
    expect(expiryOf(renewed)).toBeGreaterThan(expiryOf(hello));
    expect(sent[0]!.seq).toBe(1); // numbered like every meeting notification: replayed after a resume
    s.credentialRenewal!.stop();
  });

  it('a project page socket gets credentials and no renewal', () => {
    const { s, socket } = session(false);
    expect(helloIceServers(fakeTurn(), s)).toHaveLength(1);
    expect(s.credentialRenewal).toBeUndefined();
    vi.advanceTimersByTime(10 * RENEW_MS);
    expect(socket.frames).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('without TURN: no credentials, no renewal', () => {
    const { s } = session(true);
    expect(helloIceServers(fakeTurn(null), s)).toEqual([]);
    expect(s.credentialRenewal).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a resume keeps one renewal per session, counted from the resume', () => {
    const { s, socket } = session(true);
    const turn = fakeTurn();
    helloIceServers(turn, s);
    const renewalOfSession = s.credentialRenewal;
    vi.advanceTimersByTime(5_000);
    helloIceServers(turn, s);
    expect(s.credentialRenewal).toBe(renewalOfSession);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(RENEW_MS - 1);
    s.flush();
    expect(socket.frames).toEqual([]);
    vi.advanceTimersByTime(1);
    s.flush();
    expect(socket.frames.filter((f) => f.type === 'iceServers')).toHaveLength(1);
    s.credentialRenewal!.stop();
  });

  it('never notifies a closed session, even if its renewal was not stopped', () => {
    const { s, socket } = session(true);
    helloIceServers(fakeTurn(), s);
    s.state = 'closed';
    vi.advanceTimersByTime(RENEW_MS);
    s.flush();
    expect(socket.frames).toEqual([]);
    expect(s.credentialRenewal!.stopped).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
