import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TIMING } from './connectionOptions';
import { NodeDirectory } from './nodes';
import { resumeSession, type ResumeHost, type ResumeSocket } from './resume';
import { SignalingError } from './SignalingError';

const A = 'ws://a.test/ws';
const B = 'ws://b.test/ws';

type Answer = 'ok' | 'WRONG_NODE' | 'RESUME_FAILED' | 'UNAUTHORIZED' | 'TIMEOUT';
/** What each node answers resuming hellos, in turn (the last one repeats): the session back, or an error code (WRONG_NODE names B). */
let answers: Record<string, Answer[]>;
let tried: string[];
let closedSockets: number;
let outcome: string[];
let pauses: number[];
let reconnecting: boolean;

function socket(url: string): ResumeSocket {
  return {
    connect: () => Promise.resolve(),
    request: (() => {
      tried.push(url);
      const queue = answers[url] ?? [];
      const answer = (queue.length > 1 ? queue.shift() : queue[0]) ?? 'TIMEOUT';
      if (answer === 'ok') return Promise.resolve({ peerId: 'peer-1', resumeSecret: 's2', nodes: ['http://a.test', 'http://b.test'] });
      const details = answer === 'WRONG_NODE' ? { url: 'http://b.test' } : undefined;
      return Promise.reject(new SignalingError(answer, answer, 'hello', details));
    }) as ResumeSocket['request'],
    close: () => {
      closedSockets++;
    },
  };
}

function host(nodes: NodeDirectory): ResumeHost<ResumeSocket> {
  return {
    nodes,
    timing: { ...DEFAULT_TIMING, backoffMs: [10, 20], giveUpAfterMs: 1_000 },
    createSocket: socket,
    session: () => ({ peerId: 'peer-1', secret: 's1' }),
    resumeHello: (session) => ({ protocol: 1, token: 't', projectId: 'p1', resume: { ...session, lastSeq: 7 } }),
    reconnecting: () => reconnecting,
    watch: () => () => {},
    resumed: (_socket, answer) => {
      reconnecting = false;
      outcome.push(`resumed ${answer.peerId}`);
    },
    expired: () => {
      reconnecting = false;
      outcome.push('expired');
    },
    end: (closed) => {
      reconnecting = false;
      outcome.push(`end ${closed.code} ${closed.kind}`);
    },
    pause: async (ms) => {
      pauses.push(ms);
      await vi.advanceTimersByTimeAsync(ms);
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  tried = [];
  closedSockets = 0;
  outcome = [];
  pauses = [];
  reconnecting = true;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('resumeSession', () => {
  it("tries the session's node twice, then the entry, with back-off, until one takes the session back", async () => {
    const nodes = new NodeDirectory(A);
    nodes.current = B;
    answers = { [A]: ['ok'] };
    await resumeSession(host(nodes));
    expect(tried).toEqual([B, B, A]);
    expect(pauses).toEqual([10, 20, 20]);
    expect(outcome).toEqual(['resumed peer-1']);
    expect(nodes.current).toBe(A);
    expect(nodes.forResume()).toEqual([A, B]);
    expect(closedSockets).toBe(2);
  });

  it('WRONG_NODE: back to the node it names, twice again before the others', async () => {
    const nodes = new NodeDirectory(A);
    nodes.current = B;
    answers = { [A]: ['WRONG_NODE'], [B]: ['TIMEOUT', 'TIMEOUT', 'TIMEOUT', 'ok'] };
    await resumeSession(host(nodes));
    expect(tried).toEqual([B, B, A, B, B]);
    expect(outcome).toEqual(['resumed peer-1']);
  });

  it('RESUME_FAILED: the session is gone, expired, no further attempt', async () => {
    answers = { [A]: ['RESUME_FAILED'] };
    await resumeSession(host(new NodeDirectory(A)));
    expect(tried).toEqual([A]);
    expect(outcome).toEqual(['expired']);
  });

  it('a refusal that trying again cannot cure ends the connection (4001, hello-refused)', async () => {
    answers = { [A]: ['UNAUTHORIZED'] };
    await resumeSession(host(new NodeDirectory(A)));
    expect(tried).toEqual([A]);
    expect(outcome).toEqual(['end 4001 hello-refused']);
  });

  it('gives up after giveUpAfterMs of failed attempts (1006, lost)', async () => {
    answers = {};
    await resumeSession(host(new NodeDirectory(A)));
    expect(outcome).toEqual(['end 1006 lost']);
    expect(tried.length).toBeGreaterThan(10);
  });

  it('an answer that comes after the connection stopped reconnecting is closed unused', async () => {
    answers = { [A]: ['ok'] };
    const h = host(new NodeDirectory(A));
    h.createSocket = (url) => {
      reconnecting = false;
      return socket(url);
    };
    await resumeSession(h);
    expect(tried).toEqual([A]);
    expect(outcome).toEqual([]);
    expect(closedSockets).toBe(1);
  });
});
