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
    const waiting = gate.request('chatHistory', { limit: 10 });
    const tooLate = gate.request('chatHistory', { limit: 5 }, { timeoutMs: 100 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await tooLate).toMatchObject({ code: 'TIMEOUT' });
    expect(sent).toEqual([]);
    moveTo('open');
    await expect(waiting).resolves.toEqual({ ok: true });
    expect(sent).toEqual(['chatHistory']);
  });

  it('a request waiting when the connection ends (expired, closed) fails with CONNECTION_LOST', async () => {
    moveTo('reconnecting');
    const waiting = gate.request('chatHistory', { limit: 10 }).catch((e: unknown) => e);
    moveTo('expired');
    expect(await waiting).toMatchObject({ code: 'CONNECTION_LOST' });
    await expect(gate.request('ping', {})).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
  });

  it('a socket lost under a retryOnLost request: sent again once the session is resumed', async () => {
    answer = () => {
      moveTo('reconnecting');
      return Promise.reject(new SignalingError('CONNECTION_LOST', 'socket closed'));
    };
    const chat = gate.request('chatSend', { clientMessageId: 'm-1', text: 'hello' }, { retryOnLost: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['chatSend']);
    answer = () => Promise.resolve({ message: { id: '1-0' } });
    moveTo('open');
    await expect(chat).resolves.toEqual({ message: { id: '1-0' } });
    expect(sent).toEqual(['chatSend', 'chatSend']);
  });

  it('a socket lost under any other request fails it with CONNECTION_LOST, not sent again', async () => {
    answer = () => {
      moveTo('reconnecting');
      return Promise.reject(new SignalingError('CONNECTION_LOST', 'socket closed'));
    };
    await expect(gate.request('closeProducer', { producerId: 'x' })).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
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
