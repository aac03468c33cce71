import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from './connectionOptions';
import { RequestGate } from './requestGate';
import { SignalingError } from './SignalingError';

/** The connection as the gate sees it: a state and, while open, a socket whose answers the test decides. */
let state: ConnectionState;
let answer: (type: string) => Promise<unknown>;
let sent: string[];
let gate: RequestGate;

function moveTo(next: ConnectionState): void {
  state = next;
  gate.stateChanged();
}

type Outcome = { pending: true } | { resolved: unknown } | { rejected: { code: unknown; message: unknown } };

/**
 * A request's outcome, read synchronously after the steps the test awaits. Timers are fake: a test
 * awaiting a request that the gate never settles would hang until vitest's timeout (and one the gate
 * rejects too early would end as an unhandled rejection); here it fails at once, saying what happened.
 */
function outcomeOf(request: Promise<unknown>): () => Outcome {
  let outcome: Outcome = { pending: true };
  request.then(
    (value) => (outcome = { resolved: value }),
    (error: unknown) => {
      const { code, message } = error as { code?: unknown; message?: unknown };
      outcome = { rejected: { code, message } };
    },
  );
  return () => outcome;
}

beforeEach(() => {
  vi.useFakeTimers();
  state = 'open';
  sent = [];
  answer = () => Promise.resolve({ ok: true });
  const socket = {
    request: (type: string) => {
      sent.push(type);
      return answer(type);
    },
  };
  gate = new RequestGate({ state: () => state, openClient: () => (state === 'open' ? (socket as never) : null) }, 1_000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RequestGate', () => {
  it('sends at once while open', async () => {
    await expect(gate.request('ping', {})).resolves.toEqual({ ok: true });
    expect(sent).toEqual(['ping']);
  });

  it('while reconnecting, a request waits for the resume; one whose timeout passes first fails with TIMEOUT', async () => {
    moveTo('reconnecting');
    const waiting = outcomeOf(gate.request('chatHistory', { limit: 10 }));
    const tooLate = outcomeOf(gate.request('chatHistory', { limit: 5 }, { timeoutMs: 100 }));
    await vi.advanceTimersByTimeAsync(100);
    expect(tooLate()).toMatchObject({ rejected: { code: 'TIMEOUT' } });
    expect(waiting()).toEqual({ pending: true });
    expect(sent).toEqual([]);
    moveTo('open');
    await vi.advanceTimersByTimeAsync(0);
    expect(waiting(), 'resumed: sent and answered').toEqual({ resolved: { ok: true } });
    expect(sent).toEqual(['chatHistory']);
  });

  it('a request waiting when the connection ends (expired, closed) fails with CONNECTION_LOST', async () => {
    moveTo('reconnecting');
    const waiting = outcomeOf(gate.request('chatHistory', { limit: 10 }));
    moveTo('expired');
    await vi.advanceTimersByTimeAsync(0);
    expect(waiting()).toMatchObject({ rejected: { code: 'CONNECTION_LOST' } });
    await expect(gate.request('ping', {})).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
  });

  it('a socket lost under a retryOnLost request: sent again once the session is resumed', async () => {
    answer = () => {
      moveTo('reconnecting');
      return Promise.reject(new SignalingError('CONNECTION_LOST', 'socket closed'));
    };
    const chat = outcomeOf(gate.request('chatSend', { clientMessageId: 'm-1', text: 'hello' }, { retryOnLost: true }));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['chatSend']);
    expect(chat(), 'lost on the way: waits for the resume').toEqual({ pending: true });
    answer = () => Promise.resolve({ message: { id: '1-0' } });
    moveTo('open');
    await vi.advanceTimersByTimeAsync(0);
    expect(chat(), 'resumed: sent again and answered').toEqual({ resolved: { message: { id: '1-0' } } });
    expect(sent).toEqual(['chatSend', 'chatSend']);
  });

  it('a socket lost under any other request fails it with CONNECTION_LOST, not sent again', async () => {
    answer = () => {
      moveTo('reconnecting');
      return Promise.reject(new SignalingError('CONNECTION_LOST', 'socket closed'));
    };
    const close = outcomeOf(gate.request('closeProducer', { producerId: 'x' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(close(), 'failed at once, not kept for the resume').toMatchObject({ rejected: { code: 'CONNECTION_LOST' } });
    moveTo('open');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['closeProducer']);
  });

  it('a retryOnLost request fails when the connection is not reconnecting (no resume to wait for)', async () => {
    answer = () => Promise.reject(new SignalingError('CONNECTION_LOST', 'socket closed'));
    await expect(gate.request('chatSend', { clientMessageId: 'm-1', text: 'hi' }, { retryOnLost: true })).rejects.toMatchObject({
      code: 'CONNECTION_LOST',
    });
    expect(sent).toEqual(['chatSend']);
  });
});
